import { getAuth } from "@/lib/auth";

// Better Auth's HTTP endpoints, including /api/auth/jwks that the backend
// fetches its verification keys from. Built lazily: nothing is configured at
// build time.
export const dynamic = "force-dynamic";

async function handle(request: Request): Promise<Response> {
  const auth = await getAuth();
  return auth.handler(request);
}

export { handle as GET, handle as POST };
