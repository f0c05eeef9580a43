// The five tools through a real MCP client over streamable HTTP.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
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
    expect(json(await c.callTool({ name: "list_tasks", arguments: { status: "pending" } }))).toEqual([
      { id, title: "water plants", description: null, completed: false },
    ]);
    expect(json(await c.callTool({ name: "update_task", arguments: { task_id: id, title: "water all plants" } }))).toMatchObject({ status: "updated", title: "water all plants" });
    expect(json(await c.callTool({ name: "complete_task", arguments: { task_id: id } }))).toMatchObject({ status: "completed" });
    expect(json(await c.callTool({ name: "list_tasks", arguments: { status: "completed" } }))).toHaveLength(1);
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
    expect(json(await c.callTool({ name: "list_tasks", arguments: {} }))).toEqual([]);
    await c.close();
  });

  it("scopes every tool to the token's user", async () => {
    const alice = await client(app.url, "mcp-dave");
    const task = (await alice("POST", "/tasks", { title: "dave only" })).body;
    const eve = await connect(app.url, await token("mcp-eve"));
    expect(json(await eve.callTool({ name: "list_tasks", arguments: {} }))).toEqual([]);
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

  it("refuses a connection without a valid token", async () => {
    await expect(connect(app.url)).rejects.toThrow(/401|unauthorized|bearer/i);
    await expect(connect(app.url, "not-a-jwt")).rejects.toThrow(/401|invalid/i);
  });
});
