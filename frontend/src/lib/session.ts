import "server-only";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { getAuth } from "./auth";
import { createBackendClient, type BackendClient } from "./backend-client";
import { readConfig } from "./config";

export interface SignedInUser {
  id: string;
  email: string;
  name: string;
}

export async function currentUser(): Promise<SignedInUser | null> {
  const auth = await getAuth();
  const session = await auth.api.getSession({ headers: await headers() });
  if (!session) return null;
  return { id: session.user.id, email: session.user.email, name: session.user.name };
}

/** The signed-in user, or a redirect to the sign-in page. */
export async function requireUser(): Promise<SignedInUser> {
  const user = await currentUser();
  if (!user) redirect("/sign-in");
  return user;
}

/**
 * A backend client that speaks for the signed-in user: the JWT comes from
 * Better Auth on this server and never reaches the browser.
 */
export async function backendForCurrentUser(): Promise<{ user: SignedInUser; backend: BackendClient }> {
  const auth = await getAuth();
  const requestHeaders = await headers();
  const session = await auth.api.getSession({ headers: requestHeaders });
  if (!session) redirect("/sign-in");
  const { token } = await auth.api.getToken({ headers: requestHeaders });
  const config = readConfig(process.env);
  const user = { id: session.user.id, email: session.user.email, name: session.user.name };
  return { user, backend: createBackendClient({ baseUrl: config.backendUrl, userId: user.id, token }) };
}
