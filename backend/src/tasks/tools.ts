// The five task tools. One implementation serves the MCP server, the local
// agent and the LLM agent; the user comes from the verified token, never from
// an argument a caller could forge.
import { z } from "zod";
import type { Db } from "../db/database.js";
import { InvalidCursor, createTask, deleteTask, getTask, listTasks, setCompleted, toTaskJson, updateTask } from "./repository.js";
import { LIST_LIMIT_DEFAULT, LIST_LIMIT_MAX, description, statusFilter, taskId, text, title } from "./validation.js";

export interface ToolContext {
  db: Db;
  userId: string;
  /**
   * When set, the tools run on the database this returns instead of `db`: a
   * chat turn's transaction, begun on the first tool call, so the tools'
   * effects commit together with the stored turn or not at all.
   */
  transaction?: () => Promise<Db>;
}

export class ToolError extends Error {}

const notFound = (id: number) => new ToolError(`Task ${id} was not found.`);

export const toolInputs = {
  add_task: z.strictObject({ title, description: description.optional() }),
  list_tasks: z.strictObject({
    status: statusFilter.optional(),
    limit: z.number().int().min(1).max(LIST_LIMIT_MAX).optional(),
    cursor: text().max(200).optional(),
  }),
  complete_task: z.strictObject({ task_id: taskId }),
  update_task: z
    .strictObject({ task_id: taskId, title: title.optional(), description: description.optional() })
    .refine((a) => a.title !== undefined || a.description !== undefined, "give a new title or description"),
  delete_task: z.strictObject({ task_id: taskId }),
} as const;

export type ToolName = keyof typeof toolInputs;
export const TOOL_NAMES = Object.keys(toolInputs) as ToolName[];

export const toolDescriptions: Record<ToolName, string> = {
  add_task: "Create a new task for the user.",
  list_tasks: `List the user's tasks, newest first, optionally only pending or completed ones. Returns {tasks, next_cursor}: at most \`limit\` tasks (default ${LIST_LIMIT_DEFAULT}, maximum ${LIST_LIMIT_MAX}); when next_cursor is not null, pass it as \`cursor\` to get the next page.`,
  complete_task: "Mark one of the user's tasks as completed.",
  update_task: "Change the title or description of one of the user's tasks.",
  delete_task: "Delete one of the user's tasks.",
};

const implementations: { [K in ToolName]: (ctx: ToolContext, args: z.infer<(typeof toolInputs)[K]>) => Promise<unknown> } = {
  async add_task({ db, userId }, args) {
    const task = await createTask(db, userId, args.title, args.description);
    return { task_id: task.id, status: "created", title: task.title };
  },
  async list_tasks({ db, userId }, args) {
    let page;
    try {
      page = await listTasks(db, userId, { status: args.status ?? "all", limit: args.limit ?? LIST_LIMIT_DEFAULT, cursor: args.cursor });
    } catch (err) {
      if (err instanceof InvalidCursor) throw new ToolError(`Invalid arguments for list_tasks: ${err.message}`);
      throw err;
    }
    return {
      tasks: page.tasks.map((r) => ({ id: r.id, title: r.title, description: r.description, completed: r.completed })),
      next_cursor: page.nextCursor ?? null,
    };
  },
  async complete_task({ db, userId }, args) {
    const task = await setCompleted(db, userId, args.task_id, true);
    if (!task) throw notFound(args.task_id);
    return { task_id: task.id, status: "completed", title: task.title };
  },
  async update_task({ db, userId }, args) {
    const existing = await getTask(db, userId, args.task_id);
    if (!existing) throw notFound(args.task_id);
    const task = await updateTask(db, userId, args.task_id, {
      ...(args.title !== undefined ? { title: args.title } : {}),
      ...(args.description !== undefined ? { description: args.description } : {}),
    });
    if (!task) throw notFound(args.task_id);
    return { task_id: task.id, status: "updated", title: task.title, previous_title: existing.title };
  },
  async delete_task({ db, userId }, args) {
    const task = await deleteTask(db, userId, args.task_id);
    if (!task) throw notFound(args.task_id);
    return { task_id: task.id, status: "deleted", title: task.title };
  },
};

export function isToolName(name: string): name is ToolName {
  return name in toolInputs;
}

/** Validates the arguments and runs the tool; bad arguments and missing tasks become ToolError. */
export async function runTool(ctx: ToolContext, name: string, rawArgs: unknown): Promise<unknown> {
  if (!isToolName(name)) throw new ToolError(`Unknown tool "${name}"; the tools are ${TOOL_NAMES.join(", ")}.`);
  const parsed = toolInputs[name].safeParse(rawArgs ?? {});
  if (!parsed.success) {
    throw new ToolError(`Invalid arguments for ${name}: ${parsed.error.issues.map((i) => `${i.path.join(".") || "arguments"}: ${i.message}`).join("; ")}`);
  }
  const db = ctx.transaction ? await ctx.transaction() : ctx.db;
  return (implementations[name] as (c: ToolContext, a: unknown) => Promise<unknown>)({ db, userId: ctx.userId }, parsed.data);
}

export { toTaskJson };
