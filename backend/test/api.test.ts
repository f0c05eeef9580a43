// The REST API end to end over HTTP, on PGlite and on a real PostgreSQL server.
import { SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Agent } from "../src/agent/types.js";
import { runTool } from "../src/tasks/tools.js";
import { type RunningApp, SECRET, type TestDb, client, openTestDb, startApp, token } from "./helpers.js";

describe.each(["pglite", "postgres"] as const)("REST API on %s", (kind) => {
  let tdb: TestDb;
  let app: RunningApp;
  let alice: Awaited<ReturnType<typeof client>>;
  let bob: Awaited<ReturnType<typeof client>>;

  beforeAll(async () => {
    tdb = await openTestDb(kind);
    app = await startApp(tdb.db, { bodyLimitBytes: 4096 });
    alice = await client(app.url, "alice");
    bob = await client(app.url, "bob");
  });
  afterAll(async () => {
    await app?.close();
    await tdb?.close();
  });

  it("serves /health without the database and /ready once migrated", async () => {
    expect((await fetch(`${app.url}/health`)).status).toBe(200);
    const ready = await fetch(`${app.url}/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: "ready" });
  });

  it("creates, reads, updates, completes, filters and deletes a task", async () => {
    const created = await alice("POST", "/tasks", { title: "  buy milk ", description: "2 litres" });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ title: "buy milk", description: "2 litres", completed: false, user_id: "alice" });
    const id = created.body.id as number;
    expect((await alice("GET", `/tasks/${id}`)).body.title).toBe("buy milk");

    const updated = await alice("PUT", `/tasks/${id}`, { title: "buy oat milk", description: null });
    expect(updated.body).toMatchObject({ title: "buy oat milk", description: null });

    const toggled = await alice("PATCH", `/tasks/${id}/complete`);
    expect(toggled.body.completed).toBe(true);
    expect((await alice("PATCH", `/tasks/${id}/complete`)).body.completed).toBe(false);
    expect((await alice("PATCH", `/tasks/${id}/complete`, { completed: true })).body.completed).toBe(true);
    expect((await alice("PATCH", `/tasks/${id}/complete`, { completed: true })).body.completed).toBe(true);

    await alice("POST", "/tasks", { title: "call mom" });
    const pending = await alice("GET", "/tasks?status=pending");
    const completed = await alice("GET", "/tasks?status=completed");
    const all = await alice("GET", "/tasks");
    expect(pending.body.map((t: any) => t.title)).toEqual(["call mom"]);
    expect(completed.body.map((t: any) => t.title)).toEqual(["buy oat milk"]);
    expect(all.body.map((t: any) => t.title)).toEqual(["call mom", "buy oat milk"]);

    expect((await alice("DELETE", `/tasks/${id}`)).status).toBe(204);
    expect((await alice("GET", `/tasks/${id}`)).status).toBe(404);
    expect((await alice("DELETE", `/tasks/${id}`)).status).toBe(404);
  });

  it("refuses bad input with a named 4xx and writes nothing", async () => {
    const before = (await alice("GET", "/tasks")).body.length;
    const cases: Array<[string, string, unknown, string | undefined, number, RegExp]> = [
      ["POST", "/tasks", undefined, "{not json", 400, /not valid JSON/],
      ["POST", "/tasks", { title: 42 }, undefined, 422, /title/],
      ["POST", "/tasks", { title: "ok", colour: "red" }, undefined, 422, /unknown field "colour"/],
      ["POST", "/tasks", { title: "x".repeat(201) }, undefined, 422, /at most 200/],
      ["POST", "/tasks", { title: "   " }, undefined, 422, /must not be empty/],
      ["POST", "/tasks", undefined, "", 400, /body is empty/],
      ["POST", "/tasks", [1, 2], undefined, 422, /object/i],
      ["PUT", "/tasks/1", {}, undefined, 422, /at least one/],
      ["GET", "/tasks/abc", undefined, undefined, 400, /positive integer/],
      ["GET", "/tasks/0", undefined, undefined, 400, /positive integer/],
      ["GET", "/tasks/999999", undefined, undefined, 404, /not found/],
      ["GET", "/tasks?status=done", undefined, undefined, 400, /status must be one of/],
      ["PATCH", "/tasks/1/complete", { completed: "yes" }, undefined, 422, /completed/],
      ["POST", "/chat", { message: "" }, undefined, 422, /message/],
      ["POST", "/chat", { message: "hi", conversation_id: "one" }, undefined, 422, /conversation_id/],
    ];
    for (const [method, path, body, raw, status, message] of cases) {
      const res = await alice(method, path, body, raw);
      expect({ method, path, status: res.status }).toEqual({ method, path, status });
      expect(res.body.error.code).toEqual(expect.any(String));
      expect(res.body.error.message).toMatch(message);
    }
    const tooBig = await alice("POST", "/tasks", undefined, JSON.stringify({ title: "x", description: "y".repeat(5000) }));
    expect(tooBig.status).toBe(413);
    expect(tooBig.body.error.code).toBe("body_too_large");
    expect((await alice("GET", "/tasks")).body.length).toBe(before);
  });

  it("refuses NUL, lone surrogates and out-of-range integers with 400 naming the field, and writes nothing", async () => {
    const before = (await alice("GET", "/tasks?limit=200")).body.length;
    const conversations = (await alice("GET", "/conversations")).body.length;
    const cases: Array<[string, string, unknown, RegExp]> = [
      ["POST", "/tasks", { title: "nul\u0000here" }, /title: .*NUL/],
      ["POST", "/tasks", { title: "ok", description: "a\u0000b" }, /description: .*NUL/],
      ["POST", "/tasks", { title: "half \uD83D pair" }, /title: .*lone surrogate/],
      ["POST", "/tasks", { title: "ok", description: "\uDE00 trailing" }, /description: .*lone surrogate/],
      ["PUT", "/tasks/1", { title: "x\u0000" }, /title: .*NUL/],
      ["POST", "/chat", { message: "delete milk \u0000" }, /message: .*NUL/],
      ["POST", "/chat", { message: "add \uD800" }, /message: .*lone surrogate/],
      ["POST", "/chat", { message: "hi", conversation_id: 3000000000 }, /conversation_id: must be at most 2147483647/],
      ["GET", "/tasks/3000000000", undefined, /id must be a positive integer of at most 2147483647/],
      ["DELETE", "/tasks/2147483648", undefined, /at most 2147483647/],
      ["GET", "/conversations/99999999999/messages", undefined, /id must be a positive integer/],
    ];
    for (const [method, path, body, message] of cases) {
      const res = await alice(method, path, body);
      expect({ method, path, body, status: res.status }).toEqual({ method, path, body, status: 400 });
      expect(res.body.error.message).toMatch(message);
    }
    // Well-formed pairs are fine: an emoji is two UTF-16 units.
    const emoji = await alice("POST", "/tasks", { title: "water 🌱" });
    expect(emoji.status).toBe(201);
    expect(emoji.body.title).toBe("water 🌱");
    await alice("DELETE", `/tasks/${emoji.body.id}`);
    expect((await alice("GET", "/tasks?limit=200")).body.length).toBe(before);
    expect((await alice("GET", "/conversations")).body.length).toBe(conversations);
  });

  it("counts a body sent without Content-Length (chunked) against the limit as it arrives", async () => {
    const auth = `Bearer ${await token("frank")}`;
    const chunked = (text: string) =>
      fetch(`${app.url}/api/frank/tasks`, {
        method: "POST",
        headers: { authorization: auth, "content-type": "application/json" },
        body: new ReadableStream({
          start(controller) {
            for (let i = 0; i < text.length; i += 1000) controller.enqueue(new TextEncoder().encode(text.slice(i, i + 1000)));
            controller.close();
          },
        }),
        duplex: "half",
      } as RequestInit);
    const tooBig = await chunked(JSON.stringify({ title: "x", description: "y".repeat(5000) }));
    expect(tooBig.status).toBe(413);
    expect(((await tooBig.json()) as any).error.code).toBe("body_too_large");
    const small = await chunked(JSON.stringify({ title: "sent in chunks" }));
    expect(small.status).toBe(201);
    expect(((await small.json()) as any).title).toBe("sent in chunks");
    const frank = await client(app.url, "frank");
    expect((await frank("GET", "/tasks")).body.map((t: any) => t.title)).toEqual(["sent in chunks"]);
  });

  it("reads a body as JSON only when its Content-Type says JSON (415 otherwise)", async () => {
    const auth = { authorization: `Bearer ${await token("alice")}` };
    const send = (type: string | undefined, method = "POST", path = "/tasks") =>
      fetch(`${app.url}/api/alice${path}`, { method, headers: { ...auth, ...(type ? { "content-type": type } : {}) }, body: JSON.stringify({ title: "typed" }) });
    for (const type of ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", undefined]) {
      const res = await send(type);
      expect({ type, status: res.status }).toEqual({ type, status: 415 });
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe("unsupported_media_type");
      expect(body.error.message).toMatch(/Content-Type: application\/json/);
    }
    const ok = await send("application/json; charset=utf-8");
    expect(ok.status).toBe(201);
    const id = ((await ok.json()) as { id: number }).id;
    // A PATCH without a body needs no Content-Type (it toggles).
    const toggle = await fetch(`${app.url}/api/alice/tasks/${id}/complete`, { method: "PATCH", headers: auth });
    expect(toggle.status).toBe(200);
    expect((await alice("DELETE", `/tasks/${id}`)).status).toBe(204);
  });

  it("pages the task list with limit (default 50, at most 200) and an opaque cursor, newest first", async () => {
    const carol = await client(app.url, "carol-pages");
    for (let i = 0; i < 120; i++) expect((await carol("POST", "/tasks", { title: `task ${i}` })).status).toBe(201);
    await carol("PATCH", `/tasks/${(await carol("GET", "/tasks?limit=1")).body[0].id}/complete`, { completed: true });

    const first = await carol("GET", "/tasks");
    expect(first.body).toHaveLength(50);
    expect(first.body[0].title).toBe("task 119");
    const cursor = first.headers.get("x-next-cursor")!;
    expect(cursor).toMatch(/^[\w-]+$/);
    expect(first.headers.get("link")).toBe(`</api/carol-pages/tasks?status=all&limit=50&cursor=${cursor}>; rel="next"`);

    // Walking the pages gives every task exactly once, in order, and the last page has no cursor.
    const seen: string[] = [];
    let next: string | null = "";
    let pages = 0;
    while (next !== null) {
      const res = await carol("GET", `/tasks?limit=35${next ? `&cursor=${next}` : ""}`);
      expect(res.status).toBe(200);
      seen.push(...res.body.map((t: any) => t.title));
      next = res.headers.get("x-next-cursor");
      pages++;
    }
    expect(pages).toBe(4);
    expect(seen).toEqual(Array.from({ length: 120 }, (_, i) => `task ${119 - i}`));

    // A cursor survives the deletion of the row it points at, and follows the status filter.
    const page1 = await carol("GET", "/tasks?status=pending&limit=10");
    expect(page1.body.map((t: any) => t.title)).toEqual(Array.from({ length: 10 }, (_, i) => `task ${118 - i}`));
    await carol("DELETE", `/tasks/${page1.body[9].id}`);
    const page2 = await carol("GET", `/tasks?status=pending&limit=10&cursor=${page1.headers.get("x-next-cursor")}`);
    expect(page2.body[0].title).toBe("task 108");
    expect((await carol("GET", "/tasks?limit=200")).body).toHaveLength(119);
    expect((await carol("GET", "/tasks?limit=200")).headers.get("x-next-cursor")).toBeNull();
    // The edges of the calendar that do exist are accepted (nothing is older than them, so the page is empty).
    for (const time of ["2024-02-29T23:59:59.999999", "2000-02-29T00:00:00.000000", "0001-01-01T00:00:00.000000", "9999-12-31T23:59:59.999999"]) {
      const res = await carol("GET", `/tasks?cursor=${Buffer.from(`1|${time}|1`).toString("base64url")}`);
      expect({ time, status: res.status }).toEqual({ time, status: 200 });
    }

    for (const [query, message] of [
      ["limit=0", /limit must be an integer from 1 to 200/],
      ["limit=201", /limit must be an integer from 1 to 200/],
      ["limit=ten", /limit/],
      ["limit=-1", /limit/],
      ["cursor=garbage", /cursor/],
      [`cursor=${Buffer.from("1|2020-01-01T00:00:00.000000|3000000000").toString("base64url")}`, /cursor/],
      [`cursor=${Buffer.from("1|'; DROP TABLE tasks; --|1").toString("base64url")}`, /cursor/],
      // Well-formed but impossible moments, which PostgreSQL itself refuses.
      ...["2023-02-30T00:00:00.000000", "2023-02-29T00:00:00.000000", "2020-99-01T00:00:00.000000", "0000-01-01T00:00:00.000000", "2020-04-31T00:00:00.000000", "2020-01-00T00:00:00.000000", "2020-01-01T24:00:00.000000", "2020-01-01T23:60:00.000000", "2020-01-01T23:59:60.000000"].map(
        (time) => [`cursor=${Buffer.from(`1|${time}|1`).toString("base64url")}`, /^cursor is not one this API issued/] as const,
      ),
    ] as const) {
      const res = await carol("GET", `/tasks?${query}`);
      expect({ query, status: res.status }).toEqual({ query, status: 400 });
      expect(res.body.error.message).toMatch(message);
    }
  });

  it("commits a chat turn's tool effects with the turn or not at all", async () => {
    const dave = await client(app.url, "dave-atomic");
    const task = (await dave("POST", "/tasks", { title: "keep me" })).body;
    // An agent that deletes the task, then fails before the turn is stored.
    const failing: Agent = {
      async respond(ctx) {
        await runTool(ctx, "delete_task", { task_id: task.id });
        await runTool(ctx, "add_task", { title: "half a turn" });
        throw new Error("the agent broke after acting");
      },
    };
    const broken = await startApp(tdb.db, { agent: failing });
    try {
      const res = await (await client(broken.url, "dave-atomic"))("POST", "/chat", { message: "delete keep me" });
      expect(res.status).toBe(500);
    } finally {
      await broken.close();
    }
    expect((await dave("GET", `/tasks/${task.id}`)).body).toMatchObject({ title: "keep me" });
    expect((await dave("GET", "/tasks")).body.map((t: any) => t.title)).toEqual(["keep me"]);
    expect((await dave("GET", "/conversations")).body).toEqual([]);

    // The same tools in a turn that completes are committed with it.
    const ok = await dave("POST", "/chat", { message: `delete ${task.id}` });
    expect(ok.body.response).toBe('I deleted "keep me".');
    expect((await dave("GET", `/tasks/${task.id}`)).status).toBe(404);
  });

  it("answers 401 without a valid token and 403 for another user's path", async () => {
    expect((await fetch(`${app.url}/api/alice/tasks`)).status).toBe(401);
    const forged = await fetch(`${app.url}/api/alice/tasks`, { headers: { authorization: `Bearer ${await token("alice", "another-secret-of-sufficient-length-000")}` } });
    expect(forged.status).toBe(401);
    const expired = await fetch(`${app.url}/api/alice/tasks`, { headers: { authorization: `Bearer ${await token("alice", undefined, "-1m")}` } });
    expect(expired.status).toBe(401);
    // A token that never expires is refused too.
    const eternal = await new SignJWT({}).setProtectedHeader({ alg: "HS256" }).setSubject("alice").setIssuedAt().sign(new TextEncoder().encode(SECRET));
    const noExp = await fetch(`${app.url}/api/alice/tasks`, { headers: { authorization: `Bearer ${eternal}` } });
    expect(noExp.status).toBe(401);
    // A validly signed token whose subject is no user id: NUL, other control characters, a lone surrogate, too long.
    for (const sub of ["alice\u0000", "\u0000", "al\u0001ice", "alice\n", "alice\u007f", "alice\u0085", "alice\uD800", "\uDC00alice", "a".repeat(256)]) {
      const own = sub.includes("\uD800") || sub.includes("\uDC00") ? "%ED%A0%80" : encodeURIComponent(sub); // a lone surrogate has no URI form
      for (const path of ["/api/alice/tasks", `/api/${own}/tasks`]) {
        const res = await fetch(`${app.url}${path}`, { headers: { authorization: `Bearer ${await token(sub)}` } });
        expect({ sub, path, status: res.status }).toEqual({ sub, path, status: 401 });
        expect(((await res.json()) as any).error.code).toBe("invalid_token");
      }
      const mcp = await fetch(`${app.url}/mcp`, { method: "POST", headers: { authorization: `Bearer ${await token(sub)}`, "content-type": "application/json" }, body: "{}" });
      expect({ sub, mcp: mcp.status }).toEqual({ sub, mcp: 401 });
    }
    // The longest accepted subject, and one outside ASCII, still work.
    for (const sub of ["a".repeat(255), "zoë-🙂"]) {
      const res = await (await client(app.url, encodeURIComponent(sub), sub))("GET", "/tasks");
      expect({ sub, status: res.status }).toEqual({ sub, status: 200 });
    }
    const bobOnAlice = await client(app.url, "alice", "bob");
    const res = await bobOnAlice("GET", "/tasks");
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe("forbidden");
  });

  it("keeps users apart on REST and chat", async () => {
    const t = await alice("POST", "/tasks", { title: "alice secret plan" });
    expect((await bob("GET", `/tasks/${t.body.id}`)).status).toBe(404);
    expect((await bob("PUT", `/tasks/${t.body.id}`, { title: "hijacked" })).status).toBe(404);
    expect((await bob("PATCH", `/tasks/${t.body.id}/complete`)).status).toBe(404);
    expect((await bob("DELETE", `/tasks/${t.body.id}`)).status).toBe(404);
    expect((await bob("GET", "/tasks")).body.map((x: any) => x.title)).not.toContain("alice secret plan");

    const chat = await alice("POST", "/chat", { message: "what's pending?" });
    expect((await bob("GET", `/conversations/${chat.body.conversation_id}/messages`)).status).toBe(404);
    expect((await bob("POST", "/chat", { message: "show my tasks", conversation_id: chat.body.conversation_id })).status).toBe(404);
    const bobChat = await bob("POST", "/chat", { message: `delete ${t.body.id}` });
    expect(bobChat.body.response).toMatch(/couldn't find task/);
    expect((await alice("GET", `/tasks/${t.body.id}`)).body.title).toBe("alice secret plan");
  });

  it("stores every chat turn so the next turn can continue anywhere", async () => {
    const first = await alice("POST", "/chat", { message: "add buy bread" });
    expect(first.status).toBe(200);
    expect(first.body.response).toMatch(/added "buy bread"/);
    expect(first.body.tool_calls).toEqual([{ name: "add_task", arguments: { title: "buy bread" }, result: expect.objectContaining({ status: "created" }) }]);
    const second = await alice("POST", "/chat", { conversation_id: first.body.conversation_id, message: "mark the bread task done" });
    expect(second.body.conversation_id).toBe(first.body.conversation_id);
    expect(second.body.tool_calls[0].name).toBe("complete_task");

    const conversations = await alice("GET", "/conversations");
    expect(conversations.body[0]).toMatchObject({ id: first.body.conversation_id, title: "add buy bread" });
    const messages = await alice("GET", `/conversations/${first.body.conversation_id}/messages`);
    expect(messages.body.map((m: any) => m.role)).toEqual(["user", "tool", "assistant", "user", "tool", "assistant"]);
    expect(messages.body[2].tool_calls[0].name).toBe("add_task");
    expect((await alice("GET", "/conversations/424242/messages")).status).toBe(404);
  });

  it("sets and echoes a request id and counts requests in /metrics", async () => {
    const res = await fetch(`${app.url}/health`, { headers: { "x-request-id": "req-123" } });
    expect(res.headers.get("x-request-id")).toBe("req-123");
    const generated = await fetch(`${app.url}/health`);
    expect(generated.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    const metrics = await (await fetch(`${app.url}/metrics`)).text();
    expect(metrics).toMatch(/http_requests_total\{method="GET",route="\/health",status="200"\} \d+/);
    expect(metrics).toContain("process_cpu_user_seconds_total");
  });

  it("answers unknown routes with the error shape", async () => {
    const res = await fetch(`${app.url}/nope`);
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("not_found");
  });
});
