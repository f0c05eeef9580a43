// Starts the real stack for the browser tests: an embedded PostgreSQL in a
// fresh temp dir, the backend (built, `node backend/dist/server.js`) and the
// frontend's standalone production server, each on an ephemeral port.
import { spawn, type ChildProcess } from "node:child_process";
import { chmodSync, cpSync, createWriteStream, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, startPostgres, type RunningPostgres } from "../../scripts/dev-postgres.js";

export const FRONTEND_DIR = join(import.meta.dirname, "..");
export const REPO_ROOT = join(FRONTEND_DIR, "..");

export interface Stack {
  frontendUrl: string;
  backendUrl: string;
  logDir: string;
  stop(): Promise<void>;
}

/** The environment minus anything that would configure the app from outside the test. */
// Next's types make NODE_ENV mandatory in ProcessEnv; child environments are plain maps.
type Env = Record<string, string | undefined>;

function cleanEnv(): Env {
  const env: Env = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(DATABASE_URL|BACKEND_URL|BETTER_AUTH_|JWT_|JWKS_URL|LLM_|OPENAI_|NEXT_PUBLIC_|PORT$|HOSTNAME$|DATA_DIR$|VITEST)/.test(key)) continue;
    env[key] = value;
  }
  env.NEXT_TELEMETRY_DISABLED = "1";
  return env;
}

function runToEnd(name: string, command: string, args: string[], cwd: string, env: Env, logFile: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const log = createWriteStream(logFile);
    const child = spawn(command, args, { cwd, env: env as NodeJS.ProcessEnv, stdio: ["ignore", "pipe", "pipe"] });
    child.stdout.pipe(log);
    child.stderr.pipe(log);
    child.on("error", reject);
    child.on("exit", (code) => {
      log.end();
      if (code === 0) resolve();
      else reject(new Error(`${name} failed (exit ${code}); log: ${logFile}\n${tail(logFile)}`));
    });
  });
}

function tail(file: string, lines = 40): string {
  try {
    return readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}

function startServer(name: string, args: string[], cwd: string, env: Env, logFile: string): ChildProcess {
  const log = createWriteStream(logFile);
  // Own process group, so stopping it stops everything it started.
  const child = spawn(process.execPath, args, { cwd, env: env as NodeJS.ProcessEnv, stdio: ["ignore", "pipe", "pipe"], detached: true });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  child.on("exit", () => log.end());
  return child;
}

async function waitForHttp(url: string, child: ChildProcess, logFile: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = "";
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server for ${url} exited (${child.exitCode}):\n${tail(logFile)}`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      if (response.ok) return;
      last = `HTTP ${response.status}`;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms (last: ${last}):\n${tail(logFile)}`);
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (!child.pid || child.exitCode !== null) return;
  const exited = new Promise((r) => child.once("exit", r));
  try {
    process.kill(-child.pid, "SIGTERM");
  } catch {
    return;
  }
  const timer = setTimeout(() => {
    try {
      process.kill(-child.pid!, "SIGKILL");
    } catch {
      /* gone */
    }
  }, 5_000);
  await exited;
  clearTimeout(timer);
}

/**
 * build: run `next build` and the backend's build first (default).
 * backendEntry: the backend's compiled server (default backend/dist/server.js).
 */
export async function startStack(options: { build?: boolean; backendEntry?: string } = {}): Promise<Stack> {
  const work = mkdtempSync(join(tmpdir(), "todo-e2e-"));
  // PostgreSQL refuses to run as root; startPostgres runs it as `postgres`, which must reach its data dir.
  chmodSync(work, 0o755);
  const env = cleanEnv();
  const children: ChildProcess[] = [];
  let postgres: RunningPostgres | undefined;
  const stop = async () => {
    await Promise.all(children.map(stopChild));
    await postgres?.stop().catch(() => undefined);
    rmSync(work, { recursive: true, force: true });
  };

  let starting: Promise<unknown> | undefined;
  try {
    const build = options.build ?? true;
    const pgStart = startPostgres({ dataDir: join(work, "pg"), persistent: false });
    starting = pgStart.then((pg) => (postgres = pg));
    const [pg] = await Promise.all([
      pgStart,
      // One production build per run, with no app configuration in the
      // environment: proves the image's build needs none.
      build ? runToEnd("next build", "npm", ["run", "build", "-w", "frontend"], REPO_ROOT, env, join(work, "next-build.log")) : undefined,
      build && !options.backendEntry ? runToEnd("backend build", "npm", ["run", "build", "-w", "backend"], REPO_ROOT, env, join(work, "backend-build.log")) : undefined,
    ]);

    // The standalone server serves static assets only from beside itself (as in the image).
    const standalone = join(FRONTEND_DIR, ".next", "standalone", "frontend");
    if (!existsSync(join(standalone, "server.js"))) throw new Error(`no standalone server at ${standalone}; run \`npm run build -w frontend\``);
    cpSync(join(FRONTEND_DIR, ".next", "static"), join(standalone, ".next", "static"), { recursive: true });
    if (existsSync(join(FRONTEND_DIR, "public"))) cpSync(join(FRONTEND_DIR, "public"), join(standalone, "public"), { recursive: true });

    const [frontendPort, backendPort] = [await freePort(), await freePort()];
    const frontendUrl = `http://127.0.0.1:${frontendPort}`;
    const backendUrl = `http://127.0.0.1:${backendPort}`;

    const backendLog = join(work, "backend.log");
    const backend = startServer(
      "backend",
      [options.backendEntry ?? join(REPO_ROOT, "backend", "dist", "server.js")],
      join(REPO_ROOT, "backend"),
      {
        ...env,
        NODE_ENV: "production",
        PORT: String(backendPort),
        DATABASE_URL: pg.url,
        DATA_DIR: join(work, "backend-data"),
        JWKS_URL: `${frontendUrl}/api/auth/jwks`,
        JWT_ISSUER: frontendUrl,
        JWT_AUDIENCE: frontendUrl,
      },
      backendLog,
    );
    children.push(backend);

    const frontendLog = join(work, "frontend.log");
    const frontend = startServer(
      "frontend",
      [join(standalone, "server.js")],
      standalone,
      {
        ...env,
        NODE_ENV: "production",
        PORT: String(frontendPort),
        HOSTNAME: "127.0.0.1",
        DATABASE_URL: pg.url,
        BACKEND_URL: backendUrl,
        BETTER_AUTH_URL: frontendUrl,
        BETTER_AUTH_SECRET: `e2e-only-${Math.random().toString(36).slice(2)}-${"x".repeat(32)}`,
        // Requests from 127.0.0.2 stand for a reverse proxy (e2e/security.e2e.test.ts).
        TRUSTED_PROXIES: "127.0.0.2",
      },
      frontendLog,
    );
    children.push(frontend);

    await Promise.all([
      waitForHttp(`${backendUrl}/ready`, backend, backendLog),
      waitForHttp(`${frontendUrl}/api/health`, frontend, frontendLog),
    ]);
    return { frontendUrl, backendUrl, logDir: work, stop };
  } catch (error) {
    await starting?.catch(() => undefined); // so a cluster still starting gets stopped too
    await stop();
    throw error;
  }
}
