// Configuration comes only from the environment and is validated once at
// start-up, so a bad deployment fails fast with the variable named.
import { z } from "zod";

const optionalString = z
  .string()
  .trim()
  .transform((v) => (v === "" ? undefined : v))
  .optional();

const schema = z
  .object({
    PORT: z.coerce.number().int().min(1).max(65535).default(8000),
    HOST: z.string().default("0.0.0.0"),
    DATABASE_URL: optionalString.pipe(z.url({ protocol: /^postgres(ql)?$/ }).optional()),
    DATA_DIR: z.string().default(".data/backend"),
    JWKS_URL: optionalString.pipe(z.url({ protocol: /^https?$/ }).optional()),
    JWT_SECRET: optionalString.pipe(z.string().min(32, "must be at least 32 characters").optional()),
    JWT_ISSUER: optionalString,
    JWT_AUDIENCE: optionalString,
    LLM_BASE_URL: optionalString.pipe(z.url({ protocol: /^https?$/ }).optional()),
    LLM_API_KEY: optionalString,
    LLM_MODEL: optionalString,
    LLM_TIMEOUT_MS: z.coerce.number().int().positive().default(30_000),
    LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
    SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
    BODY_LIMIT_BYTES: z.coerce.number().int().positive().default(64 * 1024),
  })
  .superRefine((env, ctx) => {
    if (Boolean(env.JWKS_URL) === Boolean(env.JWT_SECRET)) {
      ctx.addIssue({
        code: "custom",
        path: ["JWKS_URL"],
        message: "set exactly one of JWKS_URL (the frontend's <url>/api/auth/jwks) or JWT_SECRET (a shared HS256 secret)",
      });
    }
    const llm = [env.LLM_BASE_URL, env.LLM_API_KEY, env.LLM_MODEL].filter(Boolean).length;
    if (llm !== 0 && llm !== 3) {
      ctx.addIssue({
        code: "custom",
        path: ["LLM_BASE_URL"],
        message: "set all three of LLM_BASE_URL, LLM_API_KEY and LLM_MODEL, or none (the local agent is used then)",
      });
    }
  });

export type Env = z.infer<typeof schema>;

export interface Config {
  port: number;
  host: string;
  databaseUrl?: string;
  dataDir: string;
  auth: { jwksUrl?: string; secret?: string; issuer?: string; audience?: string };
  llm?: { baseUrl: string; apiKey: string; model: string; timeoutMs: number };
  logLevel: Env["LOG_LEVEL"];
  shutdownTimeoutMs: number;
  bodyLimitBytes: number;
}

export class ConfigError extends Error {}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const result = schema.safeParse(env);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join(".") || "environment"}: ${i.message}`);
    throw new ConfigError(`invalid configuration; fix these environment variables:\n${lines.join("\n")}`);
  }
  const e = result.data;
  return {
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    dataDir: e.DATA_DIR,
    auth: { jwksUrl: e.JWKS_URL, secret: e.JWT_SECRET, issuer: e.JWT_ISSUER, audience: e.JWT_AUDIENCE },
    llm:
      e.LLM_BASE_URL && e.LLM_API_KEY && e.LLM_MODEL
        ? { baseUrl: e.LLM_BASE_URL, apiKey: e.LLM_API_KEY, model: e.LLM_MODEL, timeoutMs: e.LLM_TIMEOUT_MS }
        : undefined,
    logLevel: e.LOG_LEVEL,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    bodyLimitBytes: e.BODY_LIMIT_BYTES,
  };
}
