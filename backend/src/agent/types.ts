import type { ToolContext } from "../tasks/tools.js";

export interface ToolCallRecord {
  name: string;
  arguments: Record<string, unknown>;
  result: unknown;
}

export interface HistoryMessage {
  role: "user" | "assistant" | "tool";
  content: string;
}

export interface AgentTurn {
  response: string;
  toolCalls: ToolCallRecord[];
}

/** An agent answers one user message, acting only through the task tools. */
export interface Agent {
  respond(ctx: ToolContext, message: string, history: HistoryMessage[]): Promise<AgentTurn>;
}
