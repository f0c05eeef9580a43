// The chart policies are delivery doctor rules now (ci/doctor/rules, the house
// policy ones marked `policy`). This keeps the shapes the chart tests use:
// rendered objects and source files in, Finding[] (rule, object, source) out.
import { analyze } from "../../doctor/doctor.js";
import { RULES } from "../../doctor/rules/index.js";
import type { DoctorProjectConfig, Finding as DoctorFinding, Manifest as DoctorManifest, TemplateFile } from "../../doctor/types.js";
import { parseYamlFile } from "../../doctor/yaml-source.js";
import { describe, type Finding, type Manifest } from "./types.js";

const asFinding = (f: DoctorFinding, object: string): Finding => ({ rule: f.rule, severity: f.severity, object, source: f.file, message: f.message, fix: f.fix });

/** Every doctor rule (house policy included) on `helm template` output parsed with parseManifests(). */
export function checkRenderedChart(manifests: readonly Manifest[], config: DoctorProjectConfig): Finding[] {
  const objects: DoctorManifest[] = manifests.map((m) => ({
    kind: m.kind ?? "",
    name: m.metadata?.name ?? "",
    obj: m as Record<string, unknown>,
    locate: () => ({ file: m.__source ?? describe(m), line: 1 }),
  }));
  const inputs = { chartDir: ".", valuesFiles: [], templates: [], manifests: objects, complete: true, dockerfiles: [], externalNames: [], project: config, policy: true };
  // Without the values files it cannot tell a Secret created outside the chart (existingSecret) from a
  // missing one: reference/not-created runs in lint-chart and the doctor, which have them.
  return analyze(inputs, RULES.filter((r) => r.id !== "reference/not-created")).map((f) => asFinding(f, f.file));
}

export interface SourceFile {
  /** Path relative to the chart, e.g. values.yaml or templates/NOTES.txt. */
  path: string;
  text: string;
}

/** The doctor's source rules (plaintext secrets, duplicate keys, NOTES printing secrets) on chart files read as text. */
export function scanChartSources(files: readonly SourceFile[]): Finding[] {
  const templates: TemplateFile[] = files.filter((f) => f.path.startsWith("templates/")).map((f) => ({ file: f.path, rel: f.path, text: f.text }));
  const yaml = (re: RegExp) => files.filter((f) => re.test(f.path)).map((f) => parseYamlFile(f.path, f.text));
  const chartYaml = yaml(/^Chart\.ya?ml$/)[0];
  const inputs = { chartDir: ".", ...(chartYaml ? { chartYaml } : {}), valuesFiles: yaml(/(^|\/)values[^/]*\.ya?ml$/), templates, manifests: [], complete: false, dockerfiles: [], externalNames: [], policy: true };
  return analyze(inputs).map((f) => ({ ...asFinding(f, f.file), source: `${f.file}:${f.line}` }));
}
