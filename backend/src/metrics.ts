import { Counter, Histogram, Registry, collectDefaultMetrics } from "prom-client";

export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const requests = new Counter({
    name: "http_requests_total",
    help: "HTTP requests by method, route and status",
    labelNames: ["method", "route", "status"],
    registers: [registry],
  });
  const duration = new Histogram({
    name: "http_request_duration_seconds",
    help: "HTTP request duration by method and route",
    labelNames: ["method", "route"],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const toolCalls = new Counter({
    name: "todo_tool_calls_total",
    help: "Task tool calls by tool and caller",
    labelNames: ["tool", "via"],
    registers: [registry],
  });
  return { registry, requests, duration, toolCalls };
}

export type Metrics = ReturnType<typeof createMetrics>;
