// The `helm test` pod, rendered by the real helm, then its very command run
// with the host's node against real HTTP servers standing in for the two
// Services (no cluster here): it must pass when both answer 2xx and fail,
// naming the URL, when one does not.
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../../ci/config/load.js";
import { at, config, one, render } from "./chart.js";

const run = promisify(execFile);

let pod: Record<string, unknown>;
let command: string[];
let env: Record<string, string>;

function serve(status: (path: string) => number): Promise<{ server: Server; base: string; hits: string[] }> {
  const hits: string[] = [];
  const server = createServer((req, res) => {
    hits.push(req.url ?? "");
    res.writeHead(status(req.url ?? "")).end("{}");
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve({ server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits })));
}

const servers: Server[] = [];
afterAll(() => servers.forEach((s) => s.close()));

beforeAll(async () => {
  const m = await render();
  pod = one(m, "Pod", "-test") as unknown as Record<string, unknown>;
  command = at(pod, "spec.containers.0.command") as string[];
  env = Object.fromEntries((at(pod, "spec.containers.0.env") as { name: string; value: string }[]).map((e) => [e.name, e.value]));
});

describe("helm test pod", () => {
  it("is a test hook deleted after success, on the backend image, running node", () => {
    expect(at(pod, "metadata.annotations")).toMatchObject({ "helm.sh/hook": "test" });
    expect(at(pod, "spec.containers.0.image")).toBe(`${config.apps.backend.image}:0.1.0`);
    // The backend image's own node (its ENTRYPOINT), so the pod needs no shell and no extra image.
    expect(command.slice(0, 2)).toEqual(["/nodejs/bin/node", "-e"]);
    expect(readFileSync(join(REPO_ROOT, "docker/backend/Dockerfile"), "utf8")).toMatch(/^ENTRYPOINT \["\/nodejs\/bin\/node"\]$/m);
  });

  it("targets the backend's readiness and the frontend's health through their Services", () => {
    expect(env.SMOKE_URLS!.split(" ")).toEqual([
      `http://todo-todo-app-backend:${config.apps.backend.port}${config.apps.backend.health.readiness}`,
      `http://todo-todo-app-frontend:${config.apps.frontend.port}${config.apps.frontend.health.readiness}`,
    ]);
  });

  it("exits 0 when both answer 2xx", async () => {
    const be = await serve(() => 200);
    const fe = await serve(() => 200);
    servers.push(be.server, fe.server);
    const urls = `${be.base}${config.apps.backend.health.readiness} ${fe.base}${config.apps.frontend.health.readiness}`;
    const { stdout } = await run(process.execPath, command.slice(1), { env: { ...env, SMOKE_URLS: urls, SMOKE_DELAY_MS: "10" } });
    expect(stdout).toContain(`ok   ${be.base}/ready: HTTP 200 after 1 attempt(s)`);
    expect(be.hits).toEqual(["/ready"]);
    expect(fe.hits).toEqual(["/api/health"]);
  });

  it("exits 1 naming the URL when the backend stays unready (503), after retrying", async () => {
    const be = await serve(() => 503);
    const fe = await serve(() => 200);
    servers.push(be.server, fe.server);
    const urls = `${be.base}/ready ${fe.base}/api/health`;
    const err = (await run(process.execPath, command.slice(1), { env: { ...env, SMOKE_URLS: urls, SMOKE_ATTEMPTS: "3", SMOKE_DELAY_MS: "10" } }).catch((e: unknown) => e)) as { code: number; stdout: string };
    expect(err.code).toBe(1);
    expect(err.stdout).toContain(`FAIL ${be.base}/ready: HTTP 503 after 3 attempt(s)`);
    expect(be.hits).toHaveLength(3);
  });

  it("exits 1 when a Service does not answer at all", async () => {
    const gone = await serve(() => 200);
    const base = gone.base;
    await new Promise((r) => gone.server.close(r));
    const err = (await run(process.execPath, command.slice(1), { env: { ...env, SMOKE_URLS: `${base}/ready`, SMOKE_ATTEMPTS: "2", SMOKE_DELAY_MS: "10" } }).catch((e: unknown) => e)) as { code: number; stdout: string };
    expect(err.code).toBe(1);
    expect(err.stdout).toMatch(/FAIL .*\/ready: ECONNREFUSED after 2 attempt\(s\)/);
  });
});
