// lint-chart: ci/cli/lint-chart.ts (helm lint --strict, helm template, schemas,
// chart policies, delivery doctor) in the toolbox: the same code the host runs.
import { type Directory, ReturnType } from "@dagger.io/dagger";
import type { ProjectConfig } from "../config/project-config.js";
import type { StepResult } from "../policies/run-record.js";
import { toolbox } from "./toolbox.js";

export async function lintChartStep(source: Directory, config: ProjectConfig): Promise<StepResult["findings"]> {
  const run = toolbox(source, config).withExec(["ci/node_modules/.bin/tsx", "ci/cli/lint-chart.ts", "--json"], { expect: ReturnType.Any });
  const out = (await run.stdout()).trim().split("\n").at(-1) ?? "";
  try {
    return JSON.parse(out) as StepResult["findings"];
  } catch {
    return [{ severity: "error", message: `lint-chart did not finish: ${(await run.stderr()).split("\n").slice(-5).join("\n")}` }];
  }
}
