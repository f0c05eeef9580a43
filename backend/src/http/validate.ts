// Request parsing that turns every kind of bad input into a named 4xx.
import type { Context } from "hono";
import { z } from "zod";
import { ID_MAX } from "../tasks/validation.js";
import { HttpError, describeZodError } from "./errors.js";

/** application/json, or any application/…+json, with or without parameters. */
const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;

export async function readJson<S extends z.ZodType>(c: Context, schema: S, options: { optional?: boolean } = {}): Promise<z.infer<S>> {
  const text = await c.req.text();
  if (text.trim() === "") {
    if (options.optional) return schema.parse(undefined);
    throw new HttpError(400, "invalid_body", "request body is empty; send a JSON object");
  }
  // Only a body declared as JSON is read as JSON: a form or text/plain post
  // (which a browser sends cross-site without asking) is refused, not guessed at.
  const type = c.req.header("content-type") ?? "";
  if (!JSON_TYPE.test(type)) {
    throw new HttpError(415, "unsupported_media_type", `send the body as JSON with Content-Type: application/json${type ? ` (got "${type}")` : ""}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new HttpError(400, "malformed_json", "request body is not valid JSON");
  }
  return parseInput(schema, raw);
}

/** Validates parsed input: malformed values (NUL, lone surrogates, out-of-range ids) are 400, broken rules 422. */
export function parseInput<S extends z.ZodType>(schema: S, raw: unknown): z.infer<S> {
  const result = schema.safeParse(raw);
  if (result.success) return result.data;
  const badInput = result.error.issues.filter((i) => i.code === "custom" && (i.params as { badInput?: boolean } | undefined)?.badInput);
  if (badInput.length) throw new HttpError(400, "invalid_input", describeZodError(new z.ZodError(badInput)));
  throw new HttpError(422, "validation_failed", describeZodError(result.error));
}

export function idParam(c: Context, name = "id"): number {
  const raw = c.req.param(name) ?? "";
  if (!/^\d{1,10}$/.test(raw) || Number(raw) === 0 || Number(raw) > ID_MAX) {
    throw new HttpError(400, "invalid_id", `${name} must be a positive integer of at most ${ID_MAX}, got "${raw}"`);
  }
  return Number(raw);
}
