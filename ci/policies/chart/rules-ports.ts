// Ports agree end to end: the app container listens on apps.*.port (and PORT
// says so), every Service targets a port its pods declare, every Ingress
// backend names an existing Service port and a path its app serves, every
// NetworkPolicy port exists on the pods it selects, and workload selectors
// match their own pod labels.
import type { AppKey, Rule } from "./context.js";
import { servesPath } from "./rules-probes.js";
import { describe, finding, type Finding, type Manifest } from "./types.js";
import { appOfImage, get, isObj, podTemplates, resolvePort, selectorMatches, type PodTemplate } from "./workloads.js";

function appsOf(t: PodTemplate, apps: Parameters<Rule>[1]["apps"]): AppKey[] {
  return (t.spec.containers ?? []).map((c) => appOfImage(c.image, apps)).filter((a): a is AppKey => a !== undefined);
}

function podPortExists(t: PodTemplate, port: number | string): number | undefined {
  for (const c of t.spec.containers ?? []) {
    const p = resolvePort(port, c);
    if (p !== undefined) return p;
  }
  return undefined;
}

export const checkPorts: Rule = (manifests, config) => {
  const out: Finding[] = [];
  const templates = podTemplates(manifests);

  for (const t of templates) {
    const sel = get(t.owner, "spec", "selector");
    if (t.longRunning && !selectorMatches(sel, t.labels)) {
      out.push(finding(t.owner, { rule: "ports/selector", path: "spec.selector", message: "the selector does not match the pod template's labels", fix: "build both from the same selectorLabels helper" }));
    }
    (t.spec.containers ?? []).forEach((c, i) => {
      const app = appOfImage(c.image, config.apps);
      if (!app || !t.longRunning) return;
      const want = config.apps[app].port;
      const at = `${t.specPath}.containers[${i}]`;
      if (!(c.ports ?? []).some((p) => p.containerPort === want)) {
        out.push(finding(t.owner, { rule: "ports/container", path: `${at}.ports`, message: `${app} container does not declare port ${want} (apps.${app}.port)`, fix: "declare the app's port as a named containerPort" }));
      }
      const env = (c.env ?? []).find((e) => e.name === "PORT");
      if (env && String(env.value) !== String(want)) {
        out.push(finding(t.owner, { rule: "ports/container", path: `${at}.env.PORT`, message: `${app} PORT is ${String(env.value)}, but it must listen on ${want}`, fix: "take PORT from the same value as containerPort" }));
      }
    });
  }

  const services = manifests.filter((m) => m.kind === "Service");
  for (const s of services) {
    const selector = get(s, "spec", "selector");
    if (!isObj(selector)) continue; // selector-less Services (external endpoints) are not ours to judge
    const pods = templates.filter((t) => t.longRunning && selectorMatches(selector, t.labels, true));
    if (pods.length === 0) {
      out.push(finding(s, { rule: "ports/service-selector", path: "spec.selector", message: "the Service selects no pod of this chart", fix: "use the workload's selector labels" }));
      continue;
    }
    const ports = get(s, "spec", "ports");
    (Array.isArray(ports) ? ports : []).forEach((p: unknown, i) => {
      const target = (get(p, "targetPort") ?? get(p, "port")) as number | string | undefined;
      if (target === undefined) return;
      for (const t of pods) {
        const resolved = podPortExists(t, target);
        if (resolved === undefined) {
          out.push(finding(s, { rule: "ports/service-target", path: `spec.ports[${i}].targetPort`, message: `targetPort ${String(target)} is not a port of ${describe(t.owner)}`, fix: "target the container's named port" }));
          continue;
        }
        for (const app of appsOf(t, config.apps)) {
          if (resolved !== config.apps[app].port) {
            out.push(finding(s, { rule: "ports/service-target", path: `spec.ports[${i}].targetPort`, message: `targets ${resolved}, but the ${app} listens on ${config.apps[app].port}`, fix: `target apps.${app}.port` }));
          }
        }
      }
    });
  }

  for (const ing of manifests.filter((m) => m.kind === "Ingress")) {
    const backends: { svc: unknown; path: string; at: string }[] = [];
    const def = get(ing, "spec", "defaultBackend", "service");
    if (def) backends.push({ svc: def, path: "/", at: "spec.defaultBackend" });
    const rules = get(ing, "spec", "rules");
    (Array.isArray(rules) ? rules : []).forEach((r: unknown, ri) => {
      const paths = get(r, "http", "paths");
      (Array.isArray(paths) ? paths : []).forEach((p: unknown, pi) => {
        backends.push({ svc: get(p, "backend", "service"), path: String(get(p, "path") ?? "/"), at: `spec.rules[${ri}].http.paths[${pi}]` });
      });
    });
    for (const b of backends) {
      const name = get(b.svc, "name");
      const svc = services.find((s) => s.metadata?.name === name);
      if (!svc) {
        out.push(finding(ing, { rule: "ports/ingress-backend", path: `${b.at}.backend.service.name`, message: `backend Service ${String(name)} is not part of the chart`, fix: "use the Service's helper name" }));
        continue;
      }
      const portNum = get(b.svc, "port", "number");
      const portName = get(b.svc, "port", "name");
      const svcPorts = get(svc, "spec", "ports");
      const list = Array.isArray(svcPorts) ? svcPorts : [];
      const ok = list.some((sp: unknown) => (portNum !== undefined && get(sp, "port") === portNum) || (portName !== undefined && get(sp, "name") === portName));
      if (!ok) {
        out.push(finding(ing, { rule: "ports/ingress-backend", path: `${b.at}.backend.service.port`, message: `Service ${String(name)} has no port ${String(portNum ?? portName)}`, fix: "refer to the Service port by name" }));
      }
      const selector = get(svc, "spec", "selector");
      for (const t of templates.filter((tt) => tt.longRunning && selectorMatches(selector, tt.labels, true))) {
        for (const app of appsOf(t, config.apps)) {
          if (b.path !== "/" && !servesPath(config.apps[app].routes, b.path) && !config.apps[app].routes.some((r) => r.startsWith(b.path))) {
            out.push(finding(ing, { rule: "ports/ingress-path", path: `${b.at}.path`, message: `path ${b.path} goes to the ${app}, which serves none of it (apps.${app}.routes: ${config.apps[app].routes.join(", ")})`, fix: "route only paths the app serves" }));
          }
        }
      }
    }
  }

  for (const np of manifests.filter((m) => m.kind === "NetworkPolicy")) {
    // Egress to this release's pods must name a port those pods listen on.
    const egress = get(np, "spec", "egress");
    (Array.isArray(egress) ? egress : []).forEach((rule: unknown, ri) => {
      const to = get(rule, "to");
      const peers = (Array.isArray(to) ? to : []).filter((peer) => isObj(peer) && isObj(peer.podSelector) && peer.namespaceSelector === undefined);
      const targets = templates.filter((t) => peers.some((peer) => selectorMatches(get(peer, "podSelector"), t.labels)));
      const ports = get(rule, "ports");
      (Array.isArray(ports) ? ports : []).forEach((p: unknown, pi) => {
        const port = get(p, "port") as number | string | undefined;
        if (port === undefined) return;
        for (const t of targets) {
          if (podPortExists(t, port) === undefined) {
            out.push(finding(np, { rule: "ports/network-policy", path: `spec.egress[${ri}].ports[${pi}].port`, message: `allows egress to port ${String(port)} of ${describe(t.owner)}, which does not listen on it`, fix: "use the same value as the target's containerPort" }));
          }
        }
      });
    });
    const pods = templates.filter((t) => selectorMatches(get(np, "spec", "podSelector"), t.labels));
    const ingress = get(np, "spec", "ingress");
    (Array.isArray(ingress) ? ingress : []).forEach((rule: unknown, ri) => {
      const ports = get(rule, "ports");
      (Array.isArray(ports) ? ports : []).forEach((p: unknown, pi) => {
        const port = get(p, "port") as number | string | undefined;
        if (port === undefined) return;
        for (const t of pods) {
          if (podPortExists(t, port) === undefined) {
            out.push(finding(np, { rule: "ports/network-policy", path: `spec.ingress[${ri}].ports[${pi}].port`, message: `allows port ${String(port)}, which ${describe(t.owner)} does not listen on`, fix: "use the container's named port" }));
          }
        }
      });
    });
  }
  return out;
};

export function uniqueNames(manifests: readonly Manifest[]): Finding[] {
  const seen = new Map<string, Manifest>();
  const out: Finding[] = [];
  for (const m of manifests) {
    const key = `${m.apiVersion ?? ""}/${m.kind ?? ""}/${m.metadata?.namespace ?? ""}/${m.metadata?.name ?? ""}`;
    if (seen.has(key)) out.push(finding(m, { rule: "names/unique", path: "metadata.name", message: "two rendered objects share kind and name", fix: "derive names from the fullname helper" }));
    else seen.set(key, m);
  }
  return out;
}
