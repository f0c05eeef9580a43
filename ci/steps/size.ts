// check-size: total and added-over-base bytes of an image against its budget,
// measured from the tarballs by the same module the image tests use. The
// measurement is an exec over the image's and the base's tarballs, so the
// engine reuses its verdict until the image (or the measuring code) changes.
import { type Container, type Directory, ReturnType, dag } from "@dagger.io/dagger";
import type { AppName, ProjectConfig } from "../config/project-config.js";
import { BaseMismatchError, type BudgetVerdict } from "../images/index.js";
import { imageRef } from "../images/registry.js";
import { toolbox } from "./toolbox.js";

/** What the measurement reads of the repository: ci/'s lockfiles (the toolbox installs from them), the measuring code and its CLI. */
export const SIZE_INPUTS = ["ci/package.json", "ci/package-lock.json", "ci/images", "ci/cli/check-size.ts"] as const;

/** The exec that measures `image` (also what the ci pipeline probes for its cache state). */
export function sizeContainer(source: Directory, config: ProjectConfig, app: AppName, image: Container): Container {
  const { image: name, budget } = config.apps[app];
  return toolbox(source.filter({ include: [...SIZE_INPUTS] }), config)
    .withMountedFile("/in/image.tar", image.asTarball())
    .withMountedFile("/in/base.tar", dag.container().from(imageRef(config, "bases.runtime")).asTarball())
    .withExec(["ci/node_modules/.bin/tsx", "ci/cli/check-size.ts", "/in/image.tar", "/in/base.tar", name, String(budget.totalBytes), String(budget.addedBytes)], {
      expect: ReturnType.Any,
    });
}

export async function checkImageSize(source: Directory, config: ProjectConfig, app: AppName, image: Container): Promise<BudgetVerdict> {
  const run = sizeContainer(source, config, app, image);
  const last = (await run.stdout()).trim().split("\n").at(-1) ?? "";
  let parsed: BudgetVerdict | { error: string };
  try {
    parsed = JSON.parse(last) as BudgetVerdict | { error: string };
  } catch {
    throw new Error(`check-size did not finish: ${(await run.stderr()).trim().split("\n").slice(-5).join("\n")}`);
  }
  if ("error" in parsed) throw new BaseMismatchError(parsed.error);
  return parsed;
}
