// Table types for Kysely. Better Auth owns user/session/account/verification/jwks
// in the same database, so these names stay clear of them.
import type { ColumnType, Generated, Insertable, Selectable } from "kysely";

// Selected as Date; optional on insert (the column defaults to now()).
type Timestamp = ColumnType<Date, string | undefined, string>;

export interface TasksTable {
  id: Generated<number>;
  user_id: string;
  title: string;
  description: string | null;
  completed: Generated<boolean>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface ConversationsTable {
  id: Generated<number>;
  user_id: string;
  title: string;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface MessagesTable {
  id: Generated<number>;
  conversation_id: number;
  user_id: string;
  role: "user" | "assistant" | "tool";
  content: string;
  // JSON text: the tool calls of an assistant turn, with their results.
  tool_calls: ColumnType<unknown, string | null, string | null> | null;
  created_at: Timestamp;
}

export interface Database {
  tasks: TasksTable;
  conversations: ConversationsTable;
  messages: MessagesTable;
}

export type TaskRow = Selectable<TasksTable>;
export type NewTask = Insertable<TasksTable>;
export type MessageRow = Selectable<MessagesTable>;
export type ConversationRow = Selectable<ConversationsTable>;
