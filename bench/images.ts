// `npm run bench:images`: what building and starting the two images costs.
// Builds from a snapshot of the working tree (so the one-line change never
// touches the shared tree), on the local bases, and prints a table:
//   cold build (--no-cache: every step runs; npm's download cache mount stays warm),
//   no-op rebuild, rebuild after a one-line backend change (which steps re-ran),
//   image size total and added over the runtime base, container start to ready.
import { appendFileSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO_ROOT, loadProjectConfig } from "../ci/config/load.js";
import { type AppName, appNames } from "../ci/config/project-config.js";
import { localBaseRef } from "../ci/images/build-args.js";
import { evaluateBudget, formatBytes } from "../ci/images/budget.js";
import { measureImageTarball } from "../ci/images/measure.js";
import { DOCKER, buildImage, docker, ensureEngineAndBases, gitProvenance, httpStatus, publishedAddress, run, snapshotWorkingTree, waitHealthy, type BuildResult } from "../scripts/images/docker.js";
import { startHostPostgres } from "../docker/test/support/postgres.js";

const config = loadProjectConfig();
const apps: AppName[] = appNames(config);
const id = `${Date.now().toString(36)}`;
const tag = (app: AppName) => `${config.apps[app].image}:bench-${id}`;
const work = mkdtempSync(join(tmpdir(), "bench-images-"));
const ctx = join(work, "ctx");
const rows: Array<[string, string, string]> = [];
const secs = (b: BuildResult) => `${b.seconds.toFixed(1)} s`;
const cleanup: Array<() => Promise<unknown>> = [];
const progress = (what: string) => console.error(`bench:images: ${what}`);

async function main() {
  progress("engine and local bases");
  await ensureEngineAndBases();
  // BENCH_SOURCE=<dir> benchmarks another tree of the same layout instead of the working tree.
  snapshotWorkingTree(ctx, process.env.BENCH_SOURCE ?? REPO_ROOT);
  const provenance = await gitProvenance();
  for (const app of apps) cleanup.push(() => run(DOCKER, ["rmi", tag(app)]));
  // Each rebuild moves the tag; the images it leaves behind go too.
  const builtIds = new Set<string>();
  cleanup.push(() => (builtIds.size ? run(DOCKER, ["rmi", ...builtIds]) : Promise.resolve()));
  const build = async (app: AppName, opts: { noCache?: boolean } = {}) => {
    const b = await buildImage(app, tag(app), { context: ctx, provenance, ...opts });
    builtIds.add(b.imageId);
    return b;
  };

  progress(`snapshot in ${ctx}; cold builds`);
  const cold: Record<string, BuildResult> = {};
  for (const app of apps) cold[app] = await build(app, { noCache: true });
  rows.push(["cold build (--no-cache)", secs(cold.backend!), secs(cold.frontend!)]);

  progress("no-op rebuilds");
  const noop: Record<string, BuildResult> = {};
  for (const app of apps) noop[app] = await build(app);
  rows.push(["no-op rebuild", secs(noop.backend!), secs(noop.frontend!)]);
  rows.push(["  steps re-run", String(noop.backend!.steps.filter((s) => !s.cached).length), String(noop.frontend!.steps.filter((s) => !s.cached).length)]);

  // One line changed in the backend's sources.
  const src = join(ctx, "backend", "src");
  const target = existsSync(src) ? readdirSync(src).filter((f) => f.endsWith(".ts") && !f.includes(".test.")).sort()[0] : undefined;
  if (!target) throw new Error("bench: backend/src has no .ts file to change");
  appendFileSync(join(src, target), `\n// bench ${id}\n`);
  progress(`rebuilds after a one-line change in backend/src/${target}`);
  const changed: Record<string, BuildResult> = {};
  for (const app of apps) changed[app] = await build(app);
  rows.push([`rebuild after 1-line change in backend/src/${target}`, secs(changed.backend!), secs(changed.frontend!)]);
  const rerun = (b: BuildResult) => b.steps.filter((s) => !s.cached).map((s) => s.name.replace(/^\[([^\]]+)\].*$/, "$1")).join(", ") || "none";
  rows.push(["  steps re-run", rerun(changed.backend!), rerun(changed.frontend!)]);

  progress("sizes");
  const baseTar = join(work, "base.tar");
  await docker(["save", "-o", baseTar, localBaseRef(config, "runtime")]);
  const base = await measureImageTarball(baseTar);
  const sizes: Record<string, { total: string; added: string }> = {};
  for (const app of apps) {
    const tarball = join(work, `${app}.tar`);
    await docker(["save", "-o", tarball, tag(app)]);
    const v = evaluateBudget(await measureImageTarball(tarball), base, config.apps[app].budget, app);
    sizes[app] = {
      total: `${formatBytes(v.totalBytes)} (budget ${formatBytes(v.budget.totalBytes)})`,
      added: `${formatBytes(v.addedBytes)} (budget ${formatBytes(v.budget.addedBytes)})`,
    };
  }
  rows.push(["image size, total", sizes.backend!.total, sizes.frontend!.total]);
  rows.push([`image size, added over ${formatBytes(base.totalBytes)} base`, sizes.backend!.added, sizes.frontend!.added]);

  // Start to ready: `docker run` until the readiness path answers 200, and until Docker says healthy.
  progress("start to ready");
  const pg = await startHostPostgres();
  cleanup.push(() => pg.stop());
  const network = `bench-images-${id}`;
  await docker(["network", "create", network]);
  cleanup.push(() => run(DOCKER, ["network", "rm", network]));
  const env: Record<AppName, string[]> = {
    backend: ["-e", `DATABASE_URL=${pg.containerUrl}`, "-e", `JWT_SECRET=${id}-bench-secret-0123456789abcdef`],
    frontend: ["-e", `BACKEND_URL=http://backend:${config.apps.backend.port}`, "-e", `DATABASE_URL=${pg.containerUrl}`,
      "-e", `BETTER_AUTH_SECRET=${id}-bench-secret-0123456789abcdef`, "-e", `BETTER_AUTH_URL=http://localhost:${config.apps.frontend.port}`],
  };
  const ready: Record<string, string> = {};
  const healthy: Record<string, string> = {};
  for (const app of apps) {
    const name = `bench-${app}-${id}`;
    cleanup.unshift(() => run(DOCKER, ["rm", "-f", name]));
    const t0 = performance.now();
    await docker(["run", "-d", "--name", name, "--network", network, "--network-alias", app, "--read-only", "--tmpfs", "/tmp",
      "--add-host", "host.docker.internal:host-gateway", "-p", `127.0.0.1::${config.apps[app].port}`, ...env[app], tag(app)]);
    const url = `http://${await publishedAddress(name, config.apps[app].port)}${config.apps[app].health.readiness}`;
    for (;;) {
      const status = await httpStatus(url, 1000);
      if (status >= 200 && status < 300) break;
      if (performance.now() - t0 > 120_000) throw new Error(`bench: ${app} not ready at ${url} after 120 s`);
      await new Promise((r) => setTimeout(r, 50));
    }
    ready[app] = `${Math.round(performance.now() - t0)} ms`;
    await waitHealthy(name, 120_000);
    healthy[app] = `${((performance.now() - t0) / 1000).toFixed(1)} s`;
  }
  rows.push(["start to ready (readiness 200)", ready.backend!, ready.frontend!]);
  rows.push(["start to HEALTHCHECK healthy (5 s interval)", healthy.backend!, healthy.frontend!]);
}

function printTable() {
  const head: [string, string, string] = ["", "backend", "frontend"];
  const widths = [0, 1, 2].map((i) => Math.max(...[head, ...rows].map((r) => r[i]!.length)));
  const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i]!)).join(" | ")} |`;
  console.log([line(head), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...rows.map(line)].join("\n"));
}

async function cleanUp() {
  for (const c of cleanup.splice(0)) await c().catch(() => undefined);
  rmSync(work, { recursive: true, force: true });
}
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
  process.once(signal, () => void cleanUp().finally(() => process.exit(130)));
}

try {
  await main();
  printTable();
} catch (err) {
  if (rows.length) printTable();
  console.error((err as Error).message);
  process.exitCode = 1;
} finally {
  await cleanUp();
}
