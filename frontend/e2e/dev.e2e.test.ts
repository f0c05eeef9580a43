// `npm run dev` at the root: one command, no setup, no secrets. Starts it with
// a throwaway data dir and ephemeral ports, and checks both servers answer and
// the frontend reaches the embedded PostgreSQL (its sign-in page runs Better
// Auth's migrations there).
import { spawn, type ChildProcess } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { freePort } from "../../scripts/dev-postgres.js";
import { REPO_ROOT } from "./stack";

let child: ChildProcess | undefined;
let output = "";
const dataDir = mkdtempSync(join(tmpdir(), "todo-dev-test-"));
chmodSync(dataDir, 0o755);

afterAll(async () => {
  if (child?.pid && child.exitCode === null) {
    const exited = new Promise((r) => child!.once("exit", r));
    process.kill(-child.pid, "SIGINT"); // what Ctrl-C sends: dev.ts stops servers and PostgreSQL
    await exited;
  }
  rmSync(dataDir, { recursive: true, force: true });
});

async function waitFor(url: string, timeoutMs: number): Promise<Response> {
  const deadline = Date.now() + timeoutMs;
  let last = "";
  while (Date.now() < deadline) {
    if (child?.exitCode !== null) throw new Error(`npm run dev exited (${child?.exitCode}):\n${output.slice(-3000)}`);
    try {
      const response = await fetch(url, { redirect: "manual", signal: AbortSignal.timeout(30_000) });
      if (response.status < 500) return response;
      last = `HTTP ${response.status}`;
    } catch (error) {
      last = String(error);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`${url} did not answer in ${timeoutMs} ms (${last}):\n${output.slice(-3000)}`);
}

describe("npm run dev", () => {
  it("starts PostgreSQL, backend and frontend together with no setup", async () => {
    const [frontendPort, backendPort] = [await freePort(), await freePort()];
    const env: Record<string, string | undefined> = { ...process.env, DEV_DATA_DIR: dataDir, FRONTEND_PORT: String(frontendPort), BACKEND_PORT: String(backendPort) };
    for (const key of Object.keys(env)) if (/^(DATABASE_URL|BACKEND_URL|BETTER_AUTH_|JWT_|JWKS_URL|VITEST|NODE_ENV$)/.test(key)) delete env[key];
    child = spawn("npm", ["run", "dev"], { cwd: REPO_ROOT, env: env as NodeJS.ProcessEnv, detached: true });
    child.stdout?.on("data", (c: Buffer) => (output += c.toString()));
    child.stderr?.on("data", (c: Buffer) => (output += c.toString()));

    // next dev compiles instrumentation, the proxy and each route on first use:
    // minutes on a busy 2-core machine (108 s for /sign-in was seen).
    const health = await waitFor(`http://localhost:${frontendPort}/api/health`, 180_000);
    expect(await health.json()).toEqual({ status: "ok" });
    const backend = await waitFor(`http://localhost:${backendPort}/health`, 60_000);
    expect(backend.status).toBe(200);

    const signIn = await waitFor(`http://localhost:${frontendPort}/sign-in`, 180_000);
    expect(signIn.status).toBe(200);
    // The proxy's CSP in development allows eval (React's dev tooling needs it), with a nonce as in production.
    expect(signIn.headers.get("content-security-policy")).toMatch(/'nonce-[^']+'.*'unsafe-eval'/);
    expect(await signIn.text()).toContain("Sign in");

    // Dev-only secret generated on first run, outside git, readable by its owner only.
    const secrets = join(dataDir, "dev-secrets.json");
    expect(existsSync(secrets)).toBe(true);
    expect(JSON.parse(readFileSync(secrets, "utf8")).BETTER_AUTH_SECRET).toMatch(/^[\w-]{43}$/);
    expect(statSync(secrets).mode & 0o077).toBe(0);
    expect(existsSync(join(dataDir, "postgres", "PG_VERSION"))).toBe(true);
  }, 480_000);
});
