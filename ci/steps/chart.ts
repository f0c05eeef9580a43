// lint-chart: ci/cli/lint-chart.ts (helm lint --strict, helm template, the
// Kubernetes and values schemas, then the delivery doctor with the house policy)
// in the toolbox: the same code the host runs. Findings carry rule, file and line.
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
