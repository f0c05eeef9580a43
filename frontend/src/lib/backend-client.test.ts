// @vitest-environment node
// The client against a real HTTP server on an ephemeral port that answers in
// the backend's wire format, to check requests and error handling end to end.
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BackendError, createBackendClient } from "./backend-client";

interface Seen {
  method: string;
  url: string;
  auth: string | undefined;
  body: unknown;
}

let server: Server;
let baseUrl: string;
const seen: Seen[] = [];

async function readBody(req: IncomingMessage): Promise<unknown> {
  let raw = "";
  for await (const chunk of req) raw += chunk;
  return raw ? JSON.parse(raw) : undefined;
}

beforeAll(async () => {
  server = createServer(async (req, res) => {
    const body = await readBody(req);
    seen.push({ method: req.method!, url: req.url!, auth: req.headers.authorization, body });
    const json = (status: number, data: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(data));
    };
    if (req.url === "/api/u%201/tasks?status=pending") return json(200, [{ id: 1, title: "a" }]);
    if (req.url === "/api/u%201/tasks?status=all&limit=2") {
      res.setHeader("x-next-cursor", "MXwyMDI2");
      return json(200, [{ id: 9, title: "i" }, { id: 8, title: "h" }]);
    }
    if (req.url === "/api/u%201/tasks?status=all&limit=2&cursor=MXwyMDI2") return json(200, [{ id: 7, title: "g" }]);
    if (req.url === "/api/u%201/tasks" && req.method === "POST") return json(201, { id: 2, ...(body as object) });
    if (req.url === "/api/u%201/tasks/7") return json(404, { error: { code: "not_found", message: "Task 7 not found" } });
    if (req.url === "/api/u%201/tasks/8" && req.method === "DELETE") {
      res.writeHead(204);
      return res.end();
    }
    if (req.url === "/api/u%201/tasks/9/complete") return json(200, { id: 9, completed: true });
    if (req.url === "/api/u%201/chat") return json(200, { conversation_id: 5, response: "ok", tool_calls: [] });
    if (req.url === "/api/u%201/broken") return json(500, "not the error envelope");
    res.writeHead(502, { "content-type": "text/html" });
    res.end("<html>bad gateway</html>");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const client = () => createBackendClient({ baseUrl, userId: "u 1", token: "jwt-123" });

describe("createBackendClient", () => {
  it("sends the bearer token to the user's path and parses the list", async () => {
    await expect(client().listTasks("pending")).resolves.toEqual([{ id: 1, title: "a" }]);
    expect(seen.at(-1)).toMatchObject({ method: "GET", url: "/api/u%201/tasks?status=pending", auth: "Bearer jwt-123" });
  });

  it("pages the list: limit and cursor go in the query, the next cursor comes from X-Next-Cursor", async () => {
    const first = await client().listTaskPage("all", { limit: 2 });
    expect(first).toEqual({ tasks: [{ id: 9, title: "i" }, { id: 8, title: "h" }], nextCursor: "MXwyMDI2" });
    const last = await client().listTaskPage("all", { limit: 2, cursor: first.nextCursor });
    expect(last).toEqual({ tasks: [{ id: 7, title: "g" }], nextCursor: undefined });
    expect(seen.at(-1)?.url).toBe("/api/u%201/tasks?status=all&limit=2&cursor=MXwyMDI2");
  });

  it("posts a new task, leaving out an empty description", async () => {
    await client().createTask("buy milk", null);
    expect(seen.at(-1)?.body).toEqual({ title: "buy milk" });
    await client().createTask("buy milk", "2 litres");
    expect(seen.at(-1)?.body).toEqual({ title: "buy milk", description: "2 litres" });
  });

  it("sets completion explicitly with PATCH …/complete", async () => {
    await client().setCompleted(9, true);
    expect(seen.at(-1)).toMatchObject({ method: "PATCH", url: "/api/u%201/tasks/9/complete", body: { completed: true } });
  });

  it("accepts 204 on delete", async () => {
    await expect(client().deleteTask(8)).resolves.toBeUndefined();
  });

  it("continues a conversation by id", async () => {
    await expect(client().chat("add buy milk", 5)).resolves.toMatchObject({ conversation_id: 5 });
    expect(seen.at(-1)?.body).toEqual({ conversation_id: 5, message: "add buy milk" });
  });

  it("turns the error envelope into a BackendError with code and message", async () => {
    const error = await client().updateTask(7, { title: "x" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackendError);
    expect(error).toMatchObject({ status: 404, code: "not_found", message: "Task 7 not found" });
  });

  it("describes a non-JSON failure by its status", async () => {
    await expect(client().listMessages("x")).rejects.toMatchObject({ status: 502, code: "http_502", message: "The task service answered 502." });
  });

  it("names the address when the backend is unreachable", async () => {
    const closed = createBackendClient({ baseUrl: "http://127.0.0.1:1", userId: "u", token: "t" });
    await expect(closed.listTasks()).rejects.toMatchObject({ code: "unreachable", message: expect.stringContaining("http://127.0.0.1:1") });
  });
});
