// Runs once when the server starts: migrate Better Auth's schema right away
// (instead of on the first sign-in) when the database is configured. Never
// blocks start-up or the health probe; a failure is logged and retried by the
// next request that needs auth.
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== "nodejs" || !process.env.DATABASE_URL) return;
  const { getAuth } = await import("./lib/auth");
  getAuth().then(
    () => console.log("[auth] schema ready"),
    (error: unknown) => console.error(`[auth] schema migration failed, will retry on demand: ${error instanceof Error ? error.message : String(error)}`),
  );
}
