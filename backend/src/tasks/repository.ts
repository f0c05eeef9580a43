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

export function listTasks(db: Db, userId: string, status: StatusFilter = "all"): Promise<TaskRow[]> {
  let q = db.kysely.selectFrom("tasks").selectAll().where("user_id", "=", userId);
  if (status !== "all") q = q.where("completed", "=", status === "completed");
  return q.orderBy("created_at", "desc").orderBy("id", "desc").execute();
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
