// lint-chart: ci/cli/lint-chart.ts (helm lint --strict, helm template, the
// Kubernetes and values schemas, then the delivery doctor with the house policy)
// in the toolbox: the same code the host runs. Findings carry rule, file and line.
import { type Container, type Directory, ReturnType } from "@dagger.io/dagger";
import { PROJECT_CONFIG_FILE, type ProjectConfig } from "../config/project-config.js";
import type { StepResult } from "../policies/run-record.js";
import { toolbox } from "./toolbox.js";

/**
 * The pipeline code lint-chart runs: ci/'s lockfiles, its CLI and what that imports (not the
 * steps, pipelines or the module), so an edit to the rest of ci/ does not rerun lint-chart.
 */
export const LINT_CHART_CODE = ["ci/package.json", "ci/package-lock.json", "ci/cli/lint-chart.ts", "ci/config", "ci/doctor", "ci/images", "ci/policies", "ci/tools"] as const;
const LINT_CHART_CODE_EXCLUDES = ["ci/**/*.test.ts", "ci/doctor/fixtures"];

/**
 * What lint-chart reads: the config, the chart, the Dockerfiles the doctor links
 * containers to, and its own code (LINT_CHART_CODE). An app's source is not among
 * them, so a backend change does not rerun lint-chart.
 */
export function lintChartInputs(config: ProjectConfig): string[] {
  const dockerfiles = Object.values(config.apps).map((a) => a.dockerfile);
  return [PROJECT_CONFIG_FILE, config.chart.path, ...dockerfiles, ...LINT_CHART_CODE, ...(config.scan.offlineDb ? [config.scan.offlineDb.path] : [])];
}

/** The container lint-chart runs in (also what the ci pipeline probes for its cache state). */
export function lintChartContainer(source: Directory, config: ProjectConfig): Container {
  return toolbox(source.filter({ include: lintChartInputs(config), exclude: LINT_CHART_CODE_EXCLUDES }), config).withExec(["ci/node_modules/.bin/tsx", "ci/cli/lint-chart.ts", "--json"], { expect: ReturnType.Any });
}

export async function lintChartStep(source: Directory, config: ProjectConfig): Promise<StepResult["findings"]> {
  const run = lintChartContainer(source, config);
  const out = (await run.stdout()).trim().split("\n").at(-1) ?? "";
  try {
    return JSON.parse(out) as StepResult["findings"];
  } catch {
    return [{ severity: "error", message: `lint-chart did not finish: ${(await run.stderr()).split("\n").slice(-5).join("\n")}` }];
  }
}
