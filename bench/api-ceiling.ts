// The HTTP ceiling of bench:api: the best a Node HTTP server could do with this
// database for the requests the bench sends. Plain node:http, no framework;
// for the task list and task create it sends the SQL the API sends (bench:api
// compares the captured text) through pg with a pool of the API's size, and
// answers the same JSON. It skips the token check, input validation, request
// ids, logs and metrics on purpose: it is the reference the API's throughput is
// divided by ("API ÷ ceiling"), never a server to run.
import { type IncomingMessage, type ServerResponse, createServer } from "node:http";
import pg from "pg";

const LIST_SQL = `select *, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') as "cursor_time" from "tasks" where "user_id" = $1 and "completed" = $2 order by "created_at" desc, "id" desc limit $3`;
const LIST_ALL_SQL = `select *, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') as "cursor_time" from "tasks" where "user_id" = $1 order by "created_at" desc, "id" desc limit $2`;
const CREATE_SQL = `insert into "tasks" ("user_id", "title", "description") values ($1, $2, $3) returning *`;
const PAGE = 50;
const HEALTH = JSON.stringify({ status: "ok" });

export interface Ceiling {
  base: string;
  /** Resolves once no request is in flight (autocannon stops with some still running). */
  idle(): Promise<void>;
  close(): Promise<void>;
}

function send(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}) {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(body);
}

async function list(res: ServerResponse, pool: pg.Pool, user: string, url: URL) {
  const status = url.searchParams.get("status") ?? "all";
  const { rows } =
    status === "all" ? await pool.query(LIST_ALL_SQL, [user, PAGE + 1]) : await pool.query(LIST_SQL, [user, status === "completed", PAGE + 1]);
  const headers: Record<string, string> = {};
  if (rows.length > PAGE) {
    const last = rows[PAGE - 1];
    const cursor = Buffer.from(`1|${last.cursor_time}|${last.id}`).toString("base64url");
    headers["x-next-cursor"] = cursor;
    headers.link = `<${url.pathname}?status=${status}&limit=${PAGE}&cursor=${cursor}>; rel="next"`;
  }
  const tasks = rows.slice(0, PAGE).map(({ cursor_time: _, ...task }) => task);
  send(res, 200, JSON.stringify(tasks), headers);
}

async function create(req: IncomingMessage, res: ServerResponse, pool: pg.Pool, user: string) {
  let text = "";
  for await (const chunk of req) text += chunk;
  const body = JSON.parse(text) as { title: string; description?: string };
  const { rows } = await pool.query(CREATE_SQL, [user, body.title, body.description ?? null]);
  send(res, 201, JSON.stringify(rows[0]));
}

export async function startCeiling(databaseUrl: string, poolMax: number): Promise<Ceiling> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: poolMax });
  pool.on("error", () => undefined);
  let inFlight = 0;
  const server = createServer((req, res) => {
    inFlight++;
    res.on("close", () => inFlight--);
    const url = new URL(req.url ?? "/", "http://ceiling");
    const match = /^\/api\/([^/]+)\/tasks$/.exec(url.pathname);
    let work: Promise<void> | undefined;
    if (url.pathname === "/health") send(res, 200, HEALTH);
    else if (match && req.method === "GET") work = list(res, pool, decodeURIComponent(match[1]!), url);
    else if (match && req.method === "POST") work = create(req, res, pool, decodeURIComponent(match[1]!));
    else send(res, 404, "{}");
    work?.catch(() => send(res, 500, "{}"));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    base: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    async idle() {
      while (inFlight > 0) await new Promise((r) => setTimeout(r, 20));
    },
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await pool.end();
    },
  };
}
