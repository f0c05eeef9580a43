// The five task tools over MCP (streamable HTTP, stateless: a fresh server per
// request, bound to the user of that request's verified token).
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { ErrorCode, McpError } from "@modelcontextprotocol/sdk/types.js";
import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import type { Logger } from "pino";
import { type Db, isDatabaseUnavailable } from "./db/database.js";
import type { Metrics } from "./metrics.js";
import { TOOL_NAMES, ToolError, runTool, toolDescriptions, toolInputs } from "./tasks/tools.js";

export async function handleMcpRequest(request: Request, db: Db, userId: string, metrics: Metrics, log?: Logger): Promise<Response> {
  const server = new McpServer({ name: "todo-tasks", version: "1.0.0" });
  for (const name of TOOL_NAMES) {
    server.registerTool(name, { description: toolDescriptions[name], inputSchema: toolInputs[name] }, async (args: unknown) => {
      metrics.toolCalls.inc({ tool: name, via: "mcp" });
      try {
        const result = await runTool({ db, userId }, name, args);
        return { content: [{ type: "text" as const, text: JSON.stringify(result) }] };
      } catch (err) {
        if (err instanceof ToolError) return { content: [{ type: "text" as const, text: err.message }], isError: true };
        // Anything else is ours, not the caller's: its text (a database error
        // names tables, columns and values) stays in the log, never in the answer.
        log?.error({ err, tool: name }, "MCP tool failed");
        const text = isDatabaseUnavailable(err)
          ? `The task database is unavailable right now (${name} may not have been applied); try again in a few seconds.`
          : `${name} failed because of an error on the server; it has been logged.`;
        return { content: [{ type: "text" as const, text }], isError: true };
      }
    });
  }
  paramsErrorsAreInvalidParams(server);
  const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
  await server.connect(transport);
  try {
    return await transport.handleRequest(request);
  } finally {
    void server.close();
  }
}

type RequestHandler = (request: unknown, extra: unknown) => Promise<unknown>;

/**
 * The SDK parses each request's params inside its handler and answers a
 * mismatch (tools/call without a name, arguments that are not an object,
 * initialize without params) as -32603 Internal error. That is the caller's
 * fault: answer it as -32602 Invalid params, naming what is wrong. The SDK
 * keeps its handlers in a private map; if that ever changes this does nothing
 * and the fuzz test (test/fuzz.test.ts) reports the internal errors again.
 */
function paramsErrorsAreInvalidParams(server: McpServer) {
  const found = (server.server as unknown as { _requestHandlers?: unknown })._requestHandlers;
  if (!(found instanceof Map)) return;
  const handlers = found as Map<string, RequestHandler>;
  for (const [method, handler] of handlers) {
    handlers.set(method, async (request, extra) => {
      try {
        return await handler(request, extra);
      } catch (err) {
        const issues = (err as { name?: string; issues?: Array<{ path?: PropertyKey[]; message?: string }> })?.issues;
        if (!/^\$?ZodError$/.test((err as Error)?.name ?? "") || !Array.isArray(issues)) throw err;
        const what = issues.map((i) => `${i.path?.length ? i.path.map(String).join(".") : "params"}: ${i.message}`).join("; ");
        throw new McpError(ErrorCode.InvalidParams, `Invalid params for ${method}: ${what}`);
      }
    });
  }
}
