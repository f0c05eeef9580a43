// check-size: total and added-over-base bytes of an image against its budget,
// measured from the tarball by the same module the image tests use.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Container, dag } from "@dagger.io/dagger";
import type { AppName, ProjectConfig } from "../config/project-config.js";
import { type BudgetVerdict, evaluateBudget, measureImageTarball } from "../images/index.js";
import { imageRef } from "../images/registry.js";

export async function checkImageSize(config: ProjectConfig, app: AppName, image: Container): Promise<BudgetVerdict> {
  const dir = await mkdtemp(join(tmpdir(), "size-"));
  try {
    // Inside a module function, export writes to the function's own container.
    const imageTar = await image.asTarball().export(join(dir, "image.tar"));
    const baseTar = await dag.container().from(imageRef(config, "bases.runtime")).asTarball().export(join(dir, "base.tar"));
    const [measured, base] = await Promise.all([measureImageTarball(imageTar), measureImageTarball(baseTar)]);
    return evaluateBudget(measured, base, config.apps[app].budget, config.apps[app].image);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
