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

export interface OpenOptions {
  databaseUrl?: string;
  dataDir: string;
  /** Told about connections the database dropped (they are discarded, never fatal). */
  onConnectionError?: (err: Error) => void;
}

export async function openDatabase(options: OpenOptions): Promise<Db> {
  return options.databaseUrl ? openPostgres(options.databaseUrl, options.onConnectionError) : openPglite(options.dataDir);
}

/** How long /ready waits for the database before it answers 503. */
const PING_TIMEOUT_MS = 2_000;

function openPostgres(url: string, onConnectionError: (err: Error) => void = () => undefined): Db {
  const pool = new pg.Pool({
    connectionString: url,
    max: 10,
    connectionTimeoutMillis: 3_000,
    idleTimeoutMillis: 30_000,
  });
  // A dropped connection must never crash the process. pg emits 'error' on the
  // pool for an idle client, and on the client itself for one that is checked
  // out (in a query or between the statements of a transaction): without a
  // listener there, Node throws "Unhandled 'error' event … Connection
  // terminated unexpectedly". The query in flight still fails (and answers 503);
  // the broken client is discarded when it is released.
  pool.on("error", (err) => onConnectionError(err));
  pool.on("connect", (client) => client.on("error", (err) => onConnectionError(err)));
  const kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return {
    kysely,
    kind: "postgres",
    async ping() {
      // Its own short-lived connection, not one from the pool: a pool busy with
      // requests must not make /ready wait, and a pool full of broken clients
      // must not make it fail once the database is back.
      const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: PING_TIMEOUT_MS, query_timeout: PING_TIMEOUT_MS });
      client.on("error", () => undefined);
      try {
        await client.connect();
        await client.query("SELECT 1");
      } finally {
        void client.end().catch(() => undefined);
      }
    },
    close: () => kysely.destroy(),
  };
}

// SQLSTATE classes and codes that mean "the database is not there right now",
// not "this request is wrong": connection exceptions (08), operator
// intervention (57P01 admin shutdown, 57P02 crash shutdown, 57P03 cannot
// connect now), too many connections, and a read-only server (a failover).
const UNAVAILABLE_CODES = new Set(["57P01", "57P02", "57P03", "53300", "25006"]);
const UNAVAILABLE_MESSAGES = /Connection terminated|timeout exceeded when trying to connect|not queryable|Connection ended|ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|EHOSTUNREACH|ENOTFOUND|the database system is (starting up|shutting down|in recovery)/i;

/** True when an error means the database is unreachable or going away: the request may succeed if retried. */
export function isDatabaseUnavailable(err: unknown): boolean {
  for (let e = err as { code?: unknown; message?: unknown; cause?: unknown; errors?: unknown } | undefined, depth = 0; e && depth < 5; depth++) {
    const code = typeof e.code === "string" ? e.code : "";
    if (code.startsWith("08") || UNAVAILABLE_CODES.has(code) || /^E(CONNREFUSED|CONNRESET|PIPE|TIMEDOUT|HOSTUNREACH|NOTFOUND)$/.test(code)) return true;
    if (typeof e.message === "string" && UNAVAILABLE_MESSAGES.test(e.message)) return true;
    // An AggregateError (connecting to every address of a host failed).
    if (Array.isArray(e.errors) && e.errors.some((x) => isDatabaseUnavailable(x))) return true;
    e = e.cause as typeof e;
  }
  return false;
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
