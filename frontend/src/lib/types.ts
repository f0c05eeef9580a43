// Shapes of the backend's API (backend/README.md), as the UI consumes them.

export type TaskStatus = "all" | "pending" | "completed";

export interface Task {
  id: number;
  user_id: string;
  title: string;
  description: string | null;
  completed: boolean;
  created_at: string;
  updated_at: string;
}

export interface ToolCall {
  name: string;
  arguments: Record<string, unknown>;
  result: unknown;
}

export interface ChatReply {
  conversation_id: number | string;
  response: string;
  tool_calls: ToolCall[];
}

export interface Conversation {
  id: number | string;
  title: string | null;
  created_at: string;
  updated_at: string;
}

export interface ChatMessage {
  id: number | string;
  role: "user" | "assistant" | string;
  content: string;
  tool_calls: ToolCall[] | null;
  created_at: string;
}

/**
 * What a server action hands back to the form that called it. On failure it
 * echoes the submitted text fields, so the form (which React resets after
 * every action) can show them again instead of losing what the person typed.
 */
export type ActionResult = { ok: true; message?: string } | { ok: false; error: string; fields?: Record<string, string> };

/** The value a failed action echoed for `name`, if any. */
export function echoed(state: ActionResult | null, name: string): string | undefined {
  return state && !state.ok ? state.fields?.[name] : undefined;
}

export const TASK_STATUSES: readonly TaskStatus[] = ["all", "pending", "completed"];

export function parseStatus(value: unknown): TaskStatus {
  return TASK_STATUSES.includes(value as TaskStatus) ? (value as TaskStatus) : "all";
}

export type ChatActionResult = { ok: true; reply: ChatReply } | { ok: false; error: string };
