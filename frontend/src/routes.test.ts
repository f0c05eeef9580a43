// @vitest-environment node
// todo.config.yaml lists the frontend's routes and health paths so probes and
// ingress rules can be checked against them; this keeps that list true to the
// files under src/app. The file is read with the frontend's own `yaml` (not
// through ci/config, whose packages only the pipeline installs); the
// pipeline's schema validates the rest of it.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

const APP_DIR = join(import.meta.dirname, "app");

/** URL paths served by page.tsx / route.ts files (route groups dropped, catch-alls cut at their parent). */
function servedPaths(dir = APP_DIR): string[] {
  const paths: string[] = [];
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) {
      paths.push(...servedPaths(full));
      continue;
    }
    if (!/^(page\.tsx|route\.ts)$/.test(name)) continue;
    const segments = relative(APP_DIR, dir)
      .split(sep)
      .filter((s) => s && !/^\(.*\)$/.test(s));
    const dynamic = segments.findIndex((s) => s.startsWith("["));
    const kept = dynamic === -1 ? segments : segments.slice(0, dynamic);
    paths.push(`/${kept.join("/")}`);
  }
  return [...new Set(paths)].sort();
}

describe("todo.config.yaml apps.frontend", () => {
  const config = parse(readFileSync(join(import.meta.dirname, "..", "..", "todo.config.yaml"), "utf8")) as {
    apps: { frontend: { routes: string[]; health: { liveness: string; readiness: string } } };
  };
  const frontend = config.apps.frontend;

  it("lists exactly the routes the app serves", () => {
    expect([...frontend.routes].sort()).toEqual(servedPaths());
  });

  it("points both probes at a route that exists and needs no database", () => {
    expect(servedPaths()).toContain(frontend.health.liveness);
    expect(servedPaths()).toContain(frontend.health.readiness);
    expect(frontend.health.liveness).toBe("/api/health");
  });
});
