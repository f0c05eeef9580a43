// Runtime configuration, read per request from the server's environment.
// Nothing here is inlined at build time (no NEXT_PUBLIC_*), so one image runs
// in every deployment. Pure: takes the environment as an argument.

export interface FrontendConfig {
  /** Where the task API listens, as seen from this server (never from the browser). */
  backendUrl: string;
  /** PostgreSQL shared with the backend; Better Auth keeps its tables there. */
  databaseUrl: string;
  /** Secret Better Auth encrypts cookies and the JWKS private keys with. */
  authSecret: string;
  /** Public origin of this app: Better Auth's base URL and the JWT issuer/audience. */
  authUrl: string;
  /** JWT audience claim; the backend's JWT_AUDIENCE must match it. */
  jwtAudience: string;
}

export class ConfigError extends Error {
  override name = "ConfigError";
}

type Env = Record<string, string | undefined>;

const DEV_DEFAULTS = {
  BACKEND_URL: "http://localhost:8000",
  BETTER_AUTH_URL: "http://localhost:3000",
};

function parseUrl(name: string, value: string): URL {
  try {
    const url = new URL(value);
    if (url.protocol !== "http:" && url.protocol !== "https:") throw new Error("protocol");
    return url;
  } catch {
    throw new ConfigError(`${name} must be an http(s) URL, got "${value}". Fix: set ${name}=https://host:port`);
  }
}

export function readConfig(env: Env): FrontendConfig {
  const production = env.NODE_ENV === "production";
  const missing = (name: string, hint: string): never => {
    throw new ConfigError(`${name} is not set. Fix: ${hint}`);
  };

  const backendRaw = env.BACKEND_URL || (production ? undefined : DEV_DEFAULTS.BACKEND_URL);
  const backendUrl = backendRaw
    ? parseUrl("BACKEND_URL", backendRaw).toString().replace(/\/+$/, "")
    : missing("BACKEND_URL", "set it to the backend's address, e.g. BACKEND_URL=http://todo-backend:8000");

  const databaseUrl =
    env.DATABASE_URL ||
    missing(
      "DATABASE_URL",
      "set it to the PostgreSQL the backend uses (postgres://user:pass@host:5432/db); `npm run dev` at the repository root starts an embedded one for you",
    );
  if (!/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError('DATABASE_URL must start with "postgres://" or "postgresql://". Fix: use a PostgreSQL connection string');
  }

  const authSecret =
    env.BETTER_AUTH_SECRET ||
    missing("BETTER_AUTH_SECRET", "set it to 32+ random bytes, e.g. `openssl rand -base64 32` (`npm run dev` generates a dev-only one)");
  if (authSecret.length < 32) {
    throw new ConfigError("BETTER_AUTH_SECRET is shorter than 32 characters. Fix: generate one with `openssl rand -base64 32`");
  }

  const authRaw = env.BETTER_AUTH_URL || (production ? undefined : DEV_DEFAULTS.BETTER_AUTH_URL);
  const authUrl = authRaw
    ? parseUrl("BETTER_AUTH_URL", authRaw).origin
    : missing("BETTER_AUTH_URL", "set it to this app's public origin, e.g. BETTER_AUTH_URL=https://todo.example.com");

  return { backendUrl, databaseUrl, authSecret, authUrl, jwtAudience: env.JWT_AUDIENCE || authUrl };
}
