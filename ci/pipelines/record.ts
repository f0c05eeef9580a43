// What every recorded pipeline function (ci, deploy, build) shares: a step run
// with its cache state probed, and the run record around the steps.
import { type Container, type Directory, type File, dag } from "@dagger.io/dagger";
import type { ProjectConfig } from "../config/project-config.js";
import type { ImageProvenance } from "../images/build-args.js";
import { digestOf, imagesPulledBy, recordedImages } from "../images/registry.js";
import { type RunRecord, type StepResult, overallVerdict, runStep } from "../policies/run-record.js";
import { probeCache } from "../steps/cache.js";

/**
 * runStep, then whether its result came from the engine's cache: `result` (read
 * once the step is over) is probed when there is one (ci/steps/cache.ts).
 */
export async function probedStep(
  config: ProjectConfig,
  name: string,
  work: Parameters<typeof runStep>[1],
  result: () => Container | Directory | File | undefined,
): Promise<StepResult> {
  const started = Date.now();
  const step = await runStep(name, work);
  const computed = result();
  const cache = computed ? await probeCache(config, computed, started) : undefined;
  return cache ? { ...step, cache } : step;
}

/** The run record of `fn` over its steps. */
export async function runRecordOf(
  config: ProjectConfig,
  fn: string,
  args: Record<string, string>,
  provenance: ImageProvenance,
  startedAt: string,
  steps: StepResult[],
  scan?: RunRecord["scan"],
): Promise<RunRecord> {
  return {
    schema: "todo-pipeline/run-record@1",
    function: fn,
    args,
    commit: /^[0-9a-f]{40}$/.test(provenance.revision) ? provenance.revision : "unknown",
    dirty: args.dirty === "true",
    startedAt,
    versions: config.versions,
    // The images this run pulls (a deploy elsewhere than k3s never resolves k3s): pinned digests,
    // or with a registry the digests its tags resolved to (Container.imageRef right after from).
    images: await recordedImages(config, imagesPulledBy(fn, args.target), async (ref) => digestOf(await dag.container().from(ref).imageRef())),
    ...(scan ? { scan } : {}),
    steps,
    verdict: overallVerdict(steps),
  };
}
