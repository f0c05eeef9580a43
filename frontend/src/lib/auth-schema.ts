import { betterAuth } from "better-auth";
import { APIError, createAuthMiddleware } from "better-auth/api";
import { getMigrations } from "better-auth/db/migration";
import { nextCookies } from "better-auth/next-js";
import { jwt } from "better-auth/plugins";
import type { Pool } from "pg";
import type { FrontendConfig } from "./config";
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, passwordProblem } from "./password-policy";

// Better Auth: email + password, sessions in the backend's PostgreSQL, and the
// JWT plugin that signs the tokens the backend verifies through
// <BETTER_AUTH_URL>/api/auth/jwks (EdDSA keys kept in the `jwks` table).
//
// Passwords are only ever checked through Better Auth's HTTP router, where its
// rate limiter runs (3 attempts per 10 s per client address and path, counted
// in PostgreSQL so every replica shares the count): the app's sign-in server
// action calls the router too (src/lib/auth-router.ts), and a direct
// auth.api call to an endpoint that checks a password is refused, so no
// future code path can skip the limiter. The client address is the
// X-Forwarded-For that src/lib/client-address.ts rewrites on every incoming
// request to the connection's address (or a trusted proxy's forwarded one).

/** Endpoints that verify a password: only reachable through the rate-limited router. */
export const PASSWORD_CHECKING_PATHS = ["/sign-in/email", "/change-password", "/delete-user"];
/** Endpoints that set a password, and the body field holding it. */
const PASSWORD_SETTING_FIELDS: Record<string, string> = {
  "/sign-up/email": "password",
  "/change-password": "newPassword",
  "/reset-password": "newPassword",
  "/set-password": "newPassword",
};

const passwordGuard = createAuthMiddleware(async (ctx) => {
  const viaRouter = "_flag" in ctx && (ctx as { _flag?: unknown })._flag === "router";
  if (PASSWORD_CHECKING_PATHS.includes(ctx.path) && !viaRouter) {
    throw new APIError("FORBIDDEN", {
      code: "PASSWORD_CHECK_OUTSIDE_ROUTER",
      message: `${ctx.path} checks a password and must go through the rate-limited router (auth.handler), not auth.api`,
    });
  }
  const field = PASSWORD_SETTING_FIELDS[ctx.path];
  const password: unknown = field ? (ctx.body as Record<string, unknown> | undefined)?.[field] : undefined;
  if (typeof password === "string") {
    // The person's own email and name are words a guesser tries first.
    const body = ctx.body as Record<string, unknown>;
    const userInputs = [body.email, body.name, ctx.context.session?.user.email, ctx.context.session?.user.name]
      .filter((v): v is string => typeof v === "string")
      .flatMap((v) => [v, ...v.split(/[@.\s]+/)]);
    const problem = passwordProblem(password, userInputs);
    if (problem) throw new APIError("BAD_REQUEST", { code: "PASSWORD_POLICY", message: problem });
  }
});

export function authOptions(config: FrontendConfig, pool: Pool) {
  return {
    appName: "Todo AI Chatbot",
    baseURL: config.authUrl,
    secret: config.authSecret,
    database: pool,
    emailAndPassword: {
      enabled: true,
      minPasswordLength: MIN_PASSWORD_LENGTH,
      maxPasswordLength: MAX_PASSWORD_LENGTH,
      autoSignIn: true,
    },
    // On in every environment (Better Auth's default is production only), kept
    // in the database so replicas share one count per client address.
    rateLimit: { enabled: true, storage: "database" },
    advanced: { ipAddress: { ipAddressHeaders: ["x-forwarded-for"] } },
    hooks: { before: passwordGuard },
    telemetry: { enabled: false },
    plugins: [
      jwt({
        jwt: { issuer: config.authUrl, audience: config.jwtAudience, expirationTime: "15m" },
        // No set-auth-jwt header on /get-session: the JWT never reaches a browser
        // (the route refuses /api/auth/token to browsers too).
        disableSettingJwtHeader: true,
      }),
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
