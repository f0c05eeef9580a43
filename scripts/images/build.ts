// `npm run images:build [-- backend|frontend ...] [--upstream-bases]`: builds the
// app images from the working tree as the pipeline does (same Dockerfiles, build
// arguments from todo.config.yaml), tags them <image>:dev and prints each one's
// size verdict. Local bases by default (no registry here); --upstream-bases uses
// the Dockerfiles' pinned defaults, for machines that can pull them.
import { join } from "node:path";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { loadProjectConfig } from "../../ci/config/load.js";
import type { AppName } from "../../ci/config/project-config.js";
import { localBaseRef } from "../../ci/images/build-args.js";
import { evaluateBudget } from "../../ci/images/budget.js";
import { measureImageTarball } from "../../ci/images/measure.js";
import { buildImage, docker, ensureEngineAndBases } from "./docker.js";

const config = loadProjectConfig();
const args = process.argv.slice(2);
const upstream = args.includes("--upstream-bases");
const named = args.filter((a) => !a.startsWith("--"));
const unknown = named.filter((a) => !(a in config.apps));
if (unknown.length) {
  console.error(`images:build: unknown app ${unknown.join(", ")}; choose from ${Object.keys(config.apps).join(", ")}`);
  process.exit(2);
}
const apps = (named.length ? named : Object.keys(config.apps)) as AppName[];

const work = mkdtempSync(join(tmpdir(), "images-build-"));
let failed = false;
try {
  await ensureEngineAndBases();
  const baseTar = join(work, "base.tar");
  const base = upstream ? undefined : (await docker(["save", "-o", baseTar, localBaseRef(config, "runtime")]), await measureImageTarball(baseTar));
  for (const app of apps) {
    const tag = `${config.apps[app].image}:dev`;
    const b = await buildImage(app, tag, { localBases: !upstream });
    console.log(`${tag}: built in ${b.seconds.toFixed(1)} s, ${b.steps.filter((s) => s.cached).length}/${b.steps.length} steps from the cache`);
    if (base) {
      const tarball = join(work, `${app}.tar`);
      await docker(["save", "-o", tarball, tag]);
      const verdict = evaluateBudget(await measureImageTarball(tarball), base, config.apps[app].budget, tag);
      console.log(verdict.message);
      failed ||= !verdict.ok;
    }
  }
} catch (err) {
  console.error((err as Error).message);
  failed = true;
} finally {
  rmSync(work, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
