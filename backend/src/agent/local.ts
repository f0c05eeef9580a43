// The deterministic agent used when no LLM is configured: plain English
// commands mapped onto the same five tools, answered in sentences.
import { ToolError, runTool, type ToolContext, type ToolName } from "../tasks/tools.js";
import { LIST_LIMIT_MAX } from "../tasks/validation.js";
import type { Agent, AgentTurn, ToolCallRecord } from "./types.js";

type Listed = { id: number; title: string; completed: boolean };
type ListPage = { tasks: Listed[]; next_cursor: string | null };

/** How many pages of LIST_LIMIT_MAX tasks a reference by words is matched against. */
const FIND_PAGES = 25;

export const HELP = [
  "I can manage your tasks. Try, for example:",
  '• "add buy milk"',
  '• "what\'s pending?" or "show completed tasks"',
  '• "mark 3 done" or "complete the milk task"',
  '• "rename 2 to call mom"',
  '• "delete the milk task" or "delete 4"',
].join("\n");

type Intent =
  | { kind: "add"; title: string }
  | { kind: "list"; status: "all" | "pending" | "completed" }
  | { kind: "complete"; ref: string }
  | { kind: "rename"; ref: string; title: string }
  | { kind: "delete"; ref: string }
  | { kind: "help" }
  | { kind: "unknown" };

const clean = (s: string) => s.trim().replace(/^["'“‘]+|["'”’.!?]+$/g, "").trim();
const TASK_WORDS = /^(?:the\s+|my\s+)?(?:task\s+(?:number\s+)?|#)?/i;
const stripRef = (s: string) => clean(s).replace(TASK_WORDS, "").replace(/\s+(?:task|item|one)$/i, "").trim();

/** Pure: what the message asks for. */
export function parseIntent(message: string): Intent {
  const m = message.trim().replace(/\s+/g, " ").replace(/^(?:please|hey|hi|ok|okay)[,!]?\s+/i, "").replace(/[,]?\s*please[.!]?$/i, "");
  let r: RegExpMatchArray | null;
  if (/^(?:help|\?|what can you do\??|how does this work\??)$/i.test(m)) return { kind: "help" };
  if ((r = m.match(/^(?:rename|change|update|edit)\s+(.+?)\s+(?:to|into|as)\s+(.+)$/i))) {
    return { kind: "rename", ref: stripRef(r[1]!), title: clean(r[2]!) };
  }
  if ((r = m.match(/^(?:add|create|new task:?|remember to|remind me to|i need to|todo:?)\s+(?:a\s+)?(?:new\s+)?(?:task\b\s*:?\s*)?(?:to\s+|called\s+|named\s+|:\s*)?(.+?)(?:\s+to\s+(?:my|the)\s+(?:list|tasks?))?$/i))) {
    const title = clean(r[1]!);
    if (title) return { kind: "add", title };
  }
  if ((r = m.match(/^(?:mark|set)\s+(.+?)\s+(?:as\s+)?(?:done|complete|completed|finished)$/i))) return { kind: "complete", ref: stripRef(r[1]!) };
  if ((r = m.match(/^(?:complete|finish|done with|check off|tick off|i (?:have )?(?:finished|completed|did))\s+(.+)$/i))) return { kind: "complete", ref: stripRef(r[1]!) };
  if ((r = m.match(/^(?:delete|remove|drop|get rid of|cancel)\s+(.+)$/i))) return { kind: "delete", ref: stripRef(r[1]!) };
  const lower = m.toLowerCase();
  if (/\b(pending|open|left|remaining|to ?do|not done|unfinished|incomplete)\b/.test(lower) && /\b(what|show|list|which|any|anything|tasks?|got|have)\b/.test(lower)) {
    return { kind: "list", status: "pending" };
  }
  if (/\b(completed|done|finished)\b/.test(lower) && /\b(what|show|list|which|tasks?|have i)\b/.test(lower)) {
    return { kind: "list", status: "completed" };
  }
  if (/^(?:show|list|see|view|display|what are|what's|whats)\b.*\b(?:tasks?|list|todos?|everything)\b/i.test(m) || /^(?:my tasks|tasks|list)$/i.test(m)) {
    return { kind: "list", status: "all" };
  }
  return { kind: "unknown" };
}

/** Pure: which listed task a reference ("3", "milk", "buy milk") means. */
export function resolveRef(ref: string, tasks: Listed[]): { task: Listed } | { error: string } {
  const byNumber = ref.match(/^#?(\d+)$/);
  if (byNumber) {
    const id = Number(byNumber[1]);
    const task = tasks.find((t) => t.id === id);
    return task ? { task } : { error: `I couldn't find task ${id}. Say "show my tasks" to see their numbers.` };
  }
  const words = ref.toLowerCase().split(/\s+/).filter((w) => w.length > 1);
  if (words.length === 0) return { error: "Which task do you mean? Give its number or a word from its title." };
  const exact = tasks.filter((t) => t.title.toLowerCase() === ref.toLowerCase());
  const matches = exact.length ? exact : tasks.filter((t) => words.every((w) => t.title.toLowerCase().includes(w)));
  if (matches.length === 1) return { task: matches[0]! };
  if (matches.length === 0) return { error: `I couldn't find a task matching "${ref}". Say "show my tasks" to see them.` };
  const open = matches.filter((t) => !t.completed);
  if (open.length === 1) return { task: open[0]! };
  return { error: `More than one task matches "${ref}": ${matches.map((t) => `${t.id} (${t.title})`).join(", ")}. Which number do you mean?` };
}

function describeList(tasks: Listed[], status: string, more = false): string {
  const label = status === "all" ? "" : `${status} `;
  if (tasks.length === 0) return status === "all" ? "You have no tasks yet. Try \"add buy milk\"." : `You have no ${label}tasks.`;
  const lines = tasks.map((t) => `${t.id}. ${t.title}${status === "all" && t.completed ? " (done)" : ""}`);
  if (more) return `Here are your ${tasks.length} newest ${label}tasks (there are more on the Tasks page):\n${lines.join("\n")}`;
  return `You have ${tasks.length} ${label}task${tasks.length === 1 ? "" : "s"}:\n${lines.join("\n")}`;
}

export class LocalAgent implements Agent {
  async respond(ctx: ToolContext, message: string): Promise<AgentTurn> {
    const intent = parseIntent(message);
    const calls: ToolCallRecord[] = [];
    const call = async (name: ToolName, args: Record<string, unknown>) => {
      const result = await runTool(ctx, name, args);
      calls.push({ name, arguments: args, result });
      return result;
    };
    // A reference resolves against the user's tasks, read a page at a time
    // (up to FIND_PAGES pages); a number needs no more pages once it is found.
    const findTask = async (ref: string) => {
      const tasks: Listed[] = [];
      const wanted = ref.match(/^#?(\d+)$/)?.[1];
      let cursor: string | null = null;
      for (let page = 0; page < FIND_PAGES; page++) {
        const r = (await runTool(ctx, "list_tasks", { limit: LIST_LIMIT_MAX, ...(cursor ? { cursor } : {}) })) as ListPage;
        tasks.push(...r.tasks);
        cursor = r.next_cursor;
        if (!cursor || (wanted && r.tasks.some((t) => t.id === Number(wanted)))) break;
      }
      return resolveRef(ref, tasks);
    };

    try {
      switch (intent.kind) {
        case "add": {
          const r = (await call("add_task", { title: intent.title })) as { task_id: number; title: string };
          return { response: `I added "${r.title}" to your tasks (number ${r.task_id}).`, toolCalls: calls };
        }
        case "list": {
          const page = (await call("list_tasks", { status: intent.status })) as ListPage;
          return { response: describeList(page.tasks, intent.status, page.next_cursor !== null), toolCalls: calls };
        }
        case "complete": {
          const found = await findTask(intent.ref);
          if ("error" in found) return { response: found.error, toolCalls: calls };
          const r = (await call("complete_task", { task_id: found.task.id })) as { title: string };
          return { response: `Done! I marked "${r.title}" as completed.`, toolCalls: calls };
        }
        case "rename": {
          const found = await findTask(intent.ref);
          if ("error" in found) return { response: found.error, toolCalls: calls };
          const r = (await call("update_task", { task_id: found.task.id, title: intent.title })) as { title: string; previous_title: string };
          return { response: `I renamed "${r.previous_title}" to "${r.title}".`, toolCalls: calls };
        }
        case "delete": {
          const found = await findTask(intent.ref);
          if ("error" in found) return { response: found.error, toolCalls: calls };
          const r = (await call("delete_task", { task_id: found.task.id })) as { title: string };
          return { response: `I deleted "${r.title}".`, toolCalls: calls };
        }
        case "help":
          return { response: HELP, toolCalls: calls };
        default:
          return { response: `Sorry, I didn't understand that. ${HELP}`, toolCalls: calls };
      }
    } catch (err) {
      if (err instanceof ToolError) return { response: `I couldn't do that: ${err.message}`, toolCalls: calls };
      throw err;
    }
  }
}
