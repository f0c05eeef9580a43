import { readFileSync } from "node:fs";
import { join, matchesGlob } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../config/load.js";
import { ContextFilterError, admits, contextFilter } from "./context-filter.js";

// The same planted tree and expectations as docker/test/dockerignore.test.ts, where the engine applies the files.
const planted = [
  "package.json", "package-lock.json", "tsconfig.json", "README.md", ".git/config", ".env", "server.pem", "secrets/id_rsa",
  "docker/healthcheck.mjs", "backend/package.json", "backend/src/server.ts", "backend/src/server.test.ts", "backend/.env",
  "backend/.env.local", "backend/node_modules/pg/index.js", "backend/dist/server.js", "backend/test/db.test.ts", "backend/.npmrc",
  "frontend/package.json", "frontend/src/app/page.tsx", "frontend/src/app/page.test.tsx", "frontend/.env.production",
  "frontend/.next/cache/x", "frontend/node_modules/next/index.js", "frontend/e2e/chat.spec.ts", "frontend/certs/tls.key",
  "node_modules/vitest/index.js",
];
const expected = {
  backend: ["backend/package.json", "backend/src/server.ts", "docker/healthcheck.mjs", "package-lock.json", "package.json", "tsconfig.json"],
  frontend: ["docker/healthcheck.mjs", "frontend/package.json", "frontend/src/app/page.tsx", "package-lock.json", "package.json", "tsconfig.json"],
};
// .dockerignore's leading "**/" matches at any depth, including the root; Node's glob needs that spelled out.
const matches = (path: string, pattern: string): boolean =>
  matchesGlob(path, pattern) ||
  (pattern.startsWith("**/") && path.split("/").some((_, i, parts) => matchesGlob(parts.slice(i).join("/"), pattern.slice(3))));

describe("contextFilter", () => {
  for (const app of ["backend", "frontend"] as const) {
    it(`turns docker/${app}/Dockerfile.dockerignore into include/exclude patterns admitting what the engine admits`, () => {
      const filter = contextFilter(readFileSync(join(REPO_ROOT, `docker/${app}/Dockerfile.dockerignore`), "utf8"));
      expect(filter.include).toContain(app === "backend" ? "backend" : "frontend");
      expect(filter.exclude).toContain("**/.env*");
      expect(planted.filter((p) => admits(filter, p, matches)).sort()).toEqual(expected[app]);
    });
  }

  it("refuses an ignore file that is not an allow-list, or admits nothing", () => {
    expect(() => contextFilter("node_modules\n.env\n")).toThrow(ContextFilterError);
    expect(() => contextFilter("node_modules\n")).toThrow(/must start with "\*"/);
    expect(() => contextFilter("# only a comment\n*\n**/.env*\n")).toThrow(/admits nothing/);
  });
});
