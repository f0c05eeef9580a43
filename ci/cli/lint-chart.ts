// The lint-chart step's checks, run the same way on the host (`npm run
// pipeline:lint-chart`) and inside the Dagger step's container: helm lint
// --strict for each values file, helm template over them, the Kubernetes and
// values schemas, then the delivery doctor (house policy included) on each
// rendering with the Dockerfiles. Findings carry rule, file and line; one
// defect seen by several renderings is reported once.
import { existsSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { loadProjectConfig, REPO_ROOT } from "../config/load.js";
import type { ProjectConfig } from "../config/project-config.js";
import { analyze, buildInputs, readChart, readDockerfiles } from "../doctor/index.js";
import type { Finding as DoctorFinding, Manifest as DoctorManifest, Path } from "../doctor/types.js";
import { checkValuesSchema, loadSchemaValidator, parseManifests, parseValuesFile, validateAgainstSchemas, type Finding as SchemaFinding } from "../policies/chart/index.js";
import type { StepResult } from "../policies/run-record.js";
import { chartLintRuns, helmLintArgs, helmTemplateArgs, projectConfigValues, runHelm } from "../tools/helm.js";

type Findings = StepResult["findings"];
type Structured = Findings[number] & { rule: string; file: string; line: number };

const asRecord = (f: DoctorFinding): Structured => ({ severity: f.severity, rule: f.rule, file: f.file, line: f.line, message: `${f.file}:${f.line} ${f.rule}: ${f.message} (fix: ${f.fix})` });

/** "spec.containers[0].image" → ["spec", "containers", 0, "image"] */
const toPath = (p: string | undefined): Path => (p && p !== "(root)" ? p.split(/\.|(?=\[)/).map((s) => (/^\[\d+\]$/.test(s) ? Number(s.slice(1, -1)) : s)) : []);

/** A schema finding where the doctor locates the object's key (template or values line). */
function locateSchema(f: SchemaFinding, manifests: readonly DoctorManifest[], chartFile: string): DoctorFinding {
  const [kind, name] = f.object.split("/");
  const m = manifests.find((x) => x.kind === kind && x.name === name);
  const at = m?.locate(toPath(f.path)) ?? { file: chartFile, line: 1 };
  return { rule: f.rule, severity: f.severity, file: at.file, line: at.line, message: `${f.object}${f.path ? ` ${f.path}` : ""}: ${f.message}`, fix: f.fix ?? "" };
}

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

  const validator = loadSchemaValidator(config.versions.kubernetes!);
  const dockerfiles = readDockerfiles(Object.values(config.apps).map((a) => join(root, a.dockerfile)), root);
  const chartFile = relative(root, join(chart, "Chart.yaml"));
  const doctor: DoctorFinding[] = [];
  for (const valuesFile of [undefined, ...config.chart.valuesFiles]) {
    const name = valuesFile ?? "defaults";
    const valuesFiles = valuesFile ? [join(chart, valuesFile)] : [];
    let rendered: { renderedManifests: string } | { renderError: string };
    try {
      const argv = helmTemplateArgs({ release: config.chart.release, namespace: config.chart.namespace, chart, kubeVersion: config.versions.kubernetes!, ...projectConfigValues(config), valuesFiles });
      rendered = { renderedManifests: (await runHelm(argv, helm)).stdout };
    } catch (err) {
      findings.push({ severity: "error", message: `helm template with ${name}: ${(err as Error).message}` });
      rendered = { renderError: (err as Error).message };
    }
    const inputs = buildInputs({ chart: readChart(chart, valuesFiles, root), dockerfiles, ...rendered, projectConfig: config, policy: true });
    if ("renderedManifests" in rendered && inputs.renderError === undefined) {
      doctor.push(...validateAgainstSchemas(parseManifests(rendered.renderedManifests), validator).map((f) => locateSchema(f, inputs.manifests, chartFile)));
    }
    doctor.push(...analyze(inputs));
  }

  // values.schema.json itself: a misspelt keyword silently drops a constraint.
  const values = readChart(chart, [], root).values;
  const schema = join(chart, "values.schema.json");
  if (values && existsSync(schema)) {
    const file = relative(root, schema);
    let defaults: unknown;
    try {
      defaults = parseValuesFile(values.text, values.file);
    } catch {
      // a values.yaml that does not parse is the doctor's values/invalid-yaml or values/duplicate-key
    }
    if (defaults !== undefined) {
      doctor.push(...checkValuesSchema(readFileSync(schema, "utf8"), defaults, file).map((f) => ({ rule: f.rule, severity: f.severity, file, line: 1, message: f.message, fix: f.fix ?? "" })));
    }
  }

  const seen = new Set<string>();
  for (const f of doctor) {
    const key = `${f.rule} ${f.file}:${f.line} ${f.message}`;
    if (!seen.has(key)) findings.push(asRecord(f));
    seen.add(key);
  }
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
