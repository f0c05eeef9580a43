// An agent backed by any OpenAI-compatible chat-completions endpoint: a
// tool-calling loop over the same five tools, bounded in steps and time.
// Provider failures become a polite reply; the chat endpoint never 500s on them.
import { z } from "zod";
import { ToolError, runTool, toolDescriptions, toolInputs, type ToolContext, type ToolName } from "../tasks/tools.js";
import type { Agent, AgentTurn, HistoryMessage, ToolCallRecord } from "./types.js";

export const MAX_STEPS = 6;

const SYSTEM_PROMPT =
  "You are a helpful assistant that manages the user's todo list. Use the tools to add, list, complete, update and delete tasks. " +
  "Refer to tasks by their number. Answer briefly, in plain sentences.";

const toolSpecs = (Object.keys(toolInputs) as ToolName[]).map((name) => ({
  type: "function" as const,
  function: { name, description: toolDescriptions[name], parameters: z.toJSONSchema(toolInputs[name], { io: "input" }) },
}));

type WireMessage =
  | { role: "system" | "user"; content: string }
  | { role: "assistant"; content: string | null; tool_calls?: WireToolCall[] }
  | { role: "tool"; tool_call_id: string; content: string };
type WireToolCall = { id: string; type: "function"; function: { name: string; arguments: string } };

const completionSchema = z.object({
  choices: z
    .array(
      z.object({
        message: z.object({
          content: z.string().nullable().optional(),
          tool_calls: z
            .array(z.object({ id: z.string(), type: z.literal("function").optional(), function: z.object({ name: z.string(), arguments: z.string() }) }))
            .optional(),
        }),
      }),
    )
    .min(1),
});

export interface OpenAiAgentOptions {
  baseUrl: string;
  apiKey: string;
  model: string;
  timeoutMs: number;
  log?: (msg: string, err?: unknown) => void;
}

export class OpenAiCompatibleAgent implements Agent {
  constructor(private readonly options: OpenAiAgentOptions) {}

  async respond(ctx: ToolContext, message: string, history: HistoryMessage[]): Promise<AgentTurn> {
    const calls: ToolCallRecord[] = [];
    const messages: WireMessage[] = [
      { role: "system", content: SYSTEM_PROMPT },
      ...history.filter((h) => h.role !== "tool").map((h) => ({ role: h.role as "user" | "assistant", content: h.content })),
      { role: "user", content: message },
    ];
    const deadline = AbortSignal.timeout(this.options.timeoutMs);
    try {
      for (let step = 0; step < MAX_STEPS; step++) {
        const reply = await this.complete(messages, deadline);
        const toolCalls = reply.tool_calls ?? [];
        if (toolCalls.length === 0) return { response: reply.content?.trim() || "Done.", toolCalls: calls };
        messages.push({ role: "assistant", content: reply.content ?? null, tool_calls: toolCalls.map((t) => ({ ...t, type: "function" as const })) });
        for (const tc of toolCalls) {
          let args: Record<string, unknown> = {};
          let result: unknown;
          try {
            args = JSON.parse(tc.function.arguments || "{}") as Record<string, unknown>;
            result = await runTool(ctx, tc.function.name, args);
          } catch (err) {
            if (!(err instanceof ToolError) && !(err instanceof SyntaxError)) throw err;
            result = { error: err.message };
          }
          calls.push({ name: tc.function.name, arguments: args, result });
          messages.push({ role: "tool", tool_call_id: tc.id, content: JSON.stringify(result) });
        }
      }
      return { response: "I stopped after several steps without finishing; please try a simpler request.", toolCalls: calls };
    } catch (err) {
      this.options.log?.("LLM provider failed", err);
      const what = calls.length ? ` I did complete ${calls.length} step${calls.length === 1 ? "" : "s"} before that.` : "";
      return { response: `Sorry, the assistant is unavailable right now; please try again in a moment.${what}`, toolCalls: calls };
    }
  }

  private async complete(messages: WireMessage[], signal: AbortSignal) {
    const url = `${this.options.baseUrl.replace(/\/+$/, "")}/chat/completions`;
    const res = await fetch(url, {
      method: "POST",
      signal,
      headers: { "content-type": "application/json", authorization: `Bearer ${this.options.apiKey}` },
      body: JSON.stringify({ model: this.options.model, messages, tools: toolSpecs, tool_choice: "auto" }),
    });
    if (!res.ok) throw new Error(`provider answered HTTP ${res.status}`);
    const parsed = completionSchema.safeParse(await res.json());
    if (!parsed.success) throw new Error(`provider sent an unexpected response: ${parsed.error.issues[0]?.message}`);
    return parsed.data.choices[0]!.message;
  }
}
