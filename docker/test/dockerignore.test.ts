// Proves with the real engine that BuildKit reads docker/<app>/Dockerfile.dockerignore
// (context = repository root) and that it keeps secrets, tests, dependencies
// and build output out of the build context: a probe build of a planted tree
// exports exactly the files its COPY received.
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, describe, expect, inject, it } from "vitest";
import { REPO_ROOT } from "../../ci/config/load.js";
import { DOCKER, run } from "../../scripts/images/docker.js";

const planted = [
  "package.json", "package-lock.json", "tsconfig.json", "README.md", ".git/config", ".env", "server.pem", "secrets/id_rsa",
  "docker/healthcheck.mjs", "docker/test/images.test.ts", "ci/images/measure.ts", "helm/todo-app/values.yaml",
  "backend/package.json", "backend/src/server.ts", "backend/src/server.test.ts", "backend/.env", "backend/.env.local",
  "backend/node_modules/pg/index.js", "backend/dist/server.js", "backend/test/db.test.ts", "backend/vitest.config.ts", "backend/.npmrc",
  "frontend/package.json", "frontend/src/app/page.tsx", "frontend/src/app/page.test.tsx", "frontend/.env.production",
  "frontend/.next/cache/x", "frontend/node_modules/next/index.js", "frontend/e2e/chat.spec.ts", "frontend/vitest.config.ts", "frontend/certs/tls.key",
  "node_modules/vitest/index.js",
];

const expected: Record<string, string[]> = {
  backend: ["backend/package.json", "backend/src/server.ts", "docker/healthcheck.mjs", "package-lock.json", "package.json", "tsconfig.json"],
  frontend: ["docker/healthcheck.mjs", "frontend/package.json", "frontend/src/app/page.tsx", "package-lock.json", "package.json", "tsconfig.json"],
};

function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(relative(dir, p));
    }
  };
  walk(dir);
  return out.sort();
}

const work = mkdtempSync(join(tmpdir(), "images-dockerignore-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("Dockerfile-specific .dockerignore", () => {
  for (const app of ["backend", "frontend"] as const) {
    it(`lets only the ${app} build's inputs into the context`, async () => {
      expect(inject("engineError")).toBe("");
      const ctx = join(work, app, "ctx");
      for (const f of planted) {
        mkdirSync(join(ctx, f, ".."), { recursive: true });
        writeFileSync(join(ctx, f), `planted ${f}\n`);
      }
      // The real ignore file beside a probe Dockerfile that copies the whole context.
      cpSync(join(REPO_ROOT, `docker/${app}/Dockerfile.dockerignore`), join(ctx, `docker/${app}/Dockerfile.dockerignore`));
      writeFileSync(join(ctx, `docker/${app}/Dockerfile`), "FROM scratch\nCOPY . /\n");
      const out = join(work, app, "out");
      const r = await run(DOCKER, ["build", "-q", "-f", `docker/${app}/Dockerfile`, "-o", `type=local,dest=${out}`, "."], {
        cwd: ctx, env: { ...process.env, DOCKER_BUILDKIT: "1" }, timeoutMs: 120_000,
      });
      expect(r.code, r.stderr).toBe(0);
      expect(listFiles(out)).toEqual(expected[app]);
    });
  }
});
