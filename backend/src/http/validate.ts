// Request parsing that turns every kind of bad input into a named 4xx.
import type { Context } from "hono";
import { z } from "zod";
import { HttpError, describeZodError } from "./errors.js";

export async function readJson<S extends z.ZodType>(c: Context, schema: S, options: { optional?: boolean } = {}): Promise<z.infer<S>> {
  const text = await c.req.text();
  if (text.trim() === "") {
    if (options.optional) return schema.parse(undefined);
    throw new HttpError(400, "invalid_body", "request body is empty; send a JSON object");
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new HttpError(400, "malformed_json", "request body is not valid JSON");
  }
  const result = schema.safeParse(raw);
  if (!result.success) throw new HttpError(422, "validation_failed", describeZodError(result.error));
  return result.data;
}

export function idParam(c: Context, name = "id"): number {
  const raw = c.req.param(name) ?? "";
  if (!/^\d{1,9}$/.test(raw) || Number(raw) === 0) throw new HttpError(400, "invalid_id", `${name} must be a positive integer, got "${raw}"`);
  return Number(raw);
}
