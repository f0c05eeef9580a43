// Property-based fuzz of every REST route and every MCP tool (fast-check):
// random JSON, strings with control characters and lone surrogates, huge and
// special numbers, wrong types, raw bytes that are not UTF-8, odd paths,
// queries, content types and tokens. Whatever comes in, the answer is never a
// 5xx, never an MCP internal error or "error on the server", and nothing is
// logged at error level (where an unhandled error would show).
//
// Deterministic: a fixed seed and a bounded number of runs per property
// (FUZZ_SEED and FUZZ_RUNS override them to explore; a failure prints the
// seed and path that replay it).
import { serve } from "@hono/node-server";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import fc from "fast-check";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LocalAgent } from "../src/agent/local.js";
import { createApp } from "../src/app.js";
import { createTokenVerifier } from "../src/auth.js";
import { createMetrics } from "../src/metrics.js";
import { TOOL_NAMES } from "../src/tasks/tools.js";
import { SECRET, type TestDb, openTestDb, token } from "./helpers.js";

const SEED = Number(process.env.FUZZ_SEED ?? 20261206);
const RUNS = Number(process.env.FUZZ_RUNS ?? 100);
const params = { seed: SEED, numRuns: RUNS, endOnFailure: false };

// ---- strings ---------------------------------------------------------------

const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((n) => String.fromCharCode(n));
/** C0, DEL and C1 control characters, NUL (which PostgreSQL text cannot hold) most often. */
const control = fc.oneof(fc.constant("\u0000"), fc.integer({ min: 0, max: 0x9f }).filter((n) => n < 0x20 || n >= 0x7f).map((n) => String.fromCharCode(n)));
const NASTY = [
  "\u0000", "\uD800", "\uDFFF", "a\uDC00b", "\uFEFF", "\u202E", "\r\n", "%00", "%zz", "%", "%ED%A0%80", "..", "../..", "/", "?", "#",
  "__proto__", "constructor", "prototype", "null", "true", "1e309", "-0", "NaN", "Infinity", "0x10", "01", " 1", "1 ", "٣", "１",
  "2147483647", "2147483648", "-2147483649", "9007199254740993", "9".repeat(400), "'; DROP TABLE tasks; --", "\\", "\"", "{}", "[]",
  "add", "add ", "delete 1", "complete 2147483648", "list", "list pending", "update 1 to x", "show completed tasks",
];
/** Mostly short strings built from any code point, control characters, lone surrogates and printable graphemes; sometimes long. */
const nastyString = fc.oneof(
  { weight: 3, arbitrary: fc.string({ unit: fc.oneof(fc.string({ unit: "binary", minLength: 1, maxLength: 1 }), control, loneSurrogate, fc.constantFrom(...NASTY)), maxLength: 12 }) },
  { weight: 2, arbitrary: fc.constantFrom(...NASTY) },
  { weight: 1, arbitrary: fc.string({ unit: "grapheme", maxLength: 30 }) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom("a", "é", "🙂", "\u0000", "\uD800"), fc.integer({ min: 150, max: 5000 })).map(([c, n]) => c.repeat(n)) },
);

// ---- JSON with numbers JSON.stringify cannot write ---------------------------

/** A number literal written as is into the JSON text: huge, tiny, negative zero, long. */
class RawNumber {
  constructor(readonly text: string) {}
}
const rawNumber = fc
  .constantFrom("1e309", "-1e309", "1e-400", "-0", "2147483648", "4294967296", "9007199254740993", "1".repeat(40), "0.5", "1.0", "2147483647.0", "1E2", "-1")
  .map((t) => new RawNumber(t));
const number = fc.oneof(fc.integer(), fc.integer({ min: -1, max: 2 ** 31 + 1 }), fc.double(), fc.constantFrom(0, -1, 2 ** 31 - 1, 2 ** 31, 2 ** 53, Number.MAX_VALUE), rawNumber);

const { value: anyValue } = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    nastyString,
    number,
    fc.boolean(),
    fc.constant(null),
    fc.array(tie("value"), { maxLength: 4 }),
    fc.dictionary(nastyString, tie("value"), { maxKeys: 4 }),
  ),
}));

function toJson(v: unknown): string {
  if (v instanceof RawNumber) return v.text;
  if (Array.isArray(v)) return `[${v.map(toJson).join(",")}]`;
  if (v && typeof v === "object") return `{${Object.entries(v).map(([k, x]) => `${JSON.stringify(k)}:${toJson(x)}`).join(",")}}`;
  return JSON.stringify(v) ?? "null";
}

const FIELDS = ["title", "description", "completed", "message", "conversation_id", "task_id", "status", "limit", "cursor"] as const;
/** An object with some of the fields the API knows, each of any type, and sometimes unknown ones. */
const fieldsObject = fc
  .tuple(
    fc.record(Object.fromEntries(FIELDS.map((f) => [f, anyValue])) as Record<(typeof FIELDS)[number], fc.Arbitrary<unknown>>, { requiredKeys: [] }),
    fc.option(fc.dictionary(nastyString, anyValue, { maxKeys: 2 }), { freq: 4 }),
  )
  .map(([known, extra]) => ({ ...known, ...(extra ?? {}) }));
/** A plausible body: right field names with mostly well-typed values, so the fuzz also gets past validation. */
const plausibleObject = fc.record(
  {
    title: fc.oneof(nastyString, fc.constantFrom("milk", "  spaced  ", "x".repeat(200))),
    description: fc.oneof(nastyString, fc.constant(null)),
    completed: fc.oneof(fc.boolean(), anyValue),
    message: fc.oneof(nastyString, fc.constantFrom("add buy milk", "list my tasks", "what is pending", "complete 1", "delete 1", "rename 1 to x")),
    conversation_id: fc.oneof(fc.integer({ min: 1, max: 5 }), number),
  },
  { requiredKeys: [] },
);

const bytes = fc.uint8Array({ maxLength: 64 });
/** A request body: a JSON object, any JSON value, truncated JSON, raw bytes (often not UTF-8), or nothing. */
const body = fc.oneof(
  { weight: 4, arbitrary: fc.oneof(fieldsObject, plausibleObject).map(toJson) },
  { weight: 1, arbitrary: anyValue.map(toJson) },
  { weight: 1, arbitrary: fieldsObject.map(toJson).chain((t) => fc.nat({ max: Math.max(0, t.length - 1) }).map((n) => t.slice(0, n))) },
  { weight: 1, arbitrary: bytes },
  { weight: 1, arbitrary: fc.constantFrom("", " ", "null", "[]", "{}", "{", "\u0000") },
);
/** Any header value fetch will send: Latin-1 without control characters, not empty, no surrounding blanks. */
function headerValue(maxLength: number) {
  return fc
    .string({ unit: fc.integer({ min: 0x20, max: 0xff }).filter((n) => n < 0x7f || n > 0x9f).map((n) => String.fromCharCode(n)), minLength: 1, maxLength })
    .filter((h) => h.trim() === h && h !== "");
}
const contentType = fc.oneof(
  { weight: 6, arbitrary: fc.constant("application/json") },
  { weight: 1, arbitrary: fc.constantFrom(undefined, "application/json; charset=utf-8", "APPLICATION/JSON", "application/merge-patch+json", "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/json; charset=latin1", "application/jsonx") },
  { weight: 1, arbitrary: headerValue(20) },
);

// ---- paths and queries ------------------------------------------------------

const percentEncode = (b: Uint8Array) => [...b].map((x) => `%${x.toString(16).padStart(2, "0").toUpperCase()}`).join("");
/** A path segment where an id goes: mostly numbers, sometimes anything (percent-encoded bytes, malformed escapes). */
const idSegment = fc.oneof(
  { weight: 3, arbitrary: fc.integer({ min: 1, max: 8 }).map(String) },
  { weight: 2, arbitrary: fc.oneof(fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }), fc.constantFrom(0n, 2n ** 31n - 1n, 2n ** 31n)).map(String) },
  { weight: 1, arbitrary: fc.constantFrom("0", "-1", "1e3", "0x10", "01", "1.5", "%20", "%zz", "%", "%00", "%ED%A0%80", "..", ".", "%2F", "1%2F2", "٣") },
  { weight: 1, arbitrary: bytes.filter((b) => b.length > 0).map(percentEncode) },
);
const queryValue = fc.oneof(
  nastyString.map(encodeURIComponentSafe),
  bytes.map(percentEncode),
  fc.constantFrom("all", "pending", "completed", "1", "200", "201", "0", "-1", "1e2", "%zz", ""),
);
/** Cursors: garbage, and base64url of `version|time|id` with every part fuzzed, impossible dates included. */
const moment = fc
  .tuple(
    fc.integer({ min: 0, max: 9999 }),
    fc.integer({ min: 0, max: 99 }),
    fc.integer({ min: 0, max: 99 }),
    fc.integer({ min: 0, max: 99 }),
    fc.integer({ min: 0, max: 99 }),
    fc.integer({ min: 0, max: 99 }),
    fc.integer({ min: 0, max: 999999 }),
  )
  .map(([y, mo, d, h, mi, s, us]) => `${pad(y, 4)}-${pad(mo, 2)}-${pad(d, 2)}T${pad(h, 2)}:${pad(mi, 2)}:${pad(s, 2)}.${pad(us, 6)}`);
const cursorParts = fc.tuple(
  fc.constantFrom("1", "1", "1", "2", "", "1|1"),
  fc.oneof({ weight: 3, arbitrary: moment }, { weight: 1, arbitrary: nastyString }),
  fc.oneof({ weight: 3, arbitrary: fc.nat().map(String) }, { weight: 1, arbitrary: idSegment }, { weight: 1, arbitrary: nastyString }),
);
const cursor = fc.oneof(
  { weight: 1, arbitrary: queryValue },
  { weight: 3, arbitrary: cursorParts.map(([v, t, id]) => Buffer.from(`${v}|${t}|${id}`).toString("base64url")) },
);
const query = fc
  .record({ status: queryValue, limit: queryValue, cursor, other: queryValue }, { requiredKeys: [] })
  .map((q) => Object.entries(q).map(([k, v]) => `${k}=${v}`).join("&"));

function pad(n: number, width: number) {
  return String(n).padStart(width, "0");
}
function encodeURIComponentSafe(s: string): string {
  try {
    return encodeURIComponent(s);
  } catch {
    return percentEncode(Buffer.from(s)); // a lone surrogate: its U+FFFD bytes
  }
}

const ROUTES: Array<{ method: string; path: (id: string) => string; withBody?: boolean }> = [
  { method: "GET", path: () => "/tasks" },
  { method: "POST", path: () => "/tasks", withBody: true },
  { method: "GET", path: (id) => `/tasks/${id}` },
  { method: "PUT", path: (id) => `/tasks/${id}`, withBody: true },
  { method: "DELETE", path: (id) => `/tasks/${id}` },
  { method: "PATCH", path: (id) => `/tasks/${id}/complete`, withBody: true },
  { method: "POST", path: () => "/chat", withBody: true },
  { method: "GET", path: () => "/conversations" },
  { method: "GET", path: (id) => `/conversations/${id}/messages` },
];
const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];

// ---- the app, with a log that records errors ----------------------------------

interface Running {
  url: string;
  errors: string[];
  close(): Promise<void>;
}

async function startRecordingApp(tdb: TestDb): Promise<Running> {
  const errors: string[] = [];
  const logger = pino({ level: "error" }, { write: (line: string) => void errors.push(line) });
  const app = createApp({
    db: tdb.db,
    agent: new LocalAgent(),
    verifyToken: createTokenVerifier({ secret: SECRET }),
    logger,
    metrics: createMetrics(),
    bodyLimitBytes: 4096,
  });
  return new Promise((resolve) => {
    const server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, (info) =>
      resolve({ url: `http://127.0.0.1:${info.port}`, errors, close: () => new Promise<void>((r) => server.close(() => r())) }),
    );
  });
}

describe.each(["pglite", "postgres"] as const)("fuzz on %s: no input gets a 5xx or an internal error", (kind) => {
  let tdb: TestDb;
  let app: Running;
  const USER = "fuzz-user";
  let bearer: string;

  beforeAll(async () => {
    tdb = await openTestDb(kind);
    app = await startRecordingApp(tdb);
    bearer = await token(USER);
    // A few rows, so ids 1–8 and a conversation exist and the fuzz reaches past "not found".
    for (const title of ["one", "two", "three", "four"]) {
      await fetch(`${app.url}/api/${USER}/tasks`, { method: "POST", headers: { authorization: `Bearer ${bearer}`, "content-type": "application/json" }, body: JSON.stringify({ title }) });
    }
    await fetch(`${app.url}/api/${USER}/chat`, { method: "POST", headers: { authorization: `Bearer ${bearer}`, "content-type": "application/json" }, body: JSON.stringify({ message: "list my tasks" }) });
  });
  afterAll(async () => {
    await app?.close();
    await tdb?.close();
  });

  async function send(method: string, path: string, options: { body?: string | Uint8Array; type?: string; authorization?: string; accept?: string } = {}) {
    const headers: Record<string, string> = {};
    if (options.accept !== undefined) headers.accept = options.accept;
    if (options.authorization !== undefined) headers.authorization = options.authorization;
    if (options.type !== undefined) headers["content-type"] = options.type;
    app.errors.length = 0; // what this request logs
    const hasBody = options.body !== undefined && method !== "GET" && method !== "HEAD";
    const res = await fetch(`${app.url}${path}`, { method, headers, ...(hasBody ? { body: options.body as RequestInit["body"] } : {}) });
    const text = await res.text();
    return { status: res.status, text };
  }

  /** The request and answer, on failure. */
  function expectNoServerError(what: unknown, res: { status: number; text: string }) {
    expect({ what, status: res.status, text: res.text.slice(0, 300), logged: app.errors.slice(0, 2) }).toEqual(
      expect.objectContaining({ status: expect.toSatisfy((s: number) => s < 500), logged: [] }),
    );
  }

  it("REST: every route with random bodies, ids, queries and content types", async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...ROUTES), idSegment, query, body, contentType, async (route, id, q, b, type) => {
        const path = `/api/${USER}${route.path(id)}${route.method === "GET" && route.path("") === "/tasks" ? `?${q}` : ""}`;
        const res = await send(route.method, path, { authorization: `Bearer ${bearer}`, type, ...(route.withBody ? { body: b } : {}) });
        expectNoServerError({ method: route.method, path, body: b, type }, res);
        // (431: the request line over Node's 16 KiB header limit, answered before the app with no body.)
        if (res.status >= 400 && res.status !== 431 && route.method !== "HEAD") expect(JSON.parse(res.text)).toEqual({ error: { code: expect.any(String), message: expect.any(String) } });
      }),
      params,
    );
  });

  it("REST: the task list with any status, limit and cursor", async () => {
    await fc.assert(
      fc.asyncProperty(query, async (q) => {
        const res = await send("GET", `/api/${USER}/tasks?${q}`, { authorization: `Bearer ${bearer}` });
        expectNoServerError({ query: q }, res);
        if (res.status !== 200 && res.status !== 431) expect(JSON.parse(res.text).error.message).toMatch(/status|limit|cursor/);
      }),
      params,
    );
  });

  it("REST: any method on any route and odd paths, with and without a body", async () => {
    const segment = fc.oneof(idSegment, fc.constantFrom("tasks", "chat", "conversations", "messages", "complete", "api", USER, "mcp", "health", "ready", "metrics"));
    // Under the user's API, or from the root (/health, /ready, /metrics, /mcp and what is not there).
    const prefix = fc.constantFrom(`/api/${USER}/`, "/");
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...METHODS), prefix, fc.array(segment, { minLength: 0, maxLength: 5 }), fc.option(query), fc.option(body), contentType, async (method, start, segments, q, b, type) => {
        const path = `${start}${segments.join("/")}${q ? `?${q}` : ""}`;
        const res = await send(method, path, { authorization: `Bearer ${bearer}`, type, ...(b === null ? {} : { body: b }) });
        expectNoServerError({ method, path, body: b, type }, res);
      }),
      params,
    );
  });

  it("auth: random Authorization headers and validly signed tokens with any subject", async () => {
    // A subject is signed inside the property (a token is a promise), so the counterexample shows the subject.
    const authorization = fc.oneof(
      { weight: 3, arbitrary: nastyString.map((sub) => ({ signedSubject: sub })) },
      { weight: 1, arbitrary: headerValue(80).map((raw) => ({ raw })) },
      { weight: 1, arbitrary: headerValue(80).map((h) => ({ raw: `Bearer ${h}` })) },
      { weight: 1, arbitrary: fc.constantFrom("Bearer", "Bearer ", "bearer x.y.z", "Basic YTpi", "Bearer a.b.c.d").map((raw) => ({ raw })) },
    );
    const listCall = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "list_tasks", arguments: {} } });
    await fc.assert(
      fc.asyncProperty(authorization, fc.constantFrom(...ROUTES.map((r) => r), "mcp" as const), async (auth, route) => {
        const header = "raw" in auth ? auth.raw : `Bearer ${await token(auth.signedSubject)}`;
        // The path names the token's own subject, so a subject reaches the database unless refused.
        const user = "signedSubject" in auth ? encodeURIComponentSafe(auth.signedSubject) : USER;
        const res =
          route === "mcp"
            ? await send("POST", "/mcp", { authorization: header, type: "application/json", accept: "application/json, text/event-stream", body: listCall })
            : await send(route.method, `/api/${user}${route.path("1")}`, { authorization: header, type: "application/json", ...(route.withBody ? { body: '{"title":"t","message":"list"}' } : {}) });
        expectNoServerError({ route, auth }, res);
        expect(res.text).not.toMatch(/error on the server/);
      }),
      params,
    );
  });

  it("MCP: every tool with random arguments through the MCP client", async () => {
    const client = new Client({ name: "fuzz", version: "1.0.0" });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${app.url}/mcp`), { requestInit: { headers: { authorization: `Bearer ${bearer}` } } }));
    const taskArgs = fc.record({ task_id: fc.oneof(fc.integer({ min: 1, max: 8 }), number, anyValue), title: nastyString, description: fc.oneof(nastyString, fc.constant(null)) }, { requiredKeys: [] });
    const listArgs = fc.record({ status: fc.oneof(fc.constantFrom("all", "pending", "completed"), anyValue), limit: fc.oneof(fc.integer({ min: 0, max: 201 }), number), cursor }, { requiredKeys: [] });
    // Each tool mostly gets arguments shaped like its own, sometimes anything.
    const call = fc.constantFrom(...TOOL_NAMES, "no_such_tool").chain((name) =>
      fc.tuple(fc.constant(name), fc.oneof({ weight: 3, arbitrary: name === "list_tasks" ? listArgs : taskArgs }, { weight: 1, arbitrary: fieldsObject })),
    );
    try {
      await fc.assert(
        fc.asyncProperty(call, async ([name, args]) => {
          // Raw numbers go through JSON as what they parse to (a huge one as Infinity → null).
          const parsed = JSON.parse(toJson(args)) as Record<string, unknown>;
          let result: any;
          app.errors.length = 0;
          try {
            result = await client.callTool({ name, arguments: parsed });
          } catch (err) {
            // A JSON-RPC error: allowed only for a caller fault (invalid params), never an internal error.
            const code = (err as { code?: number }).code;
            expect({ name, args: parsed, code, message: (err as Error).message }).toEqual(expect.objectContaining({ code: expect.toSatisfy((c: number) => c !== -32603) }));
            return;
          }
          const text = (result.content as Array<{ text?: string }>)[0]?.text ?? "";
          expect({ name, args: parsed, text, logged: app.errors.slice(0, 2) }).toEqual(
            expect.objectContaining({ text: expect.not.stringMatching(/error on the server|unavailable/), logged: [] }),
          );
        }),
        params,
      );
    } finally {
      await client.close();
    }
  });

  it("MCP: random JSON-RPC messages and bodies posted to /mcp", async () => {
    const rpc = fc.oneof(
      fc.record({ jsonrpc: fc.oneof(fc.constant("2.0"), anyValue), id: fc.oneof(fc.nat(), nastyString, anyValue), method: fc.oneof(fc.constantFrom("tools/call", "tools/list", "initialize", "ping", "notifications/initialized", "resources/list"), nastyString), params: fc.oneof(fc.record({ name: fc.oneof(fc.constantFrom(...TOOL_NAMES), nastyString), arguments: anyValue }, { requiredKeys: [] }), anyValue) }, { requiredKeys: [] }).map(toJson),
      fc.array(fc.record({ jsonrpc: fc.constant("2.0"), id: fc.nat(), method: fc.constant("tools/call"), params: fc.record({ name: fc.constantFrom(...TOOL_NAMES), arguments: fieldsObject }) }), { maxLength: 3 }).map(toJson),
      body,
    );
    const accept = fc.constantFrom("application/json, text/event-stream", "application/json", "text/event-stream", "*/*", undefined);
    await fc.assert(
      fc.asyncProperty(fc.constantFrom("POST", "POST", "POST", "GET", "DELETE", "PUT"), rpc, contentType, accept, async (method, b, type, acc) => {
        const headers: Record<string, string> = { authorization: `Bearer ${bearer}` };
        if (type !== undefined) headers["content-type"] = type;
        if (acc !== undefined) headers.accept = acc;
        app.errors.length = 0;
        const res = await fetch(`${app.url}/mcp`, { method, headers, ...(method === "GET" ? {} : { body: b as RequestInit["body"] }) });
        const text = await res.text();
        expectNoServerError({ method, body: b, type, accept: acc }, { status: res.status, text });
        expect(text).not.toMatch(/-32603|error on the server/);
      }),
      params,
    );
  });
});
