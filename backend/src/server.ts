// Process entry: configuration, database, migrations, HTTP server, and a
// graceful shutdown on SIGTERM/SIGINT (stop accepting, finish in-flight
// requests, close the pool).
import { serve } from "@hono/node-server";
import { pino } from "pino";
import { LocalAgent } from "./agent/local.js";
import { OpenAiCompatibleAgent } from "./agent/openai.js";
import type { Agent } from "./agent/types.js";
import { createApp } from "./app.js";
import { createTokenVerifier } from "./auth.js";
import { ConfigError, loadConfig } from "./config.js";
import { openDatabase } from "./db/database.js";
import { migrateToLatest } from "./db/migrations.js";
import { createMetrics } from "./metrics.js";

async function main() {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
  // Secrets are never logged: pino redacts the headers that carry them.
  const logger = pino({ level: config.logLevel, redact: ["req.headers.authorization", "headers.authorization"] });
  let db;
  try {
    db = await openDatabase({
      ...config,
      onConnectionError: (err) => logger.warn({ err: err.message }, "database connection lost; it is replaced on the next request"),
    });
  } catch (err) {
    logger.fatal({ err: (err as Error).message }, "cannot open the database");
    process.exit(2);
  }
  logger.info({ database: db.kind }, "database opened");

  // Migrations retry while the database is still starting (e.g. beside it in a pod).
  void (async () => {
    for (let attempt = 1; ; attempt++) {
      try {
        const applied = await migrateToLatest(db.kysely);
        logger.info({ applied }, "migrations up to date");
        return;
      } catch (err) {
        logger.warn({ err: (err as Error).message, attempt }, "migrations failed; retrying");
        await new Promise((r) => setTimeout(r, Math.min(5_000, 250 * attempt)));
      }
    }
  })();

  const agent: Agent = config.llm
    ? new OpenAiCompatibleAgent({ ...config.llm, log: (msg, err) => logger.warn({ err: (err as Error)?.message }, msg) })
    : new LocalAgent();
  const app = createApp({
    db,
    agent,
    verifyToken: createTokenVerifier(config.auth),
    logger,
    metrics: createMetrics(),
    bodyLimitBytes: config.bodyLimitBytes,
  });

  const server = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, (info) => {
    logger.info({ port: info.port, agent: config.llm ? "openai-compatible" : "local" }, "listening");
  });

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "shutting down: finishing in-flight requests");
    const force = setTimeout(() => {
      logger.error("shutdown timed out; exiting");
      process.exit(1);
    }, config.shutdownTimeoutMs);
    force.unref();
    server.close(async () => {
      await db.close();
      logger.info("stopped");
      process.exit(0);
    });
    // Keep-alive sockets that go idle once their response is sent would hold
    // close() open until they time out: close them as they become idle.
    const http = server as unknown as { closeIdleConnections?: () => void };
    http.closeIdleConnections?.();
    setInterval(() => http.closeIdleConnections?.(), 100).unref();
  };
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  process.on("SIGINT", () => shutdown("SIGINT"));
}

void main();
