// The HTTP API. createApp wires routes to the database, the agent and the
// token verifier it is given, so tests run it in-process on an ephemeral port.
import { randomUUID } from "node:crypto";
import { type Context, Hono, type MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { Logger } from "pino";
import { z } from "zod";
import { ConversationNotFound, chatTurn, listConversations, listMessages } from "./agent/chat.js";
import type { Agent } from "./agent/types.js";
import type { TokenVerifier } from "./auth.js";
import { type Db, isDatabaseUnavailable } from "./db/database.js";
import { isMigrated } from "./db/migrations.js";
import { HttpError, errorBody, sendError, unavailable } from "./http/errors.js";
import { idParam, readJson } from "./http/validate.js";
import { handleMcpRequest } from "./mcp.js";
import type { Metrics } from "./metrics.js";
import { InvalidCursor, createTask, deleteTask, getTask, listTasks, setCompleted, toTaskJson, updateTask } from "./tasks/repository.js";
import { LIST_LIMIT_DEFAULT, LIST_LIMIT_MAX, dbId, description, message, statusFilter, title } from "./tasks/validation.js";

export interface AppDeps {
  db: Db;
  agent: Agent;
  verifyToken: TokenVerifier;
  logger: Logger;
  metrics: Metrics;
  bodyLimitBytes: number;
}

// log: the request's logger (its lines carry the request id), made on first use.
type Vars = { Variables: { requestId: string; userId: string; log: () => Logger } };

const createBody = z.strictObject({ title, description: description.optional() });
const updateBody = z
  .strictObject({ title: title.optional(), description: description.optional(), completed: z.boolean().optional() })
  .refine((b) => Object.keys(b).length > 0, "send at least one of title, description, completed");
const completeBody = z.strictObject({ completed: z.boolean().optional() }).optional();
const chatBody = z.strictObject({ conversation_id: dbId().optional(), message });

const databaseUnavailable = () => unavailable("database_unavailable", "the database is unavailable right now; retry in a few seconds");

export function createApp(deps: AppDeps) {
  const { db, agent, verifyToken, logger, metrics } = deps;
  const app = new Hono<Vars>();
  const notFound = (what: string) => new HttpError(404, "not_found", `${what} was not found`);

  // Request id, access log and metrics for every request.
  app.use("*", async (c, next) => {
    const incoming = c.req.header("x-request-id");
    const requestId = incoming && /^[\w.-]{1,128}$/.test(incoming) ? incoming : randomUUID();
    // Most requests log only the access line below, which names the request
    // id itself: a child logger (pino serialises its bindings) is made only
    // for a request that logs something else.
    let log: Logger | undefined;
    c.set("requestId", requestId);
    c.set("log", () => (log ??= logger.child({ requestId })));
    const started = performance.now();
    await next();
    c.res.headers.set("x-request-id", requestId);
    const route = c.req.routePath || "unmatched";
    const seconds = (performance.now() - started) / 1000;
    metrics.requests.inc({ method: c.req.method, route, status: String(c.res.status) });
    metrics.duration.observe({ method: c.req.method, route }, seconds);
    if (route !== "/health" && route !== "/metrics") {
      logger.info({ requestId, method: c.req.method, path: c.req.path, status: c.res.status, ms: Math.round(seconds * 1000) }, "request");
    }
  });

  app.onError((err, c) => {
    if (isDatabaseUnavailable(err)) {
      c.get("log")?.().warn({ err: err.message }, "database unavailable");
      err = databaseUnavailable();
    }
    if (err instanceof HttpError) return sendError(c, err.status, err.code, err.message, err.headers);
    if (err instanceof ConversationNotFound) return sendError(c, 404, "not_found", err.message);
    c.get("log")?.().error({ err }, "unhandled error");
    return sendError(c, 500, "internal_error", "something went wrong on our side; the request id is in the x-request-id header");
  });
  app.notFound((c) => sendError(c, 404, "not_found", `no route for ${c.req.method} ${c.req.path}`));

  // Liveness: never touches the database or its pool.
  app.get("/health", (c) => c.json({ status: "ok" }));
  // Readiness: the database answers (on a connection of its own, so a busy pool
  // does not delay it) and this build's migrations are applied (checked until
  // true once; migrations only ever run forward).
  let migrated = false;
  app.get("/ready", async (c) => {
    try {
      await db.ping();
      if (!migrated && !(migrated = await isMigrated(db.kysely))) return c.json({ status: "migrating" }, 503, { "retry-after": "5" });
      return c.json({ status: "ready" });
    } catch {
      return c.json({ status: "database unavailable" }, 503, { "retry-after": "5" });
    }
  });
  app.get("/metrics", async (c) => c.text(await metrics.registry.metrics(), 200, { "content-type": metrics.registry.contentType }));

  const tooLarge = (c: Context) => sendError(c, 413, "body_too_large", `request body exceeds ${deps.bodyLimitBytes} bytes`);
  const countingLimit = bodyLimit({ maxSize: deps.bodyLimitBytes, onError: tooLarge });
  // Hono's bodyLimit looks at c.req.raw.body, which makes @hono/node-server
  // build a full WHATWG Request (AbortController, web streams) for every
  // request, GETs included: a fifth of a create's CPU in a --cpu-prof. The
  // same limit without it: GET and HEAD have no body, and a declared
  // Content-Length is all Node's HTTP parser will read; a body without one
  // (chunked) is still counted by Hono's reader as it arrives.
  const limit: MiddlewareHandler = async (c, next) => {
    if (c.req.method === "GET" || c.req.method === "HEAD") return next();
    const length = c.req.header("content-length");
    if (length === undefined || c.req.header("transfer-encoding") !== undefined) return countingLimit(c, next);
    return Number.parseInt(length || "0", 10) > deps.bodyLimitBytes ? tooLarge(c) : next();
  };

  // MCP: the user is the token's subject.
  app.all("/mcp", limit, async (c) => {
    const userId = await verifyToken(c.req.header("authorization"));
    return handleMcpRequest(c.req.raw, db, userId, metrics, c.get("log")());
  });

  const api = new Hono<Vars>();
  api.use("*", limit, async (c, next) => {
    const userId = await verifyToken(c.req.header("authorization"));
    if (c.req.param("user_id") !== userId) throw new HttpError(403, "forbidden", "the path's user is not the signed-in user");
    c.set("userId", userId);
    await next();
  });

  // One page of tasks, newest first. The body stays a plain Task[]; the next
  // page's cursor travels in the X-Next-Cursor header (and a Link rel="next"),
  // absent on the last page.
  api.get("/tasks", async (c) => {
    const status = statusFilter.safeParse(c.req.query("status") ?? "all");
    if (!status.success) throw new HttpError(400, "invalid_query", "status must be one of all, pending, completed");
    const limitText = c.req.query("limit");
    const limit = limitText === undefined ? LIST_LIMIT_DEFAULT : /^\d{1,4}$/.test(limitText) ? Number(limitText) : NaN;
    if (!(limit >= 1 && limit <= LIST_LIMIT_MAX)) throw new HttpError(400, "invalid_query", `limit must be an integer from 1 to ${LIST_LIMIT_MAX}, got "${limitText}"`);
    const cursor = c.req.query("cursor");
    let page;
    try {
      page = await listTasks(db, c.get("userId"), { status: status.data, limit, cursor: cursor || undefined });
    } catch (err) {
      if (err instanceof InvalidCursor) throw new HttpError(400, "invalid_query", err.message);
      throw err;
    }
    if (page.nextCursor) {
      const next = new URLSearchParams({ status: status.data, limit: String(limit), cursor: page.nextCursor });
      c.header("x-next-cursor", page.nextCursor);
      c.header("link", `<${c.req.path}?${next}>; rel="next"`);
    }
    return c.json(page.tasks.map(toTaskJson));
  });
  api.post("/tasks", async (c) => {
    const body = await readJson(c, createBody);
    return c.json(toTaskJson(await createTask(db, c.get("userId"), body.title, body.description)), 201);
  });
  api.get("/tasks/:id", async (c) => {
    const id = idParam(c);
    const task = await getTask(db, c.get("userId"), id);
    if (!task) throw notFound(`task ${id}`);
    return c.json(toTaskJson(task));
  });
  api.put("/tasks/:id", async (c) => {
    const id = idParam(c);
    const body = await readJson(c, updateBody);
    const task = await updateTask(db, c.get("userId"), id, body);
    if (!task) throw notFound(`task ${id}`);
    return c.json(toTaskJson(task));
  });
  api.delete("/tasks/:id", async (c) => {
    const id = idParam(c);
    if (!(await deleteTask(db, c.get("userId"), id))) throw notFound(`task ${id}`);
    return c.body(null, 204);
  });
  api.patch("/tasks/:id/complete", async (c) => {
    const id = idParam(c);
    const body = await readJson(c, completeBody, { optional: true });
    const task = await setCompleted(db, c.get("userId"), id, body?.completed);
    if (!task) throw notFound(`task ${id}`);
    return c.json(toTaskJson(task));
  });

  api.post("/chat", async (c) => {
    const body = await readJson(c, chatBody);
    return c.json(await chatTurn(db, agent, c.get("userId"), body));
  });
  api.get("/conversations", async (c) => c.json(await listConversations(db, c.get("userId"))));
  api.get("/conversations/:id/messages", async (c) => c.json(await listMessages(db, c.get("userId"), idParam(c))));

  app.route("/api/:user_id", api);
  return app;
}

export { errorBody };
