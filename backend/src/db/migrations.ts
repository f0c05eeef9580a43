// Versioned migrations, applied at start-up. Kysely's Migrator takes a lock
// (its lock table, row-locked in a transaction) so replicas starting together
// apply each migration exactly once. Never edit a shipped migration: add one.
import { type Kysely, type Migration, type MigrationProvider, Migrator, sql } from "kysely";

export const migrations: Record<string, Migration> = {
  "0001_tasks_conversations_messages": {
    async up(db) {
      await sql`
        CREATE TABLE tasks (
          id          serial PRIMARY KEY,
          user_id     text NOT NULL,
          title       varchar(200) NOT NULL,
          description varchar(2000),
          completed   boolean NOT NULL DEFAULT false,
          created_at  timestamptz NOT NULL DEFAULT now(),
          updated_at  timestamptz NOT NULL DEFAULT now()
        )`.execute(db);
      await sql`CREATE INDEX tasks_user_id_idx ON tasks (user_id, completed)`.execute(db);
      await sql`
        CREATE TABLE conversations (
          id         serial PRIMARY KEY,
          user_id    text NOT NULL,
          title      varchar(200) NOT NULL,
          created_at timestamptz NOT NULL DEFAULT now(),
          updated_at timestamptz NOT NULL DEFAULT now()
        )`.execute(db);
      await sql`CREATE INDEX conversations_user_id_idx ON conversations (user_id)`.execute(db);
      await sql`
        CREATE TABLE messages (
          id              serial PRIMARY KEY,
          conversation_id integer NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
          user_id         text NOT NULL,
          role            varchar(16) NOT NULL CHECK (role IN ('user', 'assistant', 'tool')),
          content         text NOT NULL,
          tool_calls      text,
          created_at      timestamptz NOT NULL DEFAULT now()
        )`.execute(db);
      await sql`CREATE INDEX messages_conversation_idx ON messages (conversation_id, id)`.execute(db);
    },
    async down(db) {
      await sql`DROP TABLE messages`.execute(db);
      await sql`DROP TABLE conversations`.execute(db);
      await sql`DROP TABLE tasks`.execute(db);
    },
  },
  // The task list is read newest first, a page at a time (keyset on created_at, id),
  // with or without a completion filter: one index for each, read backwards.
  "0002_tasks_list_indexes": {
    async up(db) {
      await sql`CREATE INDEX tasks_user_created_idx ON tasks (user_id, created_at, id)`.execute(db);
      await sql`CREATE INDEX tasks_user_completed_created_idx ON tasks (user_id, completed, created_at, id)`.execute(db);
      await sql`DROP INDEX tasks_user_id_idx`.execute(db);
    },
    async down(db) {
      await sql`CREATE INDEX tasks_user_id_idx ON tasks (user_id, completed)`.execute(db);
      await sql`DROP INDEX tasks_user_completed_created_idx`.execute(db);
      await sql`DROP INDEX tasks_user_created_idx`.execute(db);
    },
  },
};

class InCodeProvider implements MigrationProvider {
  async getMigrations() {
    return migrations;
  }
}

// Own table names, so Better Auth or another tool's migrations never collide.
const TABLE = "backend_migration";

export async function migrateToLatest(db: Kysely<any>): Promise<string[]> {
  const migrator = new Migrator({
    db,
    provider: new InCodeProvider(),
    migrationTableName: TABLE,
    migrationLockTableName: `${TABLE}_lock`,
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === "Success").map((r) => r.migrationName);
}

/** True when every migration this build knows is applied. */
export async function isMigrated(db: Kysely<any>): Promise<boolean> {
  const latest = Object.keys(migrations).sort().at(-1);
  const rows = await sql<{ name: string }>`SELECT name FROM ${sql.table(TABLE)} WHERE name = ${latest}`.execute(db);
  return rows.rows.length === 1;
}
