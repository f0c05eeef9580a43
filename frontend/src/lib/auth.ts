import "server-only";
import { Pool } from "pg";
import { createAuth, migrateAuthSchema, type Auth } from "./auth-schema";
import { readConfig } from "./config";

export type { Auth };

let ready: Promise<Auth> | undefined;

/**
 * The app's Better Auth instance, configured and migrated on first use (at
 * server start via instrumentation.ts, or by the first request), never at
 * build time.
 */
export function getAuth(): Promise<Auth> {
  ready ??= (async () => {
    const config = readConfig(process.env);
    const pool = new Pool({ connectionString: config.databaseUrl, max: 5, connectionTimeoutMillis: 10_000 });
    try {
      await migrateAuthSchema(config, pool);
    } catch (error) {
      await pool.end().catch(() => undefined);
      throw error;
    }
    return createAuth(config, pool);
  })().catch((error: unknown) => {
    ready = undefined; // retry on the next request (e.g. the database was still starting)
    throw error;
  });
  return ready;
}
