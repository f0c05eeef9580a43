// The OpenAI-compatible path against a local HTTP server that speaks the
// chat-completions protocol and returns scripted tool calls.
import { type IncomingMessage, type Server, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OpenAiCompatibleAgent } from "../src/agent/openai.js";
import { type RunningApp, type TestDb, client, openTestDb, startApp } from "./helpers.js";

type Reply = { status?: number; body?: unknown; delayMs?: number };
const requests: any[] = [];
let script: Reply[] = [];

const body = (req: IncomingMessage) =>
  new Promise<string>((resolve) => {
    let s = "";
    req.on("data", (d) => (s += d));
    req.on("end", () => resolve(s));
  });

const toolCall = (id: string, name: string, args: unknown) => ({
  choices: [{ index: 0, finish_reason: "tool_calls", message: { role: "assistant", content: null, tool_calls: [{ id, type: "function", function: { name, arguments: JSON.stringify(args) } }] } }],
});
const say = (content: string) => ({ choices: [{ index: 0, finish_reason: "stop", message: { role: "assistant", content } }] });

describe("OpenAI-compatible agent", () => {
  let provider: Server;
  let providerUrl: string;
  let tdb: TestDb;
  let app: RunningApp;
  let agent: OpenAiCompatibleAgent;

  beforeAll(async () => {
    provider = createServer(async (req, res) => {
      requests.push({ url: req.url, auth: req.headers.authorization, body: JSON.parse(await body(req)) });
      const next = script.shift() ?? { status: 500, body: { error: { message: "script exhausted" } } };
      if (next.delayMs) await new Promise((r) => setTimeout(r, next.delayMs));
      res.writeHead(next.status ?? 200, { "content-type": "application/json" }).end(JSON.stringify(next.body ?? {}));
    });
    await new Promise<void>((r) => provider.listen(0, "127.0.0.1", r));
    providerUrl = `http://127.0.0.1:${(provider.address() as AddressInfo).port}/v1`;
    tdb = await openTestDb("pglite");
    agent = new OpenAiCompatibleAgent({ baseUrl: providerUrl, apiKey: "sk-test", model: "test-model", timeoutMs: 2_000 });
    app = await startApp(tdb.db, { agent });
  });
  afterAll(async () => {
    await app?.close();
    await tdb?.close();
    await new Promise((r) => provider.close(r));
  });

  it("runs the scripted tool calls against the real tools and returns the model's answer", async () => {
    requests.length = 0;
    script = [{ body: toolCall("c1", "add_task", { title: "buy milk" }) }, { body: say("Added buy milk for you.") }];
    const alice = await client(app.url, "llm-alice");
    const res = await alice("POST", "/chat", { message: "please remember milk" });
    expect(res.status).toBe(200);
    expect(res.body.response).toBe("Added buy milk for you.");
    expect(res.body.tool_calls).toEqual([{ name: "add_task", arguments: { title: "buy milk" }, result: expect.objectContaining({ status: "created", title: "buy milk" }) }]);
    expect((await alice("GET", "/tasks")).body.map((t: any) => t.title)).toEqual(["buy milk"]);

    expect(requests[0].url).toBe("/v1/chat/completions");
    expect(requests[0].auth).toBe("Bearer sk-test");
    expect(requests[0].body.model).toBe("test-model");
    expect(requests[0].body.tools.map((t: any) => t.function.name).sort()).toEqual(["add_task", "complete_task", "delete_task", "list_tasks", "update_task"]);
    // The second request carries the tool result back to the model.
    const toolMsg = requests[1].body.messages.find((m: any) => m.role === "tool");
    expect(toolMsg.tool_call_id).toBe("c1");
    expect(JSON.parse(toolMsg.content)).toMatchObject({ status: "created" });
  });

  it("passes a tool error back to the model instead of failing the turn", async () => {
    script = [{ body: toolCall("c2", "complete_task", { task_id: 99999 }) }, { body: say("I could not find that task.") }];
    const res = await agent.respond({ db: tdb.db, userId: "llm-bob" }, "finish 99999", []);
    expect(res.toolCalls[0]!.result).toEqual({ error: "Task 99999 was not found." });
    expect(res.response).toBe("I could not find that task.");
  });

  it("turns provider errors, garbage and timeouts into a polite reply (never a 500)", async () => {
    const alice = await client(app.url, "llm-carol");
    for (const reply of [{ status: 503, body: { error: "overloaded" } }, { body: { nonsense: true } }, { body: say("late"), delayMs: 2_500 }]) {
      script = [reply];
      const res = await alice("POST", "/chat", { message: "what's pending?" });
      expect(res.status).toBe(200);
      expect(res.body.response).toMatch(/assistant is unavailable right now/);
    }
  });

  it("stops after the step limit", async () => {
    script = Array.from({ length: 10 }, (_, i) => ({ body: toolCall(`l${i}`, "list_tasks", {}) }));
    const res = await agent.respond({ db: tdb.db, userId: "llm-dan" }, "loop", []);
    expect(res.toolCalls).toHaveLength(6);
    expect(res.response).toMatch(/stopped after several steps/);
    script = [];
  });
});
