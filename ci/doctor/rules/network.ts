// House policy on NetworkPolicies: a default deny for ingress and egress, every
// pod selected by a specific policy, only the frontend open to sources outside
// the release, and every port a policy opens one its pods listen on.
import { asArr, asObj, getIn, podOwners, resolvePort, selectorMatches, type PodOwner } from "../k8s.js";
import { knownAppOf } from "../links.js";
import type { DoctorInputs, Finding, Manifest, Rule } from "../types.js";
import { finding } from "./finding.js";

const policies = (inputs: DoctorInputs) => inputs.manifests.filter((m) => m.kind === "NetworkPolicy");
const policyTypes = (np: Manifest): string[] => asArr(getIn(np.obj, ["spec", "policyTypes"])).map(String).concat(getIn(np.obj, ["spec", "policyTypes"]) ? [] : ["Ingress"]);
const selects = (np: Manifest, o: PodOwner) => selectorMatches(getIn(np.obj, ["spec", "podSelector"]), o.labels, true);

/** The policy with no rules for both directions selecting every pod of the release. */
function defaultDeny(inputs: DoctorInputs): Manifest | undefined {
  const owners = podOwners(inputs.manifests);
  return policies(inputs).find((np) => {
    const types = policyTypes(np);
    return types.includes("Ingress") && types.includes("Egress") && asArr(getIn(np.obj, ["spec", "ingress"])).length === 0 && asArr(getIn(np.obj, ["spec", "egress"])).length === 0 && owners.every((o) => selects(np, o));
  });
}

const head = { severity: "error", policy: true } as const;

export const noDefaultDeny: Rule = {
  id: "network/default-deny",
  ...head,
  title: "No default-deny NetworkPolicy",
  why: "Without a policy denying everything by default, every pod accepts traffic from and sends traffic to anywhere; the specific policies then only add, never restrict.",
  fix: "Add a NetworkPolicy with an empty podSelector (or the release's labels), policyTypes [Ingress, Egress] and no rules.",
  example: { bad: "# only per-app policies", good: "kind: NetworkPolicy\nspec:\n  podSelector: {}\n  policyTypes: [Ingress, Egress]" },
  check(inputs) {
    if (podOwners(inputs.manifests).length === 0 || defaultDeny(inputs)) return [];
    const first = policies(inputs)[0] ?? inputs.manifests[0]!;
    return [finding(this, first.locate(["kind"]), "no default-deny NetworkPolicy (no rules, policyTypes Ingress and Egress, selecting every pod of the release)")];
  },
};

export const uncoveredPods: Rule = {
  id: "network/uncovered",
  ...head,
  title: "Pods no specific NetworkPolicy selects",
  why: "Pods only the default deny selects can reach nothing and be reached by nothing (or, without a default deny, everything).",
  fix: "Add a NetworkPolicy naming the flows these pods need.",
  example: { bad: "# a Deployment with no policy of its own", good: "kind: NetworkPolicy\nspec:\n  podSelector: { matchLabels: { app.kubernetes.io/component: worker } }" },
  check(inputs) {
    const deny = defaultDeny(inputs);
    return podOwners(inputs.manifests)
      .filter((o) => !policies(inputs).some((np) => np !== deny && selects(np, o)))
      .map((o) => finding(this, o.manifest.locate([...o.templatePath, "metadata", "labels"]), `no NetworkPolicy selects the pods of ${o.manifest.kind}/${o.manifest.name}`));
  },
};

export const openIngress: Rule = {
  id: "network/open-ingress",
  ...head,
  title: "NetworkPolicy lets any source reach a pod that is not the entry point",
  why: "Only the frontend is meant to be reached from outside the release (ingress controller, NodePort); an ingress rule without `from` (or from 0.0.0.0/0) opens the backend or the database to the whole cluster.",
  fix: "Name the allowed pods with podSelector (and namespaceSelector for the ingress controller).",
  example: { bad: "ingress:\n  - ports: [{ port: http }]", good: "ingress:\n  - from: [{ podSelector: { matchLabels: { app.kubernetes.io/component: frontend } } }]\n    ports: [{ port: http }]" },
  check(inputs) {
    const out: Finding[] = [];
    const deny = defaultDeny(inputs);
    for (const o of podOwners(inputs.manifests)) {
      const containers = asArr(o.spec.containers).map(asObj);
      if (containers.some((c) => knownAppOf(inputs, { container: c })?.name === "frontend")) continue;
      for (const np of policies(inputs).filter((p) => p !== deny && selects(p, o))) {
        asArr(getIn(np.obj, ["spec", "ingress"])).forEach((rule, i) => {
          const from = asArr(getIn(rule, ["from"]));
          if (from.length === 0 || from.some((peer) => getIn(peer, ["ipBlock", "cidr"]) === "0.0.0.0/0")) {
            out.push(finding(this, np.locate(["spec", "ingress", i]), `NetworkPolicy/${np.name} lets any source reach ${o.manifest.kind}/${o.manifest.name}`));
          }
        });
      }
    }
    return out;
  },
};

export const unknownPort: Rule = {
  id: "network/unknown-port",
  ...head,
  title: "NetworkPolicy port that its pods do not listen on",
  why: "A policy that allows a port nobody listens on leaves the real port blocked: the flow the policy was written for fails.",
  fix: "Use the target container's named port (or the same value as its containerPort).",
  example: { bad: "ingress:\n  - ports: [{ port: 8001 }]   # the backend listens on 8000", good: "ingress:\n  - ports: [{ port: http }]" },
  check(inputs) {
    const out: Finding[] = [];
    const owners = podOwners(inputs.manifests);
    const listens = (o: PodOwner, port: unknown) => asArr(o.spec.containers).some((c) => resolvePort(port, asObj(c)) !== undefined);
    for (const np of policies(inputs)) {
      for (const dir of ["ingress", "egress"] as const) {
        asArr(getIn(np.obj, ["spec", dir])).forEach((rule, ri) => {
          // Ingress ports are the selected pods'; egress ports those of the release's pods it names.
          const peers = asArr(getIn(rule, ["to"])).filter((p) => asObj(p).podSelector !== undefined && asObj(p).namespaceSelector === undefined);
          const targets = dir === "ingress" ? owners.filter((o) => selects(np, o)) : owners.filter((o) => peers.some((p) => selectorMatches(getIn(p, ["podSelector"]), o.labels, true)));
          asArr(getIn(rule, ["ports"])).forEach((p, pi) => {
            const port = getIn(p, ["port"]);
            if (port === undefined) return;
            for (const o of targets.filter((t) => !listens(t, port))) {
              out.push(finding(this, np.locate(["spec", dir, ri, "ports", pi, "port"]), `NetworkPolicy/${np.name} allows ${dir} to port ${String(port)} of ${o.manifest.kind}/${o.manifest.name}, which does not listen on it`));
            }
          });
        });
      }
    }
    return out;
  },
};

export const NETWORK_RULES: Rule[] = [noDefaultDeny, uncoveredPods, openIngress, unknownPort];
export type { Finding };
