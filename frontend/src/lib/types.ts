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

/** What a server action hands back to the form that called it. */
export type ActionResult = { ok: true; message?: string } | { ok: false; error: string };

export const TASK_STATUSES: readonly TaskStatus[] = ["all", "pending", "completed"];

export function parseStatus(value: unknown): TaskStatus {
  return TASK_STATUSES.includes(value as TaskStatus) ? (value as TaskStatus) : "all";
}

export type ChatActionResult = { ok: true; reply: ChatReply } | { ok: false; error: string };
