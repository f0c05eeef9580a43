// Runs once when the server starts:
// - every incoming request's X-Forwarded-For is rewritten to the client's
//   address (the connection's, or a trusted proxy's forwarded one: see
//   src/lib/client-address.ts), which the sign-in rate limiter keys on;
// - Better Auth's schema is migrated right away (instead of on the first
//   sign-in) when the database is configured. Never blocks start-up or the
//   health probe; a failure is logged and retried by the next request that
//   needs auth.
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { installClientAddressHook, parseTrustedProxies } = await import("./lib/client-address");
  try {
    installClientAddressHook(parseTrustedProxies(process.env.TRUSTED_PROXIES));
  } catch (error) {
    // A malformed TRUSTED_PROXIES trusts no proxy: every client is keyed on its connection.
    console.error(`[client-address] ${error instanceof Error ? error.message : String(error)}; trusting no proxy`);
    installClientAddressHook(parseTrustedProxies(""));
  }
  if (!process.env.DATABASE_URL) return;
  const { getAuth } = await import("./lib/auth");
  getAuth().then(
    () => console.log("[auth] schema ready"),
    (error: unknown) => console.error(`[auth] schema migration failed, will retry on demand: ${error instanceof Error ? error.message : String(error)}`),
  );
}
