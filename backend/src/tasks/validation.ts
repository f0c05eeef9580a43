// Input rules shared by REST, MCP and the agents, so every entry point refuses the same things.
import { z } from "zod";

export const TITLE_MAX = 200;
export const DESCRIPTION_MAX = 2000;

export const title = z.string().trim().min(1, "title must not be empty").max(TITLE_MAX, `title must be at most ${TITLE_MAX} characters`);
export const description = z
  .string()
  .trim()
  .max(DESCRIPTION_MAX, `description must be at most ${DESCRIPTION_MAX} characters`)
  .nullable();
export const taskId = z.number().int().positive();
export const statusFilter = z.enum(["all", "pending", "completed"]);
