// Calls Better Auth's HTTP router from server code, so the call passes the
// same rate limiter, origin check and hooks as a request to /api/auth/* does.
// The app's sign-in and sign-up server actions use it: auth.api.signInEmail
// would check the password without the limiter (and is refused, see
// PASSWORD_CHECKING_PATHS in auth-schema.ts).
import { parseSetCookieHeader, toCookieOptions } from "better-auth/cookies";
import type { Auth } from "./auth-schema";
import type { FrontendConfig } from "./config";

export interface RouterResult {
  ok: boolean;
  status: number;
  /** Better Auth's error message, when it gave one. */
  message: string | undefined;
  /** Seconds until the limiter lets this client try again (429 only). */
  retryAfter: number | undefined;
  response: Response;
}

/**
 * POSTs body to <BETTER_AUTH_URL>/api/auth<path> through auth.handler, on
 * behalf of the request whose headers are given: its client address
 * (X-Forwarded-For, already resolved to the connection's address by
 * client-address.ts) and user agent go along; its cookies do not.
 */
export async function postToAuthRouter(
  auth: Auth,
  config: Pick<FrontendConfig, "authUrl">,
  path: string,
  body: Record<string, unknown>,
  incoming: Headers,
): Promise<RouterResult> {
  const headers = new Headers({ "content-type": "application/json", origin: config.authUrl });
  for (const name of ["x-forwarded-for", "user-agent"]) {
    const value = incoming.get(name);
    if (value) headers.set(name, value);
  }
  const response = await auth.handler(
    new Request(`${config.authUrl}/api/auth${path}`, { method: "POST", headers, body: JSON.stringify(body) }),
  );
  let message: string | undefined;
  if (!response.ok) {
    const data = (await response.clone().json().catch(() => undefined)) as { message?: unknown } | undefined;
    if (typeof data?.message === "string" && data.message) message = data.message;
  }
  const retry = Number(response.headers.get("x-retry-after") ?? response.headers.get("retry-after"));
  return {
    ok: response.ok,
    status: response.status,
    message,
    retryAfter: response.status === 429 && Number.isFinite(retry) && retry > 0 ? retry : undefined,
    response,
  };
}

/** The cookies a router response sets, as name, value and options for Next's cookies().set. */
export function cookiesToSet(response: Response): { name: string; value: string; options: ReturnType<typeof toCookieOptions> }[] {
  const header = response.headers.getSetCookie().join(", ");
  if (!header) return [];
  return [...parseSetCookieHeader(header)].map(([name, attributes]) => ({
    name,
    value: attributes.value,
    options: toCookieOptions(attributes),
  }));
}

/** A sentence for a failed sign-in or sign-up. */
export function describeRouterFailure(result: RouterResult, fallback: string): string {
  if (result.status === 429) {
    const wait = result.retryAfter ?? 10;
    return `Too many attempts from your network. Try again in ${wait} second${wait === 1 ? "" : "s"}.`;
  }
  return result.message ?? fallback;
}
