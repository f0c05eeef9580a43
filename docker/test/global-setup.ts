// Starts the Docker Engine and builds the local base images once per run.
// A failure is handed to the tests (which report it) instead of aborting the
// run, so the tests that need no engine still run and pass.
import type { TestProject } from "vitest/node";
import { ensureEngineAndBases } from "../../scripts/images/docker.js";

declare module "vitest" {
  export interface ProvidedContext {
    engineError: string;
  }
}

export default async function setup(project: TestProject) {
  const started = performance.now();
  try {
    await ensureEngineAndBases();
    project.provide("engineError", "");
    console.log(`images: engine and base images ready in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  } catch (err) {
    project.provide("engineError", (err as Error).message);
  }
}
