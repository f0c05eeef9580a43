// Probes aimed at paths the image does not serve.
import { allContainers, asObj } from "../k8s.js";
import { dockerfileOf, knownAppOf } from "../links.js";
import type { Finding, Rule } from "../types.js";
import { finding } from "./finding.js";
import { isPlaceholder } from "../text-render.js";
import { PROBES, probeHandler } from "./ports.js";

/** Whether an app serving `routes` answers `path` ("/" is the root page only; other routes cover their subpaths). */
export function servedBy(routes: readonly string[], path: string): boolean {
  const p = path.split("?")[0]!;
  return routes.some((r) => r === p || (r !== "/" && p.startsWith(r.endsWith("/") ? r : `${r}/`)));
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");

export const unservedPath: Rule = {
  id: "probe/unserved-path",
  severity: "error",
  title: "Probe aimed at a path the app does not serve",
  why: "An HTTP probe on a 404 path fails every time: a liveness probe restarts the pod forever, a readiness probe keeps it out of the Service, and no build or lint step notices.",
  fix: "Aim the probe at one of the app's health routes (apps.<app>.health in todo.config.yaml), or add the route to the app and to apps.<app>.routes.",
  example: { bad: "livenessProbe: { httpGet: { path: /healthz, port: http } }   # the backend serves /health", good: "livenessProbe: { httpGet: { path: /health, port: http } }" },
  check(inputs) {
    const out: Finding[] = [];
    for (const c of allContainers(inputs.manifests)) {
      const known = knownAppOf(inputs, c);
      if (!known) continue;
      for (const probeName of PROBES) {
        const h = probeHandler(asObj(c.container[probeName]));
        if (h?.kind !== "httpGet" || typeof h.handler.path !== "string" || isPlaceholder(h.handler.path)) continue;
        if (servedBy(known.app.routes, h.handler.path)) continue;
        out.push(
          finding(this, c.owner.manifest.locate([...c.path, probeName, "httpGet", "path"]), `${probeName} of container "${c.name}" (app ${known.name}) requests ${h.handler.path}, which is not among the routes the app serves (${known.app.routes.join(", ")})`),
        );
      }
    }
    return out;
  },
};

export const unconfirmedPath: Rule = {
  id: "probe/unconfirmed-path",
  severity: "warning",
  title: "Probe path nothing confirms the image serves",
  why: "For images the doctor knows nothing about, a probe path is a guess unless the image's own HEALTHCHECK or configuration names it; a wrong guess restarts the pod forever.",
  fix: "Check the path against the app (curl it in the container), then name it in the Dockerfile (HEALTHCHECK or ENV HEALTH_PATH) so the doctor can confirm it, or declare the app's routes in todo.config.yaml.",
  example: { bad: "readinessProbe: { httpGet: { path: /ready } }   # Dockerfile mentions no /ready", good: "ENV HEALTH_PATH=/ready\nHEALTHCHECK CMD [\"node\", \"healthcheck.js\"]" },
  check(inputs) {
    const out: Finding[] = [];
    for (const c of allContainers(inputs.manifests)) {
      if (knownAppOf(inputs, c)) continue;
      const df = dockerfileOf(inputs, c);
      for (const probeName of PROBES) {
        const h = probeHandler(asObj(c.container[probeName]));
        if (h?.kind !== "httpGet" || typeof h.handler.path !== "string" || isPlaceholder(h.handler.path)) continue;
        const path = h.handler.path.split("?")[0]!;
        if (df && path !== "/" && new RegExp(`(^|[^\\w/.-])${escapeRe(path)}(?![\\w/.-])`, "m").test(df.text)) continue;
        out.push(
          finding(this, c.owner.manifest.locate([...c.path, probeName, "httpGet", "path"]), `${probeName} of container "${c.name}" requests ${h.handler.path}; ${df ? `its Dockerfile ${df.file} does not mention that path` : "no Dockerfile given for its image"}, so nothing confirms the image serves it`),
        );
      }
    }
    return out;
  },
};
