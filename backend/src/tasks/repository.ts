// Every query is scoped by user_id: there is no function here that can reach
// another user's rows.
import { sql } from "kysely";
import type { Db } from "../db/database.js";
import type { TaskRow } from "../db/schema.js";

export type StatusFilter = "all" | "pending" | "completed";

export interface TaskChanges {
  title?: string;
  description?: string | null;
  completed?: boolean;
}

export interface TaskPage {
  tasks: TaskRow[];
  /** Opaque; pass it back as `cursor` for the next page. Absent on the last page. */
  nextCursor?: string;
}

export class InvalidCursor extends Error {}

// A cursor is the (created_at, id) of the last row of a page, newest first.
// created_at travels as PostgreSQL's own text at microsecond precision (a JS
// Date would round it to milliseconds and skip or repeat rows).
const CURSOR_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}$/;

function encodeCursor(createdAt: string, id: number): string {
  return Buffer.from(`1|${createdAt}|${id}`).toString("base64url");
}

/**
 * Whether `YYYY-MM-DDTHH:MM:SS.ffffff` names a moment PostgreSQL's timestamp
 * accepts: year 0001–9999, a real day of its month (Feb 29 in leap years
 * only), hour 0–23, minute and second 0–59. PostgreSQL refuses the others with
 * an error, which must not become a 500.
 */
function isRealTime(text: string): boolean {
  const [y, mo, d, h, mi, s] = text.split(/[-T:.]/).map(Number) as [number, number, number, number, number, number];
  if (y < 1 || mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 59) return false;
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][mo - 1]!;
  return d <= days;
}

function decodeCursor(cursor: string): { createdAt: string; id: number } {
  const parts = /^[\w-]{1,200}$/.test(cursor) ? Buffer.from(cursor, "base64url").toString().split("|") : [];
  const [version, createdAt, id] = parts;
  if (
    parts.length !== 3 ||
    version !== "1" ||
    !CURSOR_TIME.test(createdAt!) ||
    !isRealTime(createdAt!) ||
    !/^\d{1,10}$/.test(id!) ||
    Number(id) > 2_147_483_647
  ) {
    throw new InvalidCursor("cursor is not one this API issued; use the next cursor of the previous page, or leave it out for the first page");
  }
  return { createdAt: createdAt!, id: Number(id) };
}

/** One page of the user's tasks, newest first (keyset pagination: every page costs the same). */
export async function listTasks(
  db: Db,
  userId: string,
  options: { status?: StatusFilter; limit: number; cursor?: string },
): Promise<TaskPage> {
  const after = options.cursor ? decodeCursor(options.cursor) : undefined;
  let q = db.kysely
    .selectFrom("tasks")
    .selectAll()
    .select(sql<string>`to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US')`.as("cursor_time"))
    .where("user_id", "=", userId);
  const status = options.status ?? "all";
  if (status !== "all") q = q.where("completed", "=", status === "completed");
  if (after) q = q.where(sql<boolean>`(created_at, id) < (${after.createdAt}::timestamp AT TIME ZONE 'UTC', ${after.id}::integer)`);
  const rows = await q.orderBy("created_at", "desc").orderBy("id", "desc").limit(options.limit + 1).execute();
  const more = rows.length > options.limit;
  const page = more ? rows.slice(0, options.limit) : rows;
  const last = page.at(-1);
  return {
    tasks: page.map(({ cursor_time: _, ...task }) => task),
    ...(more && last ? { nextCursor: encodeCursor(last.cursor_time, last.id) } : {}),
  };
}

export function getTask(db: Db, userId: string, id: number): Promise<TaskRow | undefined> {
  return db.kysely.selectFrom("tasks").selectAll().where("user_id", "=", userId).where("id", "=", id).executeTakeFirst();
}

export function createTask(db: Db, userId: string, title: string, description?: string | null): Promise<TaskRow> {
  return db.kysely
    .insertInto("tasks")
    .values({ user_id: userId, title, description: description ?? null })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export function updateTask(db: Db, userId: string, id: number, changes: TaskChanges): Promise<TaskRow | undefined> {
  return db.kysely
    .updateTable("tasks")
    .set({ ...changes, updated_at: sql`now()` })
    .where("user_id", "=", userId)
    .where("id", "=", id)
    .returningAll()
    .executeTakeFirst();
}

/** Sets completion, or toggles it when `completed` is undefined (one statement: no lost update). */
export function setCompleted(db: Db, userId: string, id: number, completed?: boolean): Promise<TaskRow | undefined> {
  return db.kysely
    .updateTable("tasks")
    .set({ completed: completed === undefined ? sql<boolean>`NOT completed` : completed, updated_at: sql`now()` })
    .where("user_id", "=", userId)
    .where("id", "=", id)
    .returningAll()
    .executeTakeFirst();
}

export async function deleteTask(db: Db, userId: string, id: number): Promise<TaskRow | undefined> {
  return db.kysely.deleteFrom("tasks").where("user_id", "=", userId).where("id", "=", id).returningAll().executeTakeFirst();
}

export interface TaskJson {
  id: number;
  user_id: string;
  title: string;
  description: string | null;
  completed: boolean;
  created_at: string;
  updated_at: string;
}

export function toTaskJson(row: TaskRow): TaskJson {
  return {
    id: row.id,
    user_id: row.user_id,
    title: row.title,
    description: row.description,
    completed: row.completed,
    created_at: new Date(row.created_at).toISOString(),
    updated_at: new Date(row.updated_at).toISOString(),
  };
}
