// Long-running containers have liveness and readiness probes; the apps' HTTP
// probes hit the health paths todo.config.yaml names, which the apps serve, on
// the port the app listens on.
import type { AppKey, Rule } from "./context.js";
import { finding, type Finding } from "./types.js";
import { appOfImage, podTemplates, resolvePort, type Probe } from "./workloads.js";

/** Whether an app serving `routes` answers `path` (exact route, or under a route prefix other than "/"). */
export function servesPath(routes: readonly string[], path: string): boolean {
  const p = path.split("?")[0]!;
  return routes.some((r) => p === r || (r !== "/" && p.startsWith(r.endsWith("/") ? r : `${r}/`)));
}

const EXPECTED: Record<"livenessProbe" | "readinessProbe" | "startupProbe", "liveness" | "readiness"> = {
  livenessProbe: "liveness",
  readinessProbe: "readiness",
  // A startup probe guards the same thing liveness later watches.
  startupProbe: "liveness",
};

export const checkProbes: Rule = (manifests, config) => {
  const out: Finding[] = [];
  for (const t of podTemplates(manifests)) {
    if (!t.longRunning) continue;
    (t.spec.containers ?? []).forEach((c, i) => {
      const name = c.name ?? `containers[${i}]`;
      const base = `${t.specPath}.containers[${i}]`;
      for (const kind of ["livenessProbe", "readinessProbe"] as const) {
        if (!c[kind]) out.push(finding(t.owner, { rule: "probes/present", path: `${base}.${kind}`, message: `container ${name} has no ${kind}`, fix: `add a ${kind}` }));
      }
      const app: AppKey | undefined = appOfImage(c.image, config.apps);
      if (!app) return;
      const cfg = config.apps[app];
      for (const kind of ["livenessProbe", "readinessProbe", "startupProbe"] as const) {
        const probe: Probe | undefined = c[kind];
        if (!probe) continue;
        const at = `${base}.${kind}`;
        if (!probe.httpGet) {
          out.push(finding(t.owner, { rule: "probes/http-path", path: at, message: `${app} ${kind} is not an HTTP probe, so it does not check ${cfg.health[EXPECTED[kind]]}`, fix: `use httpGet on ${cfg.health[EXPECTED[kind]]}` }));
          continue;
        }
        const path = probe.httpGet.path ?? "/";
        if (!servesPath(cfg.routes, path)) {
          out.push(finding(t.owner, { rule: "probes/served-path", path: `${at}.httpGet.path`, message: `${app} ${kind} calls ${path}, which the ${app} does not serve (apps.${app}.routes: ${cfg.routes.join(", ")})`, fix: `use apps.${app}.health.${EXPECTED[kind]} (${cfg.health[EXPECTED[kind]]})` }));
        } else if (path !== cfg.health[EXPECTED[kind]]) {
          out.push(finding(t.owner, { rule: "probes/health-path", path: `${at}.httpGet.path`, message: `${app} ${kind} calls ${path}, but todo.config.yaml says apps.${app}.health.${EXPECTED[kind]} is ${cfg.health[EXPECTED[kind]]}`, fix: "take the path from todo.config.yaml" }));
        }
        const port = resolvePort(probe.httpGet.port, c);
        if (port === undefined) {
          out.push(finding(t.owner, { rule: "probes/port", path: `${at}.httpGet.port`, message: `${app} ${kind} port ${String(probe.httpGet.port)} is not a port the container declares`, fix: "refer to the container's named port" }));
        } else if (port !== cfg.port) {
          out.push(finding(t.owner, { rule: "probes/port", path: `${at}.httpGet.port`, message: `${app} ${kind} probes port ${port}, the ${app} listens on ${cfg.port} (apps.${app}.port)`, fix: "probe the app's named port" }));
        }
      }
    });
  }
  return out;
};
