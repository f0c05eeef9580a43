// DATABASE_URL set: a real PostgreSQL through pg's pool. Unset: PGlite (the
// embedded default) in a data directory that survives restarts, behind a
// pool-shaped adapter so Kysely's PostgreSQL dialect drives both the same way.
import { mkdirSync } from "node:fs";
import { Kysely, PostgresDialect, type PostgresPool, type PostgresPoolClient } from "kysely";
import pg from "pg";
import type { Database } from "./schema.js";

export interface Db {
  kysely: Kysely<Database>;
  kind: "postgres" | "pglite";
  /** Cheap round trip used by /ready; throws when the database does not answer. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

// int8 (bigint, count(*)) as number: our ids and counts stay far below 2^53.
pg.types.setTypeParser(20, (v) => Number.parseInt(v, 10));

export async function openDatabase(options: { databaseUrl?: string; dataDir: string }): Promise<Db> {
  return options.databaseUrl ? openPostgres(options.databaseUrl) : openPglite(options.dataDir);
}

function openPostgres(url: string): Db {
  const pool = new pg.Pool({
    connectionString: url,
    max: 10,
    connectionTimeoutMillis: 3_000,
    idleTimeoutMillis: 30_000,
  });
  // A dropped connection must not crash the process; /ready reports the outage.
  pool.on("error", () => undefined);
  const kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return {
    kysely,
    kind: "postgres",
    async ping() {
      const client = await pool.connect();
      try {
        await client.query("SELECT 1");
      } finally {
        client.release();
      }
    },
    close: () => kysely.destroy(),
  };
}

async function openPglite(dataDir: string): Promise<Db> {
  mkdirSync(dataDir, { recursive: true });
  // Loaded only here: a deployment with DATABASE_URL never pays for the WASM build.
  let PGlite: typeof import("@electric-sql/pglite").PGlite;
  try {
    ({ PGlite } = await import("@electric-sql/pglite"));
  } catch {
    // The container image leaves PGlite out: there a database URL is required.
    throw new Error("DATABASE_URL is not set and the embedded database (PGlite) is not installed in this build; set DATABASE_URL=postgres://…");
  }
  const lite = await PGlite.create({ dataDir });
  const pool = new PgliteSingleConnectionPool(lite);
  const kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return {
    kysely,
    kind: "pglite",
    async ping() {
      await lite.query("SELECT 1");
    },
    close: () => kysely.destroy(),
  };
}

type Lite = { query<R>(sql: string, params?: unknown[]): Promise<{ rows: R[]; affectedRows?: number }>; close(): Promise<void> };

/**
 * PGlite is one connection. Kysely runs a transaction on the client it got
 * from connect(), so connect() hands the connection out to one borrower at a
 * time: concurrent requests queue instead of interleaving inside a transaction.
 */
class PgliteSingleConnectionPool implements PostgresPool {
  private queue: Promise<void> = Promise.resolve();
  constructor(private readonly lite: Lite) {}

  async connect(): Promise<PostgresPoolClient> {
    let release!: () => void;
    const turn = new Promise<void>((resolve) => (release = resolve));
    const previous = this.queue;
    this.queue = previous.then(() => turn);
    await previous;
    const lite = this.lite;
    const client = {
      async query(sqlText: string, parameters: ReadonlyArray<unknown>) {
        const result = await lite.query<Record<string, unknown>>(sqlText, [...parameters]);
        const command = sqlText.trimStart().slice(0, 6).toUpperCase();
        return { command, rowCount: result.affectedRows ?? result.rows.length, rows: result.rows };
      },
      release: () => release(),
    };
    return client as unknown as PostgresPoolClient;
  }

  async end(): Promise<void> {
    await this.lite.close();
  }
}
