import { isAPIError } from "better-auth/api";
import { unstable_rethrow } from "next/navigation";
import { BackendError } from "@/lib/backend-client";
import { ConfigError } from "@/lib/config";

/** A message a person can act on, for an error thrown while serving an action. */
export function describeError(error: unknown, fallback: string): string {
  // Next's own control flow (redirect to sign-in, notFound) must pass through.
  unstable_rethrow(error);
  if (error instanceof BackendError) return error.message;
  if (error instanceof ConfigError) return `Server misconfigured: ${error.message}`;
  if (isAPIError(error)) {
    const body = error.body as { message?: unknown } | undefined;
    if (typeof body?.message === "string" && body.message) return body.message;
  }
  console.error(fallback, error);
  return fallback;
}
