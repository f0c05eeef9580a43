import { betterAuth } from "better-auth";
import { getMigrations } from "better-auth/db/migration";
import { nextCookies } from "better-auth/next-js";
import { jwt } from "better-auth/plugins";
import type { Pool } from "pg";
import type { FrontendConfig } from "./config";

// Better Auth: email + password, sessions in the backend's PostgreSQL, and the
// JWT plugin that signs the tokens the backend verifies through
// <BETTER_AUTH_URL>/api/auth/jwks (EdDSA keys kept in the `jwks` table).

export function authOptions(config: FrontendConfig, pool: Pool) {
  return {
    appName: "Todo AI Chatbot",
    baseURL: config.authUrl,
    secret: config.authSecret,
    database: pool,
    emailAndPassword: { enabled: true, minPasswordLength: 8, autoSignIn: true },
    telemetry: { enabled: false },
    plugins: [
      jwt({ jwt: { issuer: config.authUrl, audience: config.jwtAudience, expirationTime: "15m" } }),
      // Lets server actions (sign in/up/out) set and clear the session cookie.
      nextCookies(),
    ],
  } satisfies Parameters<typeof betterAuth>[0];
}

export function createAuth(config: FrontendConfig, pool: Pool) {
  return betterAuth(authOptions(config, pool));
}

export type Auth = ReturnType<typeof createAuth>;

// Arbitrary constant: serialises schema migrations when several replicas start at once.
const MIGRATION_LOCK_ID = 727_001;

/** Creates Better Auth's tables (user, session, account, verification, jwks) if missing. */
export async function migrateAuthSchema(config: FrontendConfig, pool: Pool): Promise<string[]> {
  const client = await pool.connect();
  try {
    await client.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK_ID]);
    const { toBeCreated, toBeAdded, runMigrations } = await getMigrations(authOptions(config, pool));
    const changed = [...toBeCreated, ...toBeAdded].map((t) => t.table);
    if (changed.length > 0) await runMigrations();
    return changed;
  } finally {
    await client.query("SELECT pg_advisory_unlock($1)", [MIGRATION_LOCK_ID]).catch(() => undefined);
    client.release();
  }
}
