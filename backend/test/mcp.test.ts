// The five tools through a real MCP client over streamable HTTP.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { Kysely, PostgresDialect, type PostgresPoolClient } from "kysely";
import type { Db } from "../src/db/database.js";
import type { Database } from "../src/db/schema.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningApp, type TestDb, client, openTestDb, startApp, token } from "./helpers.js";

async function connect(url: string, bearer?: string) {
  const c = new Client({ name: "backend-test", version: "1.0.0" });
  const transport = new StreamableHTTPClientTransport(new URL(`${url}/mcp`), {
    requestInit: bearer ? { headers: { authorization: `Bearer ${bearer}` } } : {},
  });
  await c.connect(transport);
  return c;
}

const text = (r: any) => (r.content as Array<{ text: string }>)[0]!.text;
const json = (r: any) => JSON.parse(text(r));

describe("MCP server at /mcp", () => {
  let tdb: TestDb;
  let app: RunningApp;
  beforeAll(async () => {
    tdb = await openTestDb("pglite");
    app = await startApp(tdb.db);
  });
  afterAll(async () => {
    await app?.close();
    await tdb?.close();
  });

  it("lists exactly the five task tools with input schemas", async () => {
    const c = await connect(app.url, await token("mcp-alice"));
    const { tools } = await c.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(["add_task", "complete_task", "delete_task", "list_tasks", "update_task"]);
    const add = tools.find((t) => t.name === "add_task")!;
    expect(add.inputSchema.properties).toHaveProperty("title");
    expect(add.inputSchema.properties).not.toHaveProperty("user_id");
    await c.close();
  });

  it("adds, lists, updates, completes and deletes through the tools", async () => {
    const c = await connect(app.url, await token("mcp-alice"));
    const added = json(await c.callTool({ name: "add_task", arguments: { title: "water plants" } }));
    expect(added).toMatchObject({ status: "created", title: "water plants" });
    const id = added.task_id as number;
    expect(json(await c.callTool({ name: "list_tasks", arguments: { status: "pending" } }))).toEqual({
      tasks: [{ id, title: "water plants", description: null, completed: false }],
      next_cursor: null,
    });
    expect(json(await c.callTool({ name: "update_task", arguments: { task_id: id, title: "water all plants" } }))).toMatchObject({ status: "updated", title: "water all plants" });
    expect(json(await c.callTool({ name: "complete_task", arguments: { task_id: id } }))).toMatchObject({ status: "completed" });
    expect(json(await c.callTool({ name: "list_tasks", arguments: { status: "completed" } })).tasks).toHaveLength(1);
    expect(json(await c.callTool({ name: "delete_task", arguments: { task_id: id } }))).toMatchObject({ status: "deleted" });
    const missing = await c.callTool({ name: "delete_task", arguments: { task_id: id } });
    expect(missing.isError).toBe(true);
    expect(text(missing)).toMatch(/was not found/);
    await c.close();
  });

  it("rejects invalid arguments without writing", async () => {
    const c = await connect(app.url, await token("mcp-carol"));
    const bad = await c.callTool({ name: "add_task", arguments: { title: "" } });
    expect(bad.isError).toBe(true);
    expect(json(await c.callTool({ name: "list_tasks", arguments: {} }))).toEqual({ tasks: [], next_cursor: null });
    await c.close();
  });

  it("pages list_tasks with limit and cursor", async () => {
    const c = await connect(app.url, await token("mcp-pager"));
    for (let i = 0; i < 7; i++) await c.callTool({ name: "add_task", arguments: { title: `page task ${i}` } });
    const first = json(await c.callTool({ name: "list_tasks", arguments: { limit: 3 } }));
    expect(first.tasks.map((t: any) => t.title)).toEqual(["page task 6", "page task 5", "page task 4"]);
    expect(first.next_cursor).toEqual(expect.any(String));
    const titles = [...first.tasks.map((t: any) => t.title)];
    for (let cursor = first.next_cursor; cursor; ) {
      const page = json(await c.callTool({ name: "list_tasks", arguments: { limit: 3, cursor } }));
      titles.push(...page.tasks.map((t: any) => t.title));
      cursor = page.next_cursor;
    }
    expect(titles).toEqual([6, 5, 4, 3, 2, 1, 0].map((i) => `page task ${i}`));
    // A cursor that decodes to an impossible date (Feb 30, month 99, year 0000) is named, not a server error.
    const impossible = ["2023-02-30", "2023-99-01", "0000-01-01"].map((day) => Buffer.from(`1|${day}T00:00:00.000000|1`).toString("base64url"));
    for (const args of [{ limit: 0 }, { limit: 201 }, { cursor: "not-a-cursor" }, ...impossible.map((cursor) => ({ cursor }))]) {
      const bad = await c.callTool({ name: "list_tasks", arguments: args });
      expect(bad.isError).toBe(true);
      expect(text(bad)).toMatch(/Invalid arguments for (tool )?list_tasks: .*(limit|cursor)/);
    }
    // By default at most 50.
    for (let i = 0; i < 50; i++) await c.callTool({ name: "add_task", arguments: { title: `more ${i}` } });
    const byDefault = json(await c.callTool({ name: "list_tasks", arguments: {} }));
    expect(byDefault.tasks).toHaveLength(50);
    expect(byDefault.next_cursor).toEqual(expect.any(String));
    await c.close();
  });

  it("refuses NUL, lone surrogates and out-of-range ids by name, and never answers with database text", async () => {
    const c = await connect(app.url, await token("mcp-frank"));
    // The MCP SDK checks our input schemas before the tool runs; it names the field after "at".
    const cases: Array<[string, Record<string, unknown>, RegExp]> = [
      ["complete_task", { task_id: 3000000000 }, /must be at most 2147483647 at task_id/],
      ["delete_task", { task_id: 2147483648 }, /must be at most 2147483647 at task_id/],
      ["update_task", { task_id: 4000000000, title: "x" }, /must be at most 2147483647 at task_id/],
      ["add_task", { title: "nul\u0000" }, /must not contain the NUL character .* at title/],
      ["add_task", { title: "ok", description: "\uD800" }, /must be valid Unicode .* at description/],
    ];
    for (const [name, args, message] of cases) {
      const r = await c.callTool({ name, arguments: args });
      expect(r.isError).toBe(true);
      expect(text(r)).toMatch(message);
      expect(text(r)).not.toMatch(/out of range|invalid byte sequence|integer|0x00|UTF8/i);
    }
    expect(json(await c.callTool({ name: "list_tasks", arguments: {} }))).toEqual({ tasks: [], next_cursor: null });
    await c.close();
  });

  it("answers a database failure inside a tool with a generic error, not the database's text", async () => {
    // A database that fails every statement the way PostgreSQL does, with its text.
    const failing = (message: string, code: string) =>
      ({
        kind: "postgres",
        ping: async () => undefined,
        close: async () => undefined,
        kysely: new Kysely<Database>({
          dialect: new PostgresDialect({
            pool: {
              connect: async () =>
                ({
                  query: async () => {
                    throw Object.assign(new Error(message), { code, severity: "ERROR" });
                  },
                  release: () => undefined,
                }) as unknown as PostgresPoolClient,
              end: async () => undefined,
            },
          }),
        }),
      }) as Db;
    for (const [db, expected] of [
      [failing('relation "tasks" does not exist', "42P01"), (name: string) => `${name} failed because of an error on the server; it has been logged.`],
      [failing("terminating connection due to administrator command", "57P01"), (name: string) => `The task database is unavailable right now (${name} may not have been applied); try again in a few seconds.`],
    ] as const) {
      const brokenApp = await startApp(db);
      try {
        const c = await connect(brokenApp.url, await token("mcp-gina"));
        for (const [name, args] of [["list_tasks", {}], ["add_task", { title: "x" }], ["delete_task", { task_id: 1 }]] as const) {
          const r = await c.callTool({ name, arguments: args });
          expect(r.isError).toBe(true);
          expect(text(r)).toBe(expected(name));
        }
        await c.close();
      } finally {
        await brokenApp.close();
      }
    }
  });

  it("scopes every tool to the token's user", async () => {
    const alice = await client(app.url, "mcp-dave");
    const task = (await alice("POST", "/tasks", { title: "dave only" })).body;
    const eve = await connect(app.url, await token("mcp-eve"));
    expect(json(await eve.callTool({ name: "list_tasks", arguments: {} }))).toEqual({ tasks: [], next_cursor: null });
    for (const name of ["complete_task", "delete_task"]) {
      const r = await eve.callTool({ name, arguments: { task_id: task.id } });
      expect(r.isError).toBe(true);
    }
    expect((await eve.callTool({ name: "update_task", arguments: { task_id: task.id, title: "pwned" } })).isError).toBe(true);
    // A forged user argument is refused, not honoured.
    expect((await eve.callTool({ name: "list_tasks", arguments: { user_id: "mcp-dave" } })).isError).toBe(true);
    expect((await alice("GET", `/tasks/${task.id}`)).body).toMatchObject({ title: "dave only", completed: false });
    await eve.close();
  });

  it("answers requests with malformed params as -32602 Invalid params naming the field, not as an internal error", async () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ method: "tools/call" }, /Invalid params for tools\/call: params: /],
      [{ method: "tools/call", params: {} }, /Invalid params for tools\/call: params\.name: /],
      [{ method: "tools/call", params: { name: "add_task", arguments: 7 } }, /Invalid params for tools\/call: params\.arguments: /],
      [{ method: "initialize" }, /Invalid params for initialize: params: /],
    ];
    const bearer = await token("mcp-params");
    for (const [request, message] of cases) {
      const res = await fetch(`${app.url}/mcp`, {
        method: "POST",
        headers: { authorization: `Bearer ${bearer}`, "content-type": "application/json", accept: "application/json, text/event-stream" },
        body: JSON.stringify({ jsonrpc: "2.0", id: 7, ...(request as object) }),
      });
      const body = (await res.json()) as any;
      expect({ request, status: res.status, code: body.error?.code }).toEqual({ request, status: 200, code: -32602 });
      expect(body.error.message).toMatch(message);
    }
  });

  it("refuses a connection without a valid token", async () => {
    await expect(connect(app.url)).rejects.toThrow(/401|unauthorized|bearer/i);
    await expect(connect(app.url, "not-a-jwt")).rejects.toThrow(/401|invalid/i);
  });
});
