// `npm run dev`: the whole app on one command, with no setup and no secrets to
// provide. Starts an embedded PostgreSQL (unless DATABASE_URL is set), then the
// backend and the frontend wired to it and to each other:
//   frontend http://localhost:<apps.frontend.port>  → backend http://localhost:<apps.backend.port>
//   backend verifies the frontend's JWTs through <frontend>/api/auth/jwks.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { loadProjectConfig, REPO_ROOT } from "../ci/config/load.js";
import { startPostgres, type RunningPostgres } from "./dev-postgres.js";
import { loadOrCreateDevSecrets } from "./dev-secrets.js";

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

let databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) {
  console.log(`dev: starting embedded PostgreSQL (data in ${join(DATA_DIR, "postgres")})…`);
  postgres = await startPostgres({ dataDir: join(DATA_DIR, "postgres"), persistent: true });
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
console.log(`dev: open ${frontendUrl} (backend on ${backendUrl}); Ctrl-C stops everything.`);
