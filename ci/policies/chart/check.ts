// The chart gate: every rule over the rendered objects, findings sorted for stable output.
import type { ChartPolicyConfig, Rule } from "./context.js";
import { checkImagesPinned } from "./rules-images.js";
import { checkNetworkPolicies } from "./rules-network.js";
import { checkPorts, uniqueNames } from "./rules-ports.js";
import { checkProbes } from "./rules-probes.js";
import { checkResources } from "./rules-resources.js";
import { checkSecretsInRenderedObjects } from "./rules-secrets.js";
import { checkPodSecurity } from "./rules-security.js";
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
