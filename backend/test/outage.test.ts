// PostgreSQL dies under write load (an immediate stop: every backend killed,
// no goodbye) and comes back. The real server process must survive it, keep
// answering /health, say 503 on /ready and on writes while the database is
// gone, and lose none of the writes it acknowledged.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { type RunningPostgres, freePort, startPostgres } from "../../scripts/dev-postgres.js";
import { SECRET, token } from "./helpers.js";

const BACKEND = join(import.meta.dirname, "..");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(url: string, status: number, ms: number) {
  const until = Date.now() + ms;
  for (;;) {
    try {
      if ((await fetch(url, { signal: AbortSignal.timeout(2_000) })).status === status) return;
    } catch {}
    if (Date.now() > until) throw new Error(`${url} did not answer ${status} within ${ms} ms`);
    await sleep(150);
  }
}

describe("PostgreSQL stopped immediately under write load", () => {
  const dirs: string[] = [];
  let child: ChildProcess | undefined;
  let postgres: RunningPostgres | undefined;
  afterAll(async () => {
    child?.kill("SIGKILL");
    await postgres?.stop().catch(() => undefined);
    dirs.forEach((d) => rmSync(d, { recursive: true, force: true }));
  });

  it("keeps the process alive and /health answering, says 503 with Retry-After while down, and keeps every acknowledged write", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "backend-crash-"));
    dirs.push(dataDir);
    const pgPort = await freePort();
    // fsync stays on (the default): an acknowledged commit must survive the crash.
    postgres = await startPostgres({ dataDir, port: pgPort, password: "pw", persistent: true });
    const databaseUrl = `postgres://postgres:pw@127.0.0.1:${pgPort}/todo`;

    const port = await freePort();
    child = spawn(process.execPath, ["--import", "tsx", "src/server.ts"], {
      cwd: BACKEND,
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/root", LOG_LEVEL: "warn", PORT: String(port), HOST: "127.0.0.1", DATABASE_URL: databaseUrl, JWT_SECRET: SECRET },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout!.on("data", (d) => (output += d));
    child.stderr!.on("data", (d) => (output += d));
    let exitCode: number | null | undefined;
    child.on("exit", (code, signal) => (exitCode = code ?? (signal as unknown as number)));
    const base = `http://127.0.0.1:${port}`;
    await waitFor(`${base}/ready`, 200, 30_000);

    const auth = `Bearer ${await token("load")}`;
    type Outcome = { status: number; title: string; id?: number; retryAfter?: string | null; phase: string };
    const outcomes: Outcome[] = [];
    const networkErrors: string[] = [];
    let phase = "up";
    let running = true;
    const workers = Array.from({ length: 8 }, async (_, w) => {
      for (let i = 0; running; i++) {
        const title = `w${w}-${i}`;
        const at = phase;
        try {
          const res = await fetch(`${base}/api/load/tasks`, {
            method: "POST",
            headers: { authorization: auth, "content-type": "application/json" },
            body: JSON.stringify({ title }),
            signal: AbortSignal.timeout(10_000),
          });
          const body = (await res.json()) as { id?: number };
          outcomes.push({ status: res.status, title, id: body.id, retryAfter: res.headers.get("retry-after"), phase: at });
          if (res.status === 503) await sleep(20);
        } catch (err) {
          networkErrors.push(`${title} (${at}): ${(err as Error).message}`);
          await sleep(20);
        }
      }
    });
    const health: Array<{ status: number; ms: number }> = [];
    const healthProbe = (async () => {
      while (running) {
        const started = performance.now();
        try {
          const res = await fetch(`${base}/health`, { signal: AbortSignal.timeout(2_000) });
          health.push({ status: res.status, ms: performance.now() - started });
        } catch {
          health.push({ status: 0, ms: performance.now() - started });
        }
        await sleep(50);
      }
    })();

    try {
      // Let writes flow, then kill the database in the middle of them.
      while (outcomes.filter((o) => o.status === 201).length < 100) await sleep(20);
      phase = "crash";
      await postgres.stop("immediate"); // SIGQUIT to the postmaster: pg_ctl stop -m immediate
      phase = "down";
      await sleep(2_000);
      expect(exitCode, output).toBeUndefined();
      const ready = await fetch(`${base}/ready`);
      expect(ready.status).toBe(503);
      expect(ready.headers.get("retry-after")).toMatch(/^\d+$/);
      expect((await fetch(`${base}/health`)).status).toBe(200);

      await postgres.start();
      phase = "recovering";
      await waitFor(`${base}/ready`, 200, 30_000);
      phase = "back";
      const backAt = outcomes.length;
      while (outcomes.slice(backAt).filter((o) => o.status === 201).length < 50) await sleep(20);
    } finally {
      running = false;
      await Promise.all(workers);
      await healthProbe;
    }

    expect(exitCode, output).toBeUndefined();
    expect(output).not.toMatch(/Unhandled 'error' event/);
    expect(networkErrors).toEqual([]);
    // Every answer is a success or a 503 that says when to retry: never a 500.
    const statuses = [...new Set(outcomes.map((o) => o.status))].sort();
    expect(statuses).toEqual([201, 503]);
    for (const o of outcomes.filter((x) => x.status === 503)) expect(o.retryAfter).toMatch(/^\d+$/);
    expect(outcomes.some((o) => o.phase === "down" && o.status === 503)).toBe(true);
    // /health answered every probe, quickly, through the whole outage.
    expect(health.length).toBeGreaterThan(20);
    expect(health.filter((h) => h.status !== 200)).toEqual([]);

    // Every acknowledged write is in the database after recovery.
    const acked = outcomes.filter((o) => o.status === 201);
    const check = new pg.Client({ connectionString: databaseUrl });
    await check.connect();
    try {
      const { rows } = await check.query<{ id: number; title: string }>("SELECT id, title FROM tasks WHERE user_id = 'load'");
      const stored = new Map(rows.map((r) => [r.id, r.title]));
      const missing = acked.filter((o) => stored.get(o.id!) !== o.title);
      expect(missing).toEqual([]);
    } finally {
      await check.end();
    }
  }, 120_000);
});
