// `npm run dev`: the whole app on one command, with no setup and no secrets to
// provide. Starts an embedded PostgreSQL (unless DATABASE_URL is set), then the
// backend and the frontend wired to it and to each other:
//   frontend http://localhost:<apps.frontend.port>  → backend http://localhost:<apps.backend.port>
//   backend verifies the frontend's JWTs through <frontend>/api/auth/jwks.
import { spawn, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadProjectConfig, REPO_ROOT } from "../ci/config/load.js";
import { startPostgres, type RunningPostgres } from "./dev-postgres.js";
import { loadOrCreateDevSecrets } from "./dev-secrets.js";
import { othersCanTraverse } from "./postgres-binaries.js";

// DEV_DATA_DIR lets a test run the whole thing without touching a developer's .data/.
const DATA_DIR = process.env.DEV_DATA_DIR ?? join(REPO_ROOT, ".data");
const config = loadProjectConfig();
const frontendPort = Number(process.env.FRONTEND_PORT ?? config.apps.frontend.port);
const backendPort = Number(process.env.BACKEND_PORT ?? config.apps.backend.port);
const frontendUrl = `http://localhost:${frontendPort}`;
const backendUrl = `http://localhost:${backendPort}`;

function requireDevScript(workspace: string) {
  const manifest = join(REPO_ROOT, workspace, "package.json");
  const scripts = existsSync(manifest)
    ? ((JSON.parse(readFileSync(manifest, "utf8")) as { scripts?: Record<string, string> }).scripts ?? {})
    : {};
  if (!scripts.dev) {
    console.error(`dev: ${workspace}/package.json has no "dev" script; run \`npm ci\` on an up-to-date checkout.`);
    process.exit(1);
  }
}

const children: ChildProcess[] = [];
let postgres: RunningPostgres | undefined;
let stopping = false;

function run(name: string, color: number, args: string[], env: NodeJS.ProcessEnv): void {
  const child = spawn("npm", args, { cwd: REPO_ROOT, env: { ...process.env, ...env }, detached: true });
  children.push(child);
  const prefix = `\x1b[${color}m${name.padEnd(8)}\x1b[0m| `;
  for (const stream of [child.stdout, child.stderr]) {
    let buffered = "";
    stream?.on("data", (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split("\n");
      buffered = lines.pop() ?? "";
      for (const line of lines) process.stdout.write(prefix + line + "\n");
    });
  }
  child.on("exit", (code, signal) => {
    if (stopping) return;
    console.error(`dev: ${name} exited (${signal ?? code}); stopping the rest.`);
    void shutdown(code ?? 1);
  });
}

async function shutdown(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  for (const child of children) {
    // Each child leads its own process group: stop npm and the server under it.
    if (child.pid && child.exitCode === null) {
      try {
        process.kill(-child.pid, "SIGTERM");
      } catch {
        /* already gone */
      }
    }
  }
  await Promise.all(
    children.map((c) => (c.exitCode === null ? new Promise((r) => c.once("exit", r)) : Promise.resolve())),
  );
  await postgres?.stop().catch(() => undefined);
  process.exit(code);
}

process.on("SIGINT", () => void shutdown(0));
process.on("SIGTERM", () => void shutdown(0));

requireDevScript("backend");
requireDevScript("frontend");
const secrets = loadOrCreateDevSecrets(join(DATA_DIR, "dev-secrets.json"));

/**
 * Where PostgreSQL keeps its data: DATA_DIR/postgres, unless we are root and
 * the `postgres` user the server runs as cannot reach it (a private checkout:
 * a directory above it is mode 0700). Nothing outside the repository is
 * changed to let it in; the data goes to a directory of its own under the
 * system temp dir instead, which does not survive a reboot.
 */
function postgresDataDir(): string {
  const inRepo = join(DATA_DIR, "postgres");
  mkdirSync(DATA_DIR, { recursive: true });
  if (process.getuid?.() !== 0 || othersCanTraverse(DATA_DIR)) return inRepo;
  const elsewhere = join(tmpdir(), `todo-dev-postgres-${createHash("sha256").update(inRepo).digest("hex").slice(0, 12)}`);
  console.log(
    `dev: as root, PostgreSQL runs as the postgres user, which cannot reach ${inRepo} (a directory above it is private); ` +
      `its data goes to ${elsewhere} instead (lost on reboot). To keep it in the repository, clone where others can traverse, or run as a non-root user.`,
  );
  return elsewhere;
}

let databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) {
  const dataDir = postgresDataDir();
  console.log(`dev: starting embedded PostgreSQL (data in ${dataDir})…`);
  postgres = await startPostgres({ dataDir, persistent: true });
  databaseUrl = postgres.url;
  console.log(`dev: PostgreSQL ready on 127.0.0.1:${postgres.port}`);
}

run("backend", 36, ["run", "dev", "-w", "backend"], {
  PORT: String(backendPort),
  DATABASE_URL: databaseUrl,
  JWKS_URL: `${frontendUrl}/api/auth/jwks`,
  JWT_ISSUER: frontendUrl,
  JWT_AUDIENCE: frontendUrl,
});
run("frontend", 35, ["run", "dev", "-w", "frontend", "--", "--port", String(frontendPort)], {
  PORT: String(frontendPort),
  DATABASE_URL: databaseUrl,
  BACKEND_URL: backendUrl,
  BETTER_AUTH_URL: frontendUrl,
  BETTER_AUTH_SECRET: secrets.BETTER_AUTH_SECRET,
  NEXT_TELEMETRY_DISABLED: "1",
});
console.log(`dev: compiling the frontend's first routes before saying ready (a minute or two on a cold start)…`);

/**
 * Requests `url` until it answers below 500: `next dev` compiles each route on
 * its first request. The auth route matters most: the backend verifies the
 * first sign-in token against <frontend>/api/auth/jwks with a 5 s timeout, and
 * a route still compiling would make that first request fail ("the keys that
 * verify sign-in tokens cannot be fetched right now"). The pages are warmed so
 * the first clicks do not wait for the compiler.
 */
async function warm(path: string, deadline: number): Promise<boolean> {
  while (Date.now() < deadline && !stopping) {
    try {
      const response = await fetch(`${frontendUrl}${path}`, { redirect: "manual", signal: AbortSignal.timeout(Math.max(1, deadline - Date.now())) });
      await response.arrayBuffer();
      if (response.status < 500) return true;
    } catch {
      /* not listening yet, or still compiling */
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  return false;
}

const WARM_PATHS = ["/api/auth/jwks", "/sign-up", "/sign-in", "/tasks", "/chat"];
const warmDeadline = Date.now() + Number(process.env.DEV_WARM_TIMEOUT_MS ?? 300_000);
const cold = [];
for (const path of WARM_PATHS) if (!(await warm(path, warmDeadline))) cold.push(path);
if (!stopping) {
  if (cold.length) console.log(`dev: ${cold.join(", ")} did not answer yet; the first visit compiles them.`);
  console.log(`dev: ready: open ${frontendUrl} (backend on ${backendUrl}); Ctrl-C stops everything.`);
}
