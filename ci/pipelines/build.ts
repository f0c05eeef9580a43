// build: both images in parallel, each a recorded step; the tarballs and the run record.
import { type Container, type Directory, dag } from "@dagger.io/dagger";
import { type AppName, type ProjectConfig, appNames } from "../config/project-config.js";
import type { ImageProvenance } from "../images/build-args.js";
import type { RunRecord, StepResult } from "../policies/run-record.js";
import { buildBareImage, withProvenance } from "../steps/build.js";
import { probedStep, runRecordOf } from "./record.js";

export interface BuiltImages {
  /** build-<app>, one per app; a failed build fails its step, not the others. */
  steps: StepResult[];
  /** Without the provenance labels: what the scans and size checks read (the same for every commit that leaves its files alone). */
  bare: Partial<Record<AppName, Container>>;
  /** Labelled: what is exported, published and deployed. */
  images: Partial<Record<AppName, Container>>;
}

export async function buildSteps(source: Directory, config: ProjectConfig, provenance: ImageProvenance): Promise<BuiltImages> {
  const bare: BuiltImages["bare"] = {};
  const images: BuiltImages["images"] = {};
  const steps = await Promise.all(
    appNames(config).map((app) =>
      probedStep(
        config,
        `build-${app}`,
        async () => {
          const built = await (await buildBareImage(source, config, app)).sync();
          bare[app] = built;
          images[app] = withProvenance(built, provenance);
        },
        () => bare[app],
      ),
    ),
  );
  return { steps, bare, images };
}

/** The build function: <app>.tar of each image that built, and the run record (its verdict says whether all did). */
export async function runBuild(source: Directory, config: ProjectConfig, provenance: ImageProvenance, args: Record<string, string>): Promise<{ record: RunRecord; artifacts: Directory }> {
  const startedAt = new Date().toISOString();
  const { steps, images } = await buildSteps(source, config, provenance);
  const record = await runRecordOf(config, "build", args, provenance, startedAt, steps);
  let artifacts = dag.directory().withNewFile("run-record.json", `${JSON.stringify(record, null, 2)}\n`);
  for (const [app, image] of Object.entries(images)) artifacts = artifacts.withFile(`${app}.tar`, image.asTarball());
  return { record, artifacts };
}
