import { getAuth } from "@/lib/auth";
import { madeByBrowser } from "@/lib/security-headers";

// Better Auth's HTTP endpoints, including /api/auth/jwks that the backend
// fetches its verification keys from. Built lazily: nothing is configured at
// build time.
export const dynamic = "force-dynamic";

async function handle(request: Request): Promise<Response> {
  // The JWT never reaches a browser: the app's server gets it from Better Auth
  // directly (src/lib/session.ts). Non-browser clients holding a session (the
  // deploy smoke test) may still fetch one.
  if (new URL(request.url).pathname.endsWith("/api/auth/token") && madeByBrowser(request.headers)) {
    return Response.json({ message: "Tokens are not handed to browsers." }, { status: 403, headers: { "cache-control": "no-store" } });
  }
  const auth = await getAuth();
  return auth.handler(request);
}

export { handle as GET, handle as POST };
