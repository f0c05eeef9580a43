// Input rules shared by REST, MCP and the agents, so every entry point refuses the same things.
import { z } from "zod";

export const TITLE_MAX = 200;
export const DESCRIPTION_MAX = 2000;
export const MESSAGE_MAX = 4000;
/** The largest id PostgreSQL's integer (serial) columns hold: 2^31 − 1. */
export const ID_MAX = 2_147_483_647;
export const LIST_LIMIT_DEFAULT = 50;
export const LIST_LIMIT_MAX = 200;

/**
 * Issues that are malformed input rather than a rule broken by a well-formed
 * value carry this param; the HTTP layer answers them 400 instead of 422.
 */
export const BAD_INPUT = { badInput: true } as const;

// PostgreSQL text cannot hold NUL, and a lone UTF-16 surrogate has no UTF-8
// form (the driver would silently turn it into U+FFFD): refuse both up front.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
export function textProblem(s: string): string | undefined {
  if (s.includes("\u0000")) return "must not contain the NUL character (\\u0000)";
  if (LONE_SURROGATE.test(s)) return "must be valid Unicode (it contains a lone surrogate)";
  return undefined;
}

/** A string that PostgreSQL can store exactly. */
export const text = () =>
  z.string().superRefine((s, ctx) => {
    const problem = textProblem(s);
    if (problem) ctx.addIssue({ code: "custom", message: problem, params: BAD_INPUT, abort: true });
  });

/** A positive integer that fits PostgreSQL's integer columns. */
export const dbId = () =>
  z
    .number()
    .int()
    .positive()
    .superRefine((n, ctx) => {
      if (n > ID_MAX) ctx.addIssue({ code: "custom", message: `must be at most ${ID_MAX}`, params: BAD_INPUT });
    });

export const title = text().trim().min(1, "title must not be empty").max(TITLE_MAX, `title must be at most ${TITLE_MAX} characters`);
export const description = text()
  .trim()
  .max(DESCRIPTION_MAX, `description must be at most ${DESCRIPTION_MAX} characters`)
  .nullable();
export const message = text().trim().min(1, "message must not be empty").max(MESSAGE_MAX, `message must be at most ${MESSAGE_MAX} characters`);
export const taskId = dbId();
export const statusFilter = z.enum(["all", "pending", "completed"]);
