// Probes aimed at paths the image does not serve.
import { allContainers, asObj, type Obj } from "../k8s.js";
import { finalStage, type Dockerfile } from "../dockerfile.js";
import { dockerfileOf, knownAppOf } from "../links.js";
import type { Finding, Rule } from "../types.js";
import { finding } from "./finding.js";
import { isPlaceholder } from "../text-render.js";
import { routeServing } from "../routes.js";
import { PROBES, probeHandler } from "./ports.js";

/** Whether an app serving `routes` answers `path` ("/" is the root page only; other routes cover their subpaths). */
export function servedBy(routes: readonly string[], path: string): boolean {
  const p = path.split("?")[0]!;
  return routes.some((r) => r === p || (r !== "/" && p.startsWith(r.endsWith("/") ? r : `${r}/`)));
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");

// Images that answer `/` whatever else they serve: web servers and Next.js servers.
const SERVES_ROOT = /(^|\/)(nginx|nginx-unprivileged|httpd|caddy|lighttpd)([:@]|$)/;
const NEXT_SERVER = /\bnext\s+start\b|\.next\/standalone|\bnext\.config\./;

/** Whether the Dockerfile names the path: a HEALTHCHECK URL (http://localhost:8000/health), an ENV, a comment. */
export function confirmedBy(df: Dockerfile, path: string): boolean {
  const urls = [...df.text.matchAll(/\bhttps?:\/\/[^/\s"'`]+(\/[^\s"'`?#]*)?/g)].map((m) => m[1] || "/");
  if (urls.includes(path)) return true;
  if (path === "/") return SERVES_ROOT.test(finalStage(df)?.base ?? "") || NEXT_SERVER.test(df.text);
  return new RegExp(`(^|[^\\w/.-])${escapeRe(path)}(?![\\w/.-])`, "m").test(df.text);
}

/**
 * The local HTTP path an exec probe requests (`curl -f http://localhost:8080/healthz`, `wget -qO- …`,
 * podinfo's `podcli check http localhost:9898/healthz`), in an argument of its own or inside `sh -c "…"`,
 * with the index of that argument. A command naming no local URL with a path (`redis-cli ping`) has none.
 */
export function execProbePath(probe: Obj): { path: string; arg: number } | undefined {
  const command = asObj(probe.exec).command;
  if (!Array.isArray(command)) return undefined;
  for (const [i, arg] of command.entries()) {
    if (typeof arg !== "string") continue;
    const m = /(?:^|[\s"'=])(?:https?:\/\/)?(?:localhost|127\.0\.0\.1|\[::1\]|0\.0\.0\.0)(?::\d+)?(\/[^\s"'`?#;|&)]*)/.exec(arg);
    if (m && !isPlaceholder(m[1]!)) return { path: m[1]!, arg: i };
  }
  return undefined;
}

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
  why: "For images the doctor knows nothing about, a probe path is a guess unless the app's source defines the route or the image's own HEALTHCHECK or configuration names it; a wrong guess restarts the pod forever.",
  fix: "Check the path against the app (curl it in the container), then name it in the Dockerfile (HEALTHCHECK or ENV HEALTH_PATH), point --source at the app's source (its routes confirm the path), or declare the app's routes in todo.config.yaml.",
  example: { bad: "readinessProbe: { httpGet: { path: /ready } }   # Dockerfile mentions no /ready", good: "ENV HEALTH_PATH=/ready\nHEALTHCHECK CMD [\"node\", \"healthcheck.js\"]" },
  check(inputs) {
    const out: Finding[] = [];
    for (const c of allContainers(inputs.manifests)) {
      if (knownAppOf(inputs, c)) continue;
      const df = dockerfileOf(inputs, c);
      for (const probeName of PROBES) {
        const probe = asObj(c.container[probeName]);
        const h = probeHandler(probe);
        // An exec probe that requests a local URL is an HTTP probe all the same: a 404 fails it as surely.
        const exec = h ? undefined : execProbePath(probe);
        const asked = h?.kind === "httpGet" && typeof h.handler.path === "string" && !isPlaceholder(h.handler.path) ? h.handler.path : exec?.path;
        if (asked === undefined) continue;
        const path = asked.split("?")[0]!;
        if (df && confirmedBy(df, path)) continue;
        // The app's source defines the route (a FastAPI decorator, an Express call, a Next.js route file…).
        if (inputs.source && routeServing(inputs.source.routes, path)) continue;
        const src = inputs.source ? `, and no route in the source at ${inputs.source.dir} serves it (${inputs.source.routes.length} routes found)` : "";
        const at = exec ? [...c.path, probeName, "exec", "command", exec.arg] : [...c.path, probeName, "httpGet", "path"];
        out.push(
          finding(this, c.owner.manifest.locate(at), `${probeName} of container "${c.name}" requests ${asked}${exec ? " (with its exec command)" : ""}; ${df ? `its Dockerfile ${df.file} does not mention that path` : "no Dockerfile given for its image"}${src}, so nothing confirms the image serves it`),
        );
      }
    }
    return out;
  },
};

/** The health path todo.config.yaml names for a probe (a startup probe guards what liveness later watches). */
const HEALTH_OF = { livenessProbe: "liveness", readinessProbe: "readiness", startupProbe: "liveness" } as const;

export const missingProbe: Rule = {
  id: "probe/missing",
  severity: "error",
  policy: true,
  title: "Long-running container without liveness or readiness probe",
  why: "Without a readiness probe the Service sends traffic to a pod that is still starting; without a liveness probe a hung process is never restarted.",
  fix: "Add a livenessProbe and a readinessProbe (HTTP on the app's health paths).",
  example: { bad: "containers:\n  - name: web\n    image: acme/web:1.0", good: "    livenessProbe: { httpGet: { path: /health, port: http } }\n    readinessProbe: { httpGet: { path: /ready, port: http } }" },
  check(inputs) {
    return allContainers(inputs.manifests)
      .filter((c) => c.owner.longRunning && !c.init)
      .flatMap((c) => (["livenessProbe", "readinessProbe"] as const).filter((p) => !c.container[p]).map((p) => finding(this, c.owner.manifest.locate([...c.path, "name"]), `container "${c.name}" in ${c.owner.manifest.kind}/${c.owner.manifest.name} has no ${p}`)));
  },
};

export const probeNotHttp: Rule = {
  id: "probe/not-http",
  severity: "error",
  policy: true,
  title: "Our app probed without HTTP",
  why: "A TCP or exec probe on our apps only proves the port is open, not that the app answers its health path (which checks the database for readiness).",
  fix: "Use httpGet on apps.<app>.health (todo.config.yaml).",
  example: { bad: "livenessProbe: { tcpSocket: { port: http } }", good: "livenessProbe: { httpGet: { path: /health, port: http } }" },
  check(inputs) {
    const out: Finding[] = [];
    for (const c of allContainers(inputs.manifests)) {
      const known = knownAppOf(inputs, c);
      if (!known?.app.health || !c.owner.longRunning) continue;
      for (const p of PROBES) {
        const h = probeHandler(asObj(c.container[p]));
        if (c.container[p] && h?.kind !== "httpGet") out.push(finding(this, c.owner.manifest.locate([...c.path, p]), `${p} of container "${c.name}" (app ${known.name}) is not an HTTP probe, so it does not check ${known.app.health[HEALTH_OF[p]]}`));
      }
    }
    return out;
  },
};

export const healthPath: Rule = {
  id: "probe/health-path",
  severity: "error",
  policy: true,
  title: "Our app probed on a served path that is not its health path",
  why: "todo.config.yaml names each app's liveness and readiness paths; probing another served path (a page, an API route) tests the wrong thing and can load the database on every probe.",
  fix: "Take the probe path from apps.<app>.health in todo.config.yaml.",
  example: { bad: "readinessProbe: { httpGet: { path: /health } }   # readiness is /ready", good: "readinessProbe: { httpGet: { path: /ready } }" },
  check(inputs) {
    const out: Finding[] = [];
    for (const c of allContainers(inputs.manifests)) {
      const known = knownAppOf(inputs, c);
      if (!known?.app.health) continue;
      for (const p of PROBES) {
        const h = probeHandler(asObj(c.container[p]));
        const path = h?.kind === "httpGet" ? (h.handler.path ?? "/") : undefined;
        const want = known.app.health[HEALTH_OF[p]];
        // A path the app does not serve at all is probe/unserved-path's.
        if (typeof path !== "string" || path === want || !servedBy(known.app.routes, path)) continue;
        out.push(finding(this, c.owner.manifest.locate([...c.path, p, "httpGet", "path"]), `${p} of container "${c.name}" (app ${known.name}) calls ${path}, but apps.${known.name}.health.${HEALTH_OF[p]} is ${want}`));
      }
    }
    return out;
  },
};
