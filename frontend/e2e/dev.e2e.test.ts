// `npm run dev` at the root: one command, no setup, no secrets. Starts it with
// a throwaway data dir and ephemeral ports, and checks both servers answer and
// the frontend reaches the embedded PostgreSQL (its sign-in page runs Better
// Auth's migrations there). Then, cold as a stranger's first run, Chromium
// signs up and adds a task: no console error (CSP, favicon, a JWKS the
// backend could not fetch yet) on the way.
import { spawn, type ChildProcess } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { freePort } from "../../scripts/dev-postgres.js";
import { launch } from "./browser";
import { REPO_ROOT } from "./stack";

/** Mode and owner of every directory above the repository: `npm run dev` (as root too) must change none of them. */
function ancestors(): Record<string, string> {
  const out: Record<string, string> = {};
  for (let dir = dirname(REPO_ROOT); ; dir = dirname(dir)) {
    const st = statSync(dir);
    out[dir] = `${(st.mode & 0o7777).toString(8)} ${st.uid}:${st.gid}`;
    if (dirname(dir) === dir) return out;
  }
}
const ancestorsBefore = ancestors();

let child: ChildProcess | undefined;
let output = "";
const dataDir = mkdtempSync(join(tmpdir(), "todo-dev-test-"));
chmodSync(dataDir, 0o755);

async function stopDev() {
  if (child?.pid && child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((r) => child!.once("exit", r));
    process.kill(-child.pid, "SIGINT"); // what Ctrl-C sends: dev.ts stops servers and PostgreSQL
    await exited;
  }
}

afterAll(async () => {
  await stopDev();
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

  it("says ready only once the auth route is compiled; then a new user signs up and adds a task with no console error", async () => {
    // Cold: a fresh data directory, so a fresh database and no signing keys yet.
    const deadline = Date.now() + 420_000;
    while (!/dev: ready: open/.test(output)) {
      if (child?.exitCode !== null || Date.now() > deadline) throw new Error(`npm run dev did not say ready:\n${output.slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 500));
    }
    const frontend = output.match(/dev: ready: open (http:\/\/localhost:\d+)/)![1]!;

    const favicon = await fetch(`${frontend}/favicon.ico`);
    expect(favicon.status).toBe(200);
    expect(favicon.headers.get("content-type")).toMatch(/image\//);

    const browser = await launch({ width: 390, height: 844 });
    const problems: string[] = [];
    try {
      const page = browser.context.pages()[0] ?? (await browser.context.newPage());
      page.on("console", (m) => void (m.type() === "error" && problems.push(`console: ${m.text()}`)));
      page.on("pageerror", (e) => void problems.push(`page error: ${e.message}`));
      page.on("response", (r) => void (r.status() >= 400 && problems.push(`HTTP ${r.status()} ${r.url()}`)));
      page.setDefaultTimeout(120_000); // next dev may still compile a route on first use

      await page.goto(`${frontend}/sign-up`);
      await page.getByLabel("Name").fill("Dev");
      await page.getByLabel("Email").fill(`dev-${Date.now().toString(36)}@example.com`);
      await page.getByLabel("Password").fill("lantern orbit pebble");
      await page.getByRole("button", { name: "Create account" }).click();
      await page.waitForURL(`${frontend}/tasks`);
      // The first authenticated request to the backend: its JWKS fetch from the frontend must succeed.
      await page.getByText("No tasks yet").waitFor();
      await page.getByLabel("Title").fill("first task on a cold start");
      await page.getByRole("button", { name: "Add task" }).click();
      await page.getByText("first task on a cold start", { exact: true }).waitFor();
      await page.goto(`${frontend}/chat`);
      await page.getByRole("heading", { name: "Assistant" }).waitFor();
      await page.getByText("first task on a cold start").first().waitFor();
      expect(await page.content()).not.toMatch(/cannot be fetched/);
    } finally {
      await browser.close();
    }
    expect(problems).toEqual([]);
    expect(output).not.toMatch(/auth_unavailable|cannot be fetched/);
  }, 600_000);

  it("changed no directory above the repository (mode and owner), run as root or not", async () => {
    await stopDev();
    expect(ancestors()).toEqual(ancestorsBefore);
  });
});
