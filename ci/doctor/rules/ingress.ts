// Ingress rewrites that strip the prefix the backend expects.
import { asObj, containersOf, getIn, podOwners, selectorMatches } from "../k8s.js";
import { dockerfileOf, knownAppOf } from "../links.js";
import type { Finding, Rule } from "../types.js";
import { finding } from "./finding.js";
import { PROBES, ingressBackends, probeHandler } from "./ports.js";
import { servedBy } from "./probes.js";
import { routeServing, routesUnder, where } from "../routes.js";

const REWRITE = "nginx.ingress.kubernetes.io/rewrite-target";

/** The literal prefix of an Ingress path (regex groups of ingress-nginx paths cut off). */
export function literalPrefix(path: string): string {
  const cut = path.search(/[(\[*+?$^|\\]/);
  const p = (cut >= 0 ? path.slice(0, cut) : path).replace(/\/+$/, "");
  return p;
}

export const rewriteStripsPrefix: Rule = {
  id: "ingress/rewrite-strips-prefix",
  severity: "error",
  title: "Ingress rewrite strips the prefix the backend expects",
  why: "With rewrite-target, ingress-nginx forwards /api/tasks as /tasks; a backend that routes under /api answers 404 to everything behind the Ingress while every in-cluster check passes.",
  fix: "Drop the rewrite-target annotation (or keep the prefix in it, e.g. /api/$2) so the backend receives the path it routes.",
  example: { bad: "annotations:\n  nginx.ingress.kubernetes.io/rewrite-target: /$2\n...\n  - path: /api(/|$)(.*)", good: "annotations: {}\n...\n  - path: /api\n    pathType: Prefix" },
  check(inputs) {
    const out: Finding[] = [];
    const owners = podOwners(inputs.manifests, { hooks: false });
    const containers = owners.flatMap(containersOf);
    for (const ing of inputs.manifests.filter((m) => m.kind === "Ingress" && !m.partial)) {
      const target = getIn(ing.obj, ["metadata", "annotations", REWRITE]);
      if (typeof target !== "string") continue;
      for (const b of ingressBackends(ing)) {
        const prefix = literalPrefix(b.httpPath ?? "/");
        if (prefix === "" || target.startsWith(prefix)) continue;
        // What the backend serves: our apps' routes, or the paths its own probes use.
        const svc = inputs.manifests.find((m) => m.kind === "Service" && m.name === b.service);
        const selector = asObj(getIn(svc?.obj, ["spec", "selector"]));
        const pods = svc ? owners.filter((o) => selectorMatches(selector, o.labels)) : [];
        const served: string[] = [];
        for (const c of containers.filter((x) => pods.includes(x.owner))) {
          const known = knownAppOf(inputs, c);
          if (known) served.push(...known.app.routes);
          for (const p of PROBES) {
            const h = probeHandler(asObj(c.container[p]));
            if (h?.kind === "httpGet" && typeof h.handler.path === "string") served.push(h.handler.path);
          }
        }
        // Or the routes its source defines under the prefix: the finding says where.
        const inSource = inputs.source ? routesUnder(inputs.source.routes, prefix)[0] : undefined;
        const expects = served.some((r) => r === prefix || r.startsWith(`${prefix}/`)) || inSource !== undefined;
        const because = inSource && !served.some((r) => r === prefix || r.startsWith(`${prefix}/`)) ? ` (its source routes ${inSource.path} at ${where(inSource)})` : "";
        out.push(
          finding(this, ing.locate(["metadata", "annotations", REWRITE]), `Ingress/${ing.name} rewrites ${b.httpPath} to ${target}, stripping ${prefix} before Service/${b.service}${expects ? `, whose app serves ${prefix}${because}` : "; check that the backend does not route under that prefix"}`, expects ? {} : { severity: "warning" }),
        );
      }
    }
    return out;
  },
};

export const unservedIngressPath: Rule = {
  id: "ingress/unserved-path",
  severity: "error",
  title: "Ingress path routed to an app that serves none of it",
  why: "Every request under that path answers 404 from the app behind it; the Ingress, the Service and the pods all look healthy.",
  fix: "Route only paths the app serves (apps.<app>.routes in todo.config.yaml), or send the path to the app that serves it.",
  example: { bad: "- path: /admin   # to the frontend, which serves /, /tasks, /api/auth", good: "- path: /tasks" },
  check(inputs) {
    const out: Finding[] = [];
    const owners = podOwners(inputs.manifests, { hooks: false });
    for (const ing of inputs.manifests.filter((m) => m.kind === "Ingress" && !m.partial)) {
      for (const b of ingressBackends(ing)) {
        const path = literalPrefix(b.httpPath ?? "/") || "/";
        const svc = inputs.manifests.find((m) => m.kind === "Service" && m.name === b.service);
        if (!svc || path === "/") continue;
        let sourceChecked = false;
        for (const c of owners.filter((o) => selectorMatches(getIn(svc.obj, ["spec", "selector"]), o.labels)).flatMap(containersOf)) {
          const known = knownAppOf(inputs, c);
          // Another app built from the source given: its routes say what it serves (a warning: routes of
          // frameworks the doctor does not read are unknown to it).
          if (!known && !c.init && !sourceChecked && inputs.source && inputs.source.routes.length > 0 && dockerfileOf(inputs, c)) {
            sourceChecked = true;
            const routes = inputs.source.routes;
            if (routeServing(routes, path) || routesUnder(routes, path).length > 0) continue;
            out.push(
              finding(this, ing.locate([...b.path.slice(0, -2), "path"]), `Ingress/${ing.name} sends ${path} to Service/${b.service}, but no route in the source at ${inputs.source.dir} serves it (routes found: ${[...new Set(routes.map((r) => r.path))].slice(0, 6).join(", ")}${routes.length > 6 ? ", …" : ""})`, {
                severity: "warning",
              }),
            );
            continue;
          }
          if (!known || servedBy(known.app.routes, path) || known.app.routes.some((r) => r.startsWith(path))) continue;
          out.push(finding(this, ing.locate([...b.path.slice(0, -2), "path"]), `Ingress/${ing.name} sends ${path} to the ${known.name}, which serves none of it (routes: ${known.app.routes.join(", ")})`));
        }
      }
    }
    return out;
  },
};
