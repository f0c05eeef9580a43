// Secrets whose cache identity is their content. A secret made with setSecret
// inside a function is keyed by the module's own source, so every edit under
// ci/ gave each exec that uses one a new cache key: the backend tests (their
// PostgreSQL password) ran again after a change to a pipeline policy. One made
// from a URI with a cacheKey is reused until its value changes; the value
// reaches the engine through this function's environment (env://), never an
// argument, a layer or a log. (Dockerfile builds cannot use these: their
// secrets are found by name, which only setSecret gives.)
import { createHash } from "node:crypto";
import { type Secret, dag } from "@dagger.io/dagger";

/** The environment variable, in this module's process, that a secret named `name` is read from. */
export const secretEnvName = (name: string) => `TODO_SECRET_${name.toUpperCase().replace(/[^A-Z0-9]/g, "_")}`;

/** The cache key of a secret: its name and a digest of its value (which the key does not reveal beyond equality). */
export function secretCacheKey(name: string, plaintext: string): string {
  return `todo-pipeline/${name}/sha256:${createHash("sha256").update(name).update("\0").update(plaintext).digest("hex")}`;
}

export function contentKeyedSecret(name: string, plaintext: string): Secret {
  const variable = secretEnvName(name);
  process.env[variable] = plaintext;
  return dag.secret(`env://${variable}`, { cacheKey: secretCacheKey(name, plaintext) });
}
