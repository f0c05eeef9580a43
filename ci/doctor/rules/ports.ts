// Port drift: the Dockerfile's EXPOSE, the app's port (todo.config.yaml),
// container ports, Service targetPort, Ingress backend port and probe ports
// must all name the same listening port.
import { allContainers, asArr, asObj, containerPorts, getIn, podOwners, selectorMatches, type ContainerRef, type Obj } from "../k8s.js";
import { dockerfileOf, exposedPorts, knownAppOf } from "../links.js";
import { finalStage, lineage, parseAssignments, runCommand, type Instruction, type Stage } from "../dockerfile.js";
import type { DoctorInputs, Finding, Path, Rule } from "../types.js";
import { finding } from "./finding.js";

export const PROBES = ["startupProbe", "livenessProbe", "readinessProbe"] as const;

/** The probe handler (httpGet, tcpSocket or grpc) and its path segment. */
export function probeHandler(probe: Obj): { kind: "httpGet" | "tcpSocket" | "grpc"; handler: Obj } | undefined {
  for (const kind of ["httpGet", "tcpSocket", "grpc"] as const) {
    if (probe[kind] && typeof probe[kind] === "object") return { kind, handler: asObj(probe[kind]) };
  }
  return undefined;
}

function portListed(c: ContainerRef, port: unknown): { ok: boolean; how: string } {
  const ports = containerPorts(c.container);
  if (typeof port === "string" && !/^\d+$/.test(port)) {
    return { ok: ports.some((p) => p.name === port), how: `named port "${port}"` };
  }
  return { ok: ports.length === 0 || ports.some((p) => p.port === Number(port)), how: `port ${port}` };
}

function checkProbes(rule: Rule, inputs: DoctorInputs, out: Finding[]): void {
  for (const c of allContainers(inputs.manifests)) {
    for (const probeName of PROBES) {
      const probe = asObj(c.container[probeName]);
      const h = probeHandler(probe);
      if (!h || h.handler.port === undefined) continue;
      const { ok, how } = portListed(c, h.handler.port);
      if (ok) continue;
      const declared = containerPorts(c.container).map((p) => (p.name ? `${p.name}=${p.port}` : String(p.port))).join(", ");
      // A port name the container does not declare fails every probe; a number need not be declared
      // (apps serve health on a separate port: ingress-nginx on 10254, dapr on 8080), so it is a warning.
      const named = typeof h.handler.port === "string" && !/^\d+$/.test(h.handler.port);
      out.push(
        finding(rule, c.owner.manifest.locate([...c.path, probeName, h.kind, "port"]), `${probeName} of container "${c.name}" in ${c.owner.manifest.kind}/${c.owner.manifest.name} uses ${how}, which the container does not declare (ports: ${declared || "none"})${named ? "" : "; Kubernetes probes it anyway, so check the app listens there"}`, {
          fix: "Point the probe at a port the container declares (preferably by its name), or declare that port.",
          ...(named ? {} : { severity: "warning" as const }),
        }),
      );
    }
  }
}

function checkServices(rule: Rule, inputs: DoctorInputs, out: Finding[]): void {
  // Hook pods (helm test) come and go; the Service's real backends are the release's workloads.
  const owners = podOwners(inputs.manifests, { hooks: false });
  for (const svc of inputs.manifests.filter((m) => m.kind === "Service")) {
    const selector = asObj(getIn(svc.obj, ["spec", "selector"]));
    if (Object.keys(selector).length === 0) continue;
    const pods = owners.filter((o) => selectorMatches(selector, o.labels));
    asArr(getIn(svc.obj, ["spec", "ports"])).forEach((p, i) => {
      const sp = asObj(p);
      const target = sp.targetPort ?? sp.port;
      const key: Path = ["spec", "ports", i, sp.targetPort !== undefined ? "targetPort" : "port"];
      for (const owner of pods) {
        const containers = owner.spec.containers ? asArr(owner.spec.containers).map((x) => asObj(x)) : [];
        const declared = containers.flatMap((x) => containerPorts(x));
        const named = typeof target === "string" && !/^\d+$/.test(target);
        const ok = named ? declared.some((d) => d.name === target) : declared.length === 0 || declared.some((d) => d.port === Number(target));
        if (ok) continue;
        out.push(
          finding(rule, svc.locate(key), `Service/${svc.name} port ${String(sp.name ?? sp.port)} targets ${named ? `port name "${target}"` : `port ${target}`}, but ${owner.manifest.kind}/${owner.manifest.name} declares ${declared.map((d) => (d.name ? `${d.name}=${d.port}` : String(d.port))).join(", ") || "no ports"}`, {
            fix: "Set targetPort to the container port's name (or number) so the Service sends traffic where the app listens.",
          }),
        );
      }
    });
  }
}

/** Ingress backends: each `service.port` must be a port of that Service. */
export function ingressBackends(ing: { obj: Obj }): Array<{ path: Path; service: string; port: Obj; httpPath?: string }> {
  const out: Array<{ path: Path; service: string; port: Obj; httpPath?: string }> = [];
  const def = asObj(getIn(ing.obj, ["spec", "defaultBackend", "service"]));
  if (def.name) out.push({ path: ["spec", "defaultBackend", "service"], service: String(def.name), port: asObj(def.port) });
  asArr(getIn(ing.obj, ["spec", "rules"])).forEach((r, ri) => {
    asArr(getIn(r, ["http", "paths"])).forEach((p, pi) => {
      const svc = asObj(getIn(p, ["backend", "service"]));
      if (!svc.name) return;
      const httpPath = getIn(p, ["path"]);
      out.push({ path: ["spec", "rules", ri, "http", "paths", pi, "backend", "service"], service: String(svc.name), port: asObj(svc.port), ...(typeof httpPath === "string" ? { httpPath } : {}) });
    });
  });
  return out;
}

function checkIngresses(rule: Rule, inputs: DoctorInputs, out: Finding[]): void {
  for (const ing of inputs.manifests.filter((m) => m.kind === "Ingress")) {
    for (const b of ingressBackends(ing)) {
      const svc = inputs.manifests.find((m) => m.kind === "Service" && m.name === b.service);
      if (!svc) continue; // reference/not-created reports it
      const ports = asArr(getIn(svc.obj, ["spec", "ports"])).map(asObj);
      const byName = b.port.name !== undefined;
      const ok = byName ? ports.some((p) => p.name === b.port.name) : ports.some((p) => Number(p.port) === Number(b.port.number));
      if (ok) continue;
      const want = byName ? `port name "${String(b.port.name)}"` : `port ${String(b.port.number)}`;
      out.push(
        finding(rule, ing.locate([...b.path, "port", byName ? "name" : "number"]), `Ingress/${ing.name} sends to Service/${b.service} ${want}, but the Service exposes ${ports.map((p) => (p.name ? `${String(p.name)}=${String(p.port)}` : String(p.port))).join(", ") || "no ports"}`, {
          fix: "Use the Service port's name (or its `port` number, not the container's) in the Ingress backend.",
        }),
      );
    }
  }
}

function checkImageAndConfig(rule: Rule, inputs: DoctorInputs, out: Finding[]): void {
  const reported = new Set<string>();
  for (const c of allContainers(inputs.manifests)) {
    if (c.init) continue;
    const ports = containerPorts(c.container);
    if (ports.length === 0) continue;
    const at = c.owner.manifest.locate([...c.path, "ports", ports[0]!.index, "containerPort"]);
    // A PORT variable set on the container is where most servers listen.
    const envIndex = asArr(c.container.env).findIndex((e) => asObj(e).name === "PORT" && /^\d+$/.test(String(asObj(e).value ?? "")));
    if (envIndex >= 0) {
      const envPort = Number(asObj(asArr(c.container.env)[envIndex]).value);
      if (!ports.some((p) => p.port === envPort)) {
        out.push(finding(rule, c.owner.manifest.locate([...c.path, "env", envIndex, "value"]), `container "${c.name}" sets PORT=${envPort}, but declares port ${ports.map((p) => p.port).join(", ")}`, { fix: "Set PORT from the same value as containerPort." }));
        continue;
      }
    }
    const known = knownAppOf(inputs, c);
    if (known) {
      // Our apps: both the container and the Dockerfile are held to todo.config.yaml (below), once each.
      if (!ports.some((p) => p.port === known.app.port)) {
        out.push(finding(rule, at, `container "${c.name}" (app ${known.name}) declares port ${ports.map((p) => p.port).join(", ")}, but todo.config.yaml apps.${known.name}.port is ${known.app.port}`, { fix: `Take the port from apps.${known.name}.port (the chart's values mirror todo.config.yaml).` }));
      }
      continue;
    }
    const df = dockerfileOf(inputs, c);
    if (!df) continue;
    const exposed = exposedPorts(df);
    if (exposed.length === 0 || exposed.some((e) => ports.some((p) => p.port === e.port))) continue;
    const key = `${at.file}:${at.line}:${df.file}`;
    if (reported.has(key)) continue;
    reported.add(key);
    out.push(
      finding(rule, at, `container "${c.name}" declares port ${ports.map((p) => p.port).join(", ")}, but its image's Dockerfile ${df.file}:${exposed[0]!.line} EXPOSEs ${exposed.map((e) => e.port).join(", ")}`, {
        fix: "Make the container port, the Dockerfile's EXPOSE and the port the app listens on one value (pass it to both from one place).",
      }),
    );
  }
  // Inside each image: the port the app is told to listen on (ENV PORT) must be the one EXPOSEd.
  for (const df of inputs.dockerfiles) {
    const stage = finalStage(df);
    const exposed = exposedPorts(df);
    if (!stage || exposed.length === 0) continue;
    const envPort = lineage(stage)
      .flatMap((x) => x.instructions)
      .filter((i) => i.keyword === "ENV")
      .flatMap((i) => parseAssignments(i.args, true).filter(([k]) => k === "PORT").map(([, v]) => ({ port: Number(v), line: i.line })))
      .pop();
    // A port the start command passes explicitly (uvicorn --port 8000, next start -p 3000, gunicorn --bind :8000) wins over ENV PORT.
    const cmd = startCommand(stage);
    const flagPort = cmd ? commandPort(runCommand(cmd)) : undefined;
    if (cmd && flagPort !== undefined) {
      if (!exposed.some((e) => e.port === flagPort)) {
        out.push(finding(rule, { file: df.file, line: cmd.line }, `${cmd.keyword} starts the app on port ${flagPort}, but the image EXPOSEs ${exposed.map((e) => e.port).join(", ")} (line ${exposed[0]!.line})`, { fix: "Pass the port the image EXPOSEs to the start command (or EXPOSE the one it passes): one value, ARG PORT=…, used in both." }));
      }
      continue;
    }
    if (!envPort || !Number.isInteger(envPort.port) || exposed.some((e) => e.port === envPort.port)) continue;
    out.push(finding(rule, { file: df.file, line: exposed[0]!.line }, `EXPOSE ${exposed.map((e) => e.port).join(", ")}, but ENV PORT=${envPort.port} (line ${envPort.line}) is where the app listens`, { fix: "EXPOSE the port the app listens on: ARG PORT=…, ENV PORT=${PORT}, EXPOSE ${PORT}." }));
  }
  // Our apps: the Dockerfile named in todo.config.yaml must EXPOSE the app's port.
  for (const [name, app] of Object.entries(inputs.project?.apps ?? {})) {
    const df = app.dockerfile ? inputs.dockerfiles.find((d) => d.file.replace(/\\/g, "/").endsWith(app.dockerfile!)) : undefined;
    if (!df) continue;
    const exposed = exposedPorts(df);
    const wrong = exposed.find((e) => e.port !== app.port);
    if (wrong && !exposed.some((e) => e.port === app.port)) {
      out.push(finding(rule, { file: df.file, line: wrong.line }, `EXPOSE ${wrong.port}, but todo.config.yaml apps.${name}.port is ${app.port}`, { fix: `EXPOSE the port from todo.config.yaml (ARG PORT=${app.port}, EXPOSE \${PORT}).` }));
    }
  }
}

/** The instruction that starts the image: the last CMD of its lineage, or the ENTRYPOINT when there is no CMD. */
export function startCommand(stage: Stage): Instruction | undefined {
  for (const kw of ["CMD", "ENTRYPOINT"]) {
    for (const s of lineage(stage)) {
      const last = s.instructions.filter((i) => i.keyword === kw).pop();
      if (last) return last;
    }
  }
  return undefined;
}

/** The port a start command passes explicitly: --port N, --port=N, -p N, --bind/-b HOST:N (undefined when none). */
export function commandPort(cmd: string): number | undefined {
  const m = /(?:^|\s)(?:--port[= ]|-p\s+|--bind[= ]|-b\s+)["']?(?:[\w.[\]:-]*:)?(\d{2,5})["']?(?=\s|$)/.exec(cmd);
  return m ? Number(m[1]) : undefined;
}

export const portDrift: Rule = {
  id: "port/drift",
  severity: "error",
  title: "Ports disagree between Dockerfile, app, container, Service, Ingress and probes",
  why: "Each hop forwards to a port number or name; one stale number anywhere and traffic or probes hit a closed port: the pod restarts forever or the Service answers 503, while helm lint and docker build are happy.",
  fix: "Define the port once and derive every other mention from it; refer to it by name (`targetPort: http`, probe `port: http`).",
  example: {
    bad: "ports: [{ name: http, containerPort: 8080 }]\n...\nkind: Service\nspec: { ports: [{ port: 80, targetPort: 8000 }] }",
    good: "ports: [{ name: http, containerPort: 8080 }]\n...\nkind: Service\nspec: { ports: [{ port: 80, targetPort: http }] }",
  },
  check(inputs) {
    const out: Finding[] = [];
    // Comparing fields across objects needs them whole: skip manifests read as text.
    inputs = { ...inputs, manifests: inputs.manifests.filter((m) => !m.partial) };
    checkProbes(this, inputs, out);
    checkServices(this, inputs, out);
    checkIngresses(this, inputs, out);
    checkImageAndConfig(this, inputs, out);
    return out;
  },
};
