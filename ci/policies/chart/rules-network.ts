// NetworkPolicies: a default deny for ingress and egress, every pod selected
// by a specific policy, and only the frontend open to sources outside the
// release (ingress controller, NodePort).
import type { Rule } from "./context.js";
import { describe, finding, type Finding } from "./types.js";
import { appOfImage, get, isEmptySelector, isObj, podTemplates, selectorMatches } from "./workloads.js";

function policyTypes(np: unknown): string[] {
  const t = get(np, "spec", "policyTypes");
  return Array.isArray(t) ? t.map(String) : ["Ingress"];
}

export const checkNetworkPolicies: Rule = (manifests, config) => {
  const out: Finding[] = [];
  const policies = manifests.filter((m) => m.kind === "NetworkPolicy");
  const templates = podTemplates(manifests);
  if (templates.length === 0) return out;

  // A default deny: no rules, both directions, selecting every pod of the release
  // (an empty podSelector would also catch other releases' pods in the namespace).
  const denyAll = policies.find((np) => {
    const types = policyTypes(np);
    const ing = get(np, "spec", "ingress");
    const eg = get(np, "spec", "egress");
    const sel = get(np, "spec", "podSelector");
    return types.includes("Ingress") && types.includes("Egress") &&
      (!Array.isArray(ing) || ing.length === 0) && (!Array.isArray(eg) || eg.length === 0) &&
      templates.every((t) => isEmptySelector(sel) || selectorMatches(sel, t.labels));
  });
  if (!denyAll) {
    out.push({ rule: "network/default-deny", severity: "error", object: "NetworkPolicy/*", message: "no default-deny NetworkPolicy (no rules, policyTypes Ingress and Egress, selecting every pod of the release)", fix: "add one so that only the listed flows are allowed" });
  }

  for (const t of templates) {
    const specific = policies.filter((np) => np !== denyAll && selectorMatches(get(np, "spec", "podSelector"), t.labels));
    if (specific.length === 0) {
      out.push(finding(t.owner, { rule: "network/covered", path: `${t.specPath === "spec" ? "metadata" : "spec.template.metadata"}.labels`, message: "no NetworkPolicy selects these pods, so they get only the default (deny all, or allow all when there is no default deny)", fix: "add a policy naming the flows these pods need" }));
      continue;
    }
    const isFrontend = (t.spec.containers ?? []).some((c) => appOfImage(c.image, config.apps) === "frontend");
    if (isFrontend) continue;
    for (const np of specific) {
      const ingress = get(np, "spec", "ingress");
      (Array.isArray(ingress) ? ingress : []).forEach((rule: unknown, i) => {
        const from = get(rule, "from");
        const open = !Array.isArray(from) || from.length === 0 || from.some((peer) => isObj(peer) && get(peer, "ipBlock", "cidr") === "0.0.0.0/0");
        if (open) {
          out.push(finding(np, { rule: "network/open-ingress", path: `spec.ingress[${i}].from`, message: `lets any source reach ${describe(t.owner)}; only the frontend may be reachable from outside the release`, fix: "name the allowed pods with podSelector" }));
        }
      });
    }
  }
  return out;
};
