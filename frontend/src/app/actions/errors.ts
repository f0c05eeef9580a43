import { isAPIError } from "better-auth/api";
import { BackendError } from "@/lib/backend-client";
import { ConfigError } from "@/lib/config";

/** A message a person can act on, for an error thrown while serving an action. */
export function describeError(error: unknown, fallback: string): string {
  if (error instanceof BackendError) return error.message;
  if (error instanceof ConfigError) return `Server misconfigured: ${error.message}`;
  if (isAPIError(error)) {
    const body = error.body as { message?: unknown } | undefined;
    if (typeof body?.message === "string" && body.message) return body.message;
  }
  console.error(fallback, error);
  return fallback;
}
