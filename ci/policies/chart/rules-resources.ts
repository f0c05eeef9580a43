// Every container declares CPU and memory requests and limits, and no request exceeds its limit.
import type { Rule } from "./context.js";
import { finding, type Finding } from "./types.js";
import { allContainers, podTemplates } from "./workloads.js";

const SUFFIX: Record<string, number> = {
  "": 1, m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};

/** A Kubernetes quantity ("500m", "1Gi", 2) as a number, or undefined when malformed. */
export function parseQuantity(q: unknown): number | undefined {
  if (typeof q === "number") return Number.isFinite(q) ? q : undefined;
  if (typeof q !== "string") return undefined;
  const m = /^([0-9]+(?:\.[0-9]+)?)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/.exec(q.trim());
  if (!m) return undefined;
  return Number(m[1]) * SUFFIX[m[2] ?? ""]!;
}

export const checkResources: Rule = (manifests) => {
  const out: Finding[] = [];
  for (const t of podTemplates(manifests)) {
    for (const { c, path } of allContainers(t.spec)) {
      const name = c.name ?? path;
      for (const kind of ["requests", "limits"] as const) {
        for (const res of ["cpu", "memory"] as const) {
          const v = c.resources?.[kind]?.[res];
          const at = `${t.specPath}.${path}.resources.${kind}.${res}`;
          if (v === undefined || v === null || v === "") {
            out.push(finding(t.owner, { rule: "resources/declared", path: at, message: `container ${name} has no ${res} ${kind}`, fix: `set resources.${kind}.${res}` }));
          } else if (parseQuantity(v) === undefined) {
            out.push(finding(t.owner, { rule: "resources/declared", path: at, message: `container ${name} ${res} ${kind} "${String(v)}" is not a quantity`, fix: "use a quantity such as 250m or 256Mi" }));
          }
        }
      }
      for (const res of ["cpu", "memory"] as const) {
        const req = parseQuantity(c.resources?.requests?.[res]);
        const lim = parseQuantity(c.resources?.limits?.[res]);
        if (req !== undefined && lim !== undefined && req > lim) {
          out.push(finding(t.owner, { rule: "resources/request-within-limit", path: `${t.specPath}.${path}.resources`, message: `container ${name} requests more ${res} than its limit`, fix: "lower the request or raise the limit" }));
        }
      }
    }
  }
  return out;
};
