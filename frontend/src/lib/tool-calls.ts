import type { ToolCall } from "./types";

// Turns the agent's tool calls into sentences saying what changed, so the
// person can see what the assistant did to their tasks. Pure.

export interface ToolCallSummary {
  /** One sentence, e.g. "Added task #4 “buy milk”". */
  text: string;
  /** True when the call changed tasks (the list needs refreshing). */
  changed: boolean;
  failed: boolean;
}

type Obj = Record<string, unknown>;

const isObj = (value: unknown): value is Obj => typeof value === "object" && value !== null && !Array.isArray(value);

function taskOf(call: ToolCall): Obj {
  const result = call.result;
  if (isObj(result)) {
    if (isObj(result.task)) return { ...result, ...result.task };
    return result;
  }
  return {};
}

function label(call: ToolCall): string {
  const task = taskOf(call);
  const id = task.task_id ?? task.id ?? call.arguments.task_id ?? call.arguments.id;
  const title = task.title ?? call.arguments.title;
  const idPart = typeof id === "number" || typeof id === "string" ? `#${id}` : "";
  const titlePart = typeof title === "string" && title ? `“${title}”` : "";
  return [idPart, titlePart].filter(Boolean).join(" ") || "a task";
}

function failure(call: ToolCall): string | null {
  const result = call.result;
  if (!isObj(result)) return null;
  const error = result.error;
  if (typeof error === "string") return error;
  if (isObj(error) && typeof error.message === "string") return error.message;
  return null;
}

export function summarizeToolCall(call: ToolCall): ToolCallSummary {
  const error = failure(call);
  if (error) return { text: `${call.name} failed: ${error}`, changed: false, failed: true };
  switch (call.name) {
    case "add_task":
      return { text: `Added task ${label(call)}`, changed: true, failed: false };
    case "complete_task": {
      const task = taskOf(call);
      const pending = task.completed === false || task.status === "pending";
      return { text: `Marked task ${label(call)} as ${pending ? "pending" : "completed"}`, changed: true, failed: false };
    }
    case "update_task": {
      const task = taskOf(call);
      const renamed = typeof task.previous_title === "string" && typeof task.title === "string" && task.previous_title !== task.title;
      const text = renamed ? `Renamed task #${String(task.task_id ?? task.id ?? call.arguments.task_id)} “${task.previous_title as string}” to “${task.title as string}”` : `Updated task ${label(call)}`;
      return { text, changed: true, failed: false };
    }
    case "delete_task":
      return { text: `Deleted task ${label(call)}`, changed: true, failed: false };
    case "list_tasks": {
      const result = call.result;
      const list = Array.isArray(result) ? result : isObj(result) && Array.isArray(result.tasks) ? result.tasks : null;
      const status = typeof call.arguments.status === "string" && call.arguments.status !== "all" ? `${call.arguments.status} ` : "";
      const text = list ? `Listed ${list.length} ${status}task${list.length === 1 ? "" : "s"}` : `Listed ${status}tasks`;
      return { text, changed: false, failed: false };
    }
    default:
      return { text: `Called ${call.name}`, changed: false, failed: false };
  }
}
