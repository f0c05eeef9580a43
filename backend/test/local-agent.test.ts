// The deterministic agent: a table of phrasings, then whole turns against PGlite.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LocalAgent, parseIntent, resolveRef } from "../src/agent/local.js";
import { type TestDb, openTestDb } from "./helpers.js";

describe("parseIntent", () => {
  it.each([
    ["add buy milk", { kind: "add", title: "buy milk" }],
    ["Add a task to call the plumber", { kind: "add", title: "call the plumber" }],
    ["please add 'pay rent' to my list", { kind: "add", title: "pay rent" }],
    ["remind me to water the plants", { kind: "add", title: "water the plants" }],
    ["create task: book flights", { kind: "add", title: "book flights" }],
    ["what's pending?", { kind: "list", status: "pending" }],
    ["What is left to do?", { kind: "list", status: "pending" }],
    ["show pending tasks", { kind: "list", status: "pending" }],
    ["show completed tasks", { kind: "list", status: "completed" }],
    ["what have I finished?", { kind: "list", status: "completed" }],
    ["show my tasks", { kind: "list", status: "all" }],
    ["list", { kind: "list", status: "all" }],
    ["mark 3 done", { kind: "complete", ref: "3" }],
    ["mark task 3 as complete", { kind: "complete", ref: "3" }],
    ["complete #4", { kind: "complete", ref: "4" }],
    ["I finished the milk task", { kind: "complete", ref: "milk" }],
    ["rename 2 to call mom", { kind: "rename", ref: "2", title: "call mom" }],
    ["change task 5 to buy oat milk", { kind: "rename", ref: "5", title: "buy oat milk" }],
    ["delete the milk task", { kind: "delete", ref: "milk" }],
    ["remove task 7", { kind: "delete", ref: "7" }],
    ["help", { kind: "help" }],
    ["what is the weather like", { kind: "unknown" }],
    ["", { kind: "unknown" }],
  ])("%j", (message, intent) => {
    expect(parseIntent(message)).toEqual(intent);
  });
});

describe("resolveRef", () => {
  const tasks = [
    { id: 1, title: "buy milk", completed: true },
    { id: 2, title: "buy oat milk", completed: false },
    { id: 3, title: "call mom", completed: false },
  ];
  it("finds by number, by words, prefers the one still open, and says when it is ambiguous", () => {
    expect(resolveRef("3", tasks)).toEqual({ task: tasks[2] });
    expect(resolveRef("mom", tasks)).toEqual({ task: tasks[2] });
    expect(resolveRef("buy milk", tasks)).toEqual({ task: tasks[0] });
    expect(resolveRef("milk", tasks)).toEqual({ task: tasks[1] });
    expect(resolveRef("9", tasks)).toEqual({ error: expect.stringContaining("couldn't find task 9") });
    expect(resolveRef("buy", [tasks[1]!, { id: 4, title: "buy eggs", completed: false }])).toEqual({ error: expect.stringMatching(/More than one.*2 \(buy oat milk\).*4 \(buy eggs\)/) });
  });
});

describe("LocalAgent turns", () => {
  let tdb: TestDb;
  const agent = new LocalAgent();
  beforeAll(async () => {
    tdb = await openTestDb("pglite");
  });
  afterAll(async () => tdb?.close());
  const say = (msg: string) => agent.respond({ db: tdb.db, userId: "agent-user" }, msg);

  it("drives all five tools from plain English and answers in sentences", async () => {
    const added = await say("add buy milk");
    expect(added.response).toMatch(/^I added "buy milk" to your tasks \(number \d+\)\.$/);
    const id = (added.toolCalls[0]!.result as { task_id: number }).task_id;
    await say("add call grandma");

    const pending = await say("what's pending?");
    expect(pending.toolCalls.map((c) => c.name)).toEqual(["list_tasks"]);
    expect(pending.response).toMatch(/You have 2 pending tasks:\n.*call grandma\n.*buy milk/);

    expect((await say(`mark ${id} done`)).response).toBe('Done! I marked "buy milk" as completed.');
    expect((await say("show completed")).response).toMatch(/1 completed task:\n\d+\. buy milk/);
    const renamed = await say("rename the grandma task to call mom");
    expect(renamed.toolCalls.map((c) => c.name)).toEqual(["update_task"]);
    expect(renamed.response).toBe('I renamed "call grandma" to "call mom".');
    expect((await say("delete the milk task")).response).toBe('I deleted "buy milk".');
    expect((await say("show my tasks")).response).toMatch(/You have 1 task:\n\d+\. call mom$/);
  });

  it("explains with examples when it does not understand, and calls no tool", async () => {
    const r = await say("sing me a song");
    expect(r.toolCalls).toEqual([]);
    expect(r.response).toMatch(/didn't understand/);
    expect(r.response).toContain('"add buy milk"');
  });

  it("lists the newest page and still finds an older task by number or by words", async () => {
    const many = (msg: string) => agent.respond({ db: tdb.db, userId: "agent-many" }, msg);
    const first = await many("add the very first chore");
    const firstId = (first.toolCalls[0]!.result as { task_id: number }).task_id;
    for (let i = 0; i < 254; i++) await many(`add chore ${i}`);
    const list = await many("show my tasks");
    expect(list.response).toMatch(/^Here are your 50 newest tasks \(there are more on the Tasks page\):\n\d+\. chore 253\n/);
    expect(list.response.split("\n")).toHaveLength(51);
    expect((await many(`mark ${firstId} done`)).response).toBe('Done! I marked "the very first chore" as completed.');
    expect((await many("delete the very first chore")).response).toBe('I deleted "the very first chore".');
  });

  it("says politely when a task does not exist", async () => {
    const r = await say("mark 987654 done");
    expect(r.toolCalls).toEqual([]);
    expect(r.response).toMatch(/couldn't find task 987654/);
  });
});
