// The chart gate: every rule over the rendered objects, findings sorted for stable output.
import type { ChartPolicyConfig, Rule } from "./context.js";
import { checkImagesPinned } from "./rules-images.js";
import { checkNetworkPolicies } from "./rules-network.js";
import { checkPorts, uniqueNames } from "./rules-ports.js";
import { checkProbes } from "./rules-probes.js";
import { checkResources } from "./rules-resources.js";
import { checkSecretsInRenderedObjects } from "./rules-secrets.js";
import { checkPodSecurity } from "./rules-security.js";
import { parseManifests, parseValuesFile } from "./manifests.js";
import { checkValuesSchema } from "./values-schema.js";
import { scanChartSources, type SourceFile } from "./rules-secrets.js";
import { validateAgainstSchemas, type SchemaValidator } from "./schema.js";
import type { Finding, Manifest } from "./types.js";

export const CHART_RULES: Readonly<Record<string, Rule>> = {
  security: checkPodSecurity,
  resources: checkResources,
  probes: checkProbes,
  ports: checkPorts,
  images: checkImagesPinned,
  secrets: checkSecretsInRenderedObjects,
  network: checkNetworkPolicies,
  names: (m) => uniqueNames(m),
};

/** Runs every chart rule on `helm template` output parsed with parseManifests(). */
export function checkRenderedChart(manifests: readonly Manifest[], config: ChartPolicyConfig): Finding[] {
  const findings = Object.values(CHART_RULES).flatMap((rule) => rule(manifests, config));
  return findings.sort((a, b) => (a.object + a.rule + (a.path ?? "")).localeCompare(b.object + b.rule + (b.path ?? "")));
}

export interface ChartGateInput {
  /** `helm template` stdout of each rendering (e.g. one per values file). */
  renderings: readonly { name: string; text: string }[];
  /** Chart sources from readChartSources() (values files, templates, NOTES). */
  sources: readonly SourceFile[];
  config: ChartPolicyConfig;
  validator: SchemaValidator;
}

/**
 * Everything the lint-chart step checks after `helm lint`: per rendering the
 * Kubernetes schemas and every policy, plus the source scan once. Findings of a
 * rendering carry its name in front of the object ("minikube: Deployment/x").
 */
export function runChartGate(input: ChartGateInput): Finding[] {
  const out: Finding[] = [...scanChartSources(input.sources)];
  const schema = input.sources.find((s) => s.path === "values.schema.json");
  const values = input.sources.find((s) => s.path === "values.yaml");
  if (schema && values) {
    try {
      out.push(...checkValuesSchema(schema.text, parseValuesFile(values.text, values.path)));
    } catch {
      // a values.yaml that does not parse is already a values/parse finding of scanChartSources
    }
  }
  for (const r of input.renderings) {
    let manifests: Manifest[];
    try {
      manifests = parseManifests(r.text);
    } catch (err) {
      out.push({ rule: "render/parse", severity: "error", object: r.name, message: (err as Error).message, fix: "fix the template that renders invalid YAML" });
      continue;
    }
    for (const f of [...validateAgainstSchemas(manifests, input.validator), ...checkRenderedChart(manifests, input.config)]) {
      out.push({ ...f, object: `${r.name}: ${f.object}` });
    }
  }
  return out;
}
