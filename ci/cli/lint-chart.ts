// The lint-chart step's checks, run the same way on the host (`npm run
// pipeline:lint-chart`) and inside the Dagger step's container: helm lint
// --strict for each values file, helm template over them, the Kubernetes
// schemas and chart policies, and the delivery doctor on chart + Dockerfiles.
import { join } from "node:path";
import { loadProjectConfig, REPO_ROOT } from "../config/load.js";
import type { ProjectConfig } from "../config/project-config.js";
import { runDoctor } from "../doctor/index.js";
import { formatFindings, loadSchemaValidator, readChartSources, runChartGate } from "../policies/chart/index.js";
import type { StepResult } from "../policies/run-record.js";
import { chartLintRuns, helmLintArgs, helmTemplateArgs, projectConfigValues, runHelm } from "../tools/helm.js";

type Findings = StepResult["findings"];

export async function lintChart(root: string, config: ProjectConfig, opts: { helm?: string } = {}): Promise<Findings> {
  const findings: Findings = [];
  const chart = join(root, config.chart.path);
  const helm = { cwd: root, ...(opts.helm ? { helm: opts.helm } : {}) };

  for (const run of chartLintRuns(config, chart)) {
    try {
      await runHelm(helmLintArgs(run), helm);
    } catch (err) {
      findings.push({ severity: "error", message: `helm lint --strict ${run.valuesFiles?.join(" ") ?? "(defaults)"}: ${(err as Error).message}` });
    }
  }

  const renderings: { name: string; text: string }[] = [];
  for (const valuesFile of [undefined, ...config.chart.valuesFiles]) {
    const name = valuesFile ?? "defaults";
    try {
      const argv = helmTemplateArgs({
        release: config.chart.release,
        namespace: config.chart.namespace,
        chart,
        kubeVersion: config.versions.kubernetes!,
        ...projectConfigValues(config),
        ...(valuesFile ? { valuesFiles: [join(chart, valuesFile)] } : {}),
      });
      renderings.push({ name, text: (await runHelm(argv, helm)).stdout });
    } catch (err) {
      findings.push({ severity: "error", message: `helm template with ${name}: ${(err as Error).message}` });
    }
  }

  const gate = runChartGate({ renderings, sources: readChartSources(chart), config, validator: loadSchemaValidator(config.versions.kubernetes!) });
  for (const f of gate) findings.push({ severity: f.severity === "error" ? "error" : "warning", message: formatFindings([f]) });

  const doctor = await runDoctor({
    chartPath: chart,
    valuesFiles: config.chart.valuesFiles.map((f) => join(chart, f)),
    dockerfiles: Object.values(config.apps).map((a) => join(root, a.dockerfile)),
    renderedManifests: renderings[0]?.text ?? "",
    projectConfig: config,
    cwd: root,
  });
  for (const f of doctor) findings.push({ severity: f.severity, message: `${f.file}:${f.line} ${f.rule}: ${f.message} (fix: ${f.fix})` });
  return findings;
}

// CLI: prints findings; with --json, the findings array (what the Dagger step reads).
if (import.meta.url === `file://${process.argv[1]}`) {
  const root = process.env.REPO_ROOT ?? REPO_ROOT;
  const findings = await lintChart(root, loadProjectConfig(root));
  if (process.argv.includes("--json")) console.log(JSON.stringify(findings));
  else console.log(findings.length ? findings.map((f) => `${f.severity}: ${f.message}`).join("\n") : "lint-chart: no findings");
  process.exitCode = findings.some((f) => f.severity === "error") ? 1 : 0;
}
