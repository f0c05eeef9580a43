// Every house policy rule (and the general rules they were merged into), proven
// both ways on our own chart: the real chart (rendered by the real helm) passes
// with zero findings, and a copy broken in one place is caught by the rule meant
// to catch it. Each case is that rule's fixture: one defect, in one object.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { loadProjectConfig, REPO_ROOT } from "../../config/load.js";
import { helmTemplateArgs, runHelm } from "../../tools/helm.js";
import { analyze, buildInputs } from "../doctor.js";
import { readChart } from "../reader.js";
import type { DoctorInputs, Finding, Manifest } from "../types.js";
import { RULES } from "./index.js";

const config = loadProjectConfig();
let baseline: DoctorInputs;

beforeAll(async () => {
  const chart = join(REPO_ROOT, config.chart.path);
  const argv = helmTemplateArgs({
    release: "todo",
    namespace: "todo",
    chart,
    kubeVersion: config.versions.kubernetes!,
    // Every optional object on, so each rule has something to bite on.
    set: { "metrics.serviceMonitor.enabled": true, "backend.autoscaling.enabled": true },
  });
  baseline = buildInputs({ chart: readChart(chart, [], REPO_ROOT), dockerfiles: [], renderedManifests: (await runHelm(argv)).stdout, projectConfig: config, policy: true });
}, 60_000);

/* eslint-disable @typescript-eslint/no-explicit-any */
function obj(ms: any[], kind: string, suffix = ""): any {
  const hit = ms.find((m) => m.kind === kind && String(m.metadata?.name).endsWith(suffix));
  if (!hit) throw new Error(`no ${kind} *${suffix}`);
  return hit;
}
const backend = (ms: any[]) => obj(ms, "Deployment", "-backend").spec.template.spec;
const backendC = (ms: any[]) => backend(ms).containers[0];

/** The rendered chart with one edit to its objects (as plain data: `ms` are the objects). */
function broken(edit: (ms: any[]) => void): Finding[] {
  const manifests: Manifest[] = baseline.manifests.map((m) => ({ ...m, obj: structuredClone(m.obj) }));
  const objs = manifests.map((m) => m.obj);
  edit(objs);
  const kept = manifests.filter((m) => objs.includes(m.obj));
  const added = objs.filter((o) => !manifests.some((m) => m.obj === o)).map((o: any) => ({ kind: o.kind, name: o.metadata.name, obj: o, locate: manifests[0]!.locate }));
  return analyze({ ...baseline, manifests: [...kept, ...added] });
}

function rules(f: Finding[]): string[] {
  return [...new Set(f.map((x) => x.rule))].sort();
}

it("the real chart passes every rule", () => {
  expect(analyze(baseline)).toEqual([]);
});

describe("security", () => {
  const cases: [string, string, (ms: any[]) => void][] = [
    ["runAsNonRoot missing", "security/run-as-non-root", (ms) => { delete backend(ms).securityContext.runAsNonRoot; delete backendC(ms).securityContext.runAsNonRoot; }],
    ["runAsUser 0", "container/runs-as-root", (ms) => { backendC(ms).securityContext.runAsUser = 0; }],
    ["a uid other than runtimeUser.uid", "security/runtime-user", (ms) => { backendC(ms).securityContext.runAsUser = 1000; }],
    ["an fsGroup other than runtimeUser.gid", "security/runtime-user", (ms) => { backend(ms).securityContext.fsGroup = 1000; }],
    ["no fsGroup", "security/fs-group", (ms) => { delete backend(ms).securityContext.fsGroup; }],
    ["no seccomp profile", "security/seccomp", (ms) => { delete backend(ms).securityContext.seccompProfile; delete backendC(ms).securityContext.seccompProfile; }],
    ["privilege escalation", "security/privilege-escalation", (ms) => { backendC(ms).securityContext.allowPrivilegeEscalation = true; }],
    ["privileged", "security/privileged", (ms) => { backendC(ms).securityContext.privileged = true; }],
    ["capabilities not dropped", "security/capabilities", (ms) => { backendC(ms).securityContext.capabilities.drop = ["NET_RAW"]; }],
    ["a capability added", "security/capabilities", (ms) => { backendC(ms).securityContext.capabilities.add = ["NET_ADMIN"]; }],
    ["a writable root filesystem", "security/read-only-root", (ms) => { backendC(ms).securityContext.readOnlyRootFilesystem = false; }],
    ["no writable /tmp", "security/writable-tmp", (ms) => { backendC(ms).volumeMounts = []; }],
    ["a service account token mounted", "security/service-account-token", (ms) => { delete backend(ms).automountServiceAccountToken; }],
    ["host network", "security/host-namespaces", (ms) => { backend(ms).hostNetwork = true; }],
    ["a hostPath volume", "security/volume-type", (ms) => { backend(ms).volumes.push({ name: "host", hostPath: { path: "/var/run" } }); }],
    ["a root test pod", "container/runs-as-root", (ms) => { const p = obj(ms, "Pod", "-test").spec; p.securityContext.runAsUser = 0; p.containers[0].securityContext.runAsUser = 0; }],
    ["a root PostgreSQL", "security/run-as-non-root", (ms) => { const p = obj(ms, "StatefulSet").spec.template.spec; p.securityContext.runAsNonRoot = false; p.containers[0].securityContext.runAsNonRoot = false; }],
  ];
  it.each(cases)("%s → %s", (_name, rule, edit) => {
    expect(rules(broken(edit))).toContain(rule);
  });
});

describe("resources", () => {
  it.each([
    ["no memory limit", "container/no-resources", (ms: any[]) => { delete backendC(ms).resources.limits.memory; }],
    ["no resources on the test pod", "container/no-resources", (ms: any[]) => { delete obj(ms, "Pod", "-test").spec.containers[0].resources; }],
    ["not a quantity", "container/no-resources", (ms: any[]) => { backendC(ms).resources.requests.cpu = "lots"; }],
    ["a request above its limit", "resource/request-above-limit", (ms: any[]) => { backendC(ms).resources.requests.memory = "2Gi"; }],
  ] as const)("%s → %s", (_n, rule, edit) => {
    expect(rules(broken(edit))).toEqual([rule]);
  });
});

describe("probes", () => {
  it.each([
    ["liveness on a path the backend does not serve", "probe/unserved-path", (ms: any[]) => { backendC(ms).livenessProbe.httpGet.path = "/healthz"; }],
    ["readiness on a served path that is not the configured one", "probe/health-path", (ms: any[]) => { backendC(ms).readinessProbe.httpGet.path = "/health"; }],
    ["a frontend probe on a backend path", "probe/unserved-path", (ms: any[]) => { obj(ms, "Deployment", "-frontend").spec.template.spec.containers[0].readinessProbe.httpGet.path = "/ready"; }],
    ["a probe on an undeclared port", "port/drift", (ms: any[]) => { backendC(ms).startupProbe.httpGet.port = 9999; }],
    ["an exec probe where an HTTP one belongs", "probe/not-http", (ms: any[]) => { backendC(ms).livenessProbe = { exec: { command: ["true"] } }; }],
    ["no readiness probe on PostgreSQL", "probe/missing", (ms: any[]) => { delete obj(ms, "StatefulSet").spec.template.spec.containers[0].readinessProbe; }],
  ] as const)("%s → %s", (_n, rule, edit) => {
    expect(rules(broken(edit))).toEqual([rule]);
  });
});

describe("ports", () => {
  it.each([
    ["the backend listening on another port", "port/drift", (ms: any[]) => { backendC(ms).ports[0].containerPort = 8080; }],
    ["PORT env disagreeing with the containerPort", "port/drift", (ms: any[]) => { backendC(ms).env.find((e: any) => e.name === "PORT").value = "9000"; }],
    ["a Service targeting an unknown port name", "port/drift", (ms: any[]) => { obj(ms, "Service", "-backend").spec.ports[0].targetPort = "web"; }],
    ["a Service selecting nothing", "service/selector-mismatch", (ms: any[]) => { obj(ms, "Service", "-frontend").spec.selector["app.kubernetes.io/component"] = "web"; }],
    ["an Ingress on a port the Service lacks", "port/drift", (ms: any[]) => { obj(ms, "Ingress").spec.rules[0].http.paths[0].backend.service.port = { name: "https" }; }],
    ["an Ingress to a Service not in the chart", "reference/not-created", (ms: any[]) => { obj(ms, "Ingress").spec.rules[0].http.paths[0].backend.service.name = "frontend-service"; }],
    ["an Ingress path the frontend does not serve", "ingress/unserved-path", (ms: any[]) => { obj(ms, "Ingress").spec.rules[0].http.paths[0].path = "/admin"; }],
    ["a NetworkPolicy opening a port nobody listens on", "network/unknown-port", (ms: any[]) => { obj(ms, "NetworkPolicy", "-backend").spec.ingress[0].ports[0].port = 8001; }],
    ["a Deployment selector that misses its pods", "workload/selector-mismatch", (ms: any[]) => { obj(ms, "Deployment", "-backend").spec.selector.matchLabels["app.kubernetes.io/component"] = "api"; }],
  ] as const)("%s → %s", (_n, rule, edit) => {
    expect(rules(broken(edit))).toContain(rule);
  });

  it("a drifted container port is caught by the Service and probe rules too", () => {
    expect(rules(broken((ms) => { backendC(ms).ports[0].containerPort = 8080; }))).toEqual(["network/unknown-port", "port/drift"]);
  });
});

describe("images", () => {
  it.each([
    ["no tag nor digest", "todo-backend"],
    ["latest", "todo-backend:latest"],
    ["a malformed digest", "todo-backend@sha256:abc"],
    ["latest with a registry port", "registry.local:5000/todo-backend"],
  ])("%s → image/mutable-tag", (_n, image) => {
    expect(rules(broken((ms) => { backendC(ms).image = image; }))).toEqual(["image/mutable-tag"]);
  });

  it("a version tag or a digest passes", () => {
    expect(broken((ms) => { backendC(ms).image = "registry.local:5000/todo-backend:1.2.3"; })).toEqual([]);
    expect(broken((ms) => { backendC(ms).image = `todo-backend@sha256:${"a".repeat(64)}`; })).toEqual([]);
  });
});

describe("secrets in rendered objects", () => {
  it.each([
    ["a plain DATABASE_URL env", "secret/env-value", (ms: any[]) => { backendC(ms).env.push({ name: "DATABASE_URL", value: "postgresql://todo@db/todo" }); }],
    ["a secret key in a ConfigMap", "secret/in-configmap", (ms: any[]) => { obj(ms, "ConfigMap", "-backend").data.JWT_SECRET = "s3cr3t"; }],
  ] as const)("%s → %s", (_n, rule, edit) => {
    expect(rules(broken(edit))).toContain(rule);
  });
});

describe("network policies", () => {
  it.each([
    ["no default deny", "network/default-deny", (ms: any[]) => { ms.splice(ms.indexOf(obj(ms, "NetworkPolicy", "-default-deny")), 1); }],
    ["a pod no policy selects", "network/uncovered", (ms: any[]) => { ms.splice(ms.indexOf(obj(ms, "NetworkPolicy", "-postgresql")), 1); }],
    ["the backend open to every source", "network/open-ingress", (ms: any[]) => { delete obj(ms, "NetworkPolicy", "-backend").spec.ingress[0].from; }],
    ["PostgreSQL open to 0.0.0.0/0", "network/open-ingress", (ms: any[]) => { obj(ms, "NetworkPolicy", "-postgresql").spec.ingress[0].from.push({ ipBlock: { cidr: "0.0.0.0/0" } }); }],
  ] as const)("%s → %s", (_n, rule, edit) => {
    expect(rules(broken(edit))).toEqual([rule]);
  });

  it("the frontend may be open (it is the entry point)", () => {
    expect(broken((ms) => { delete obj(ms, "NetworkPolicy", "-frontend").spec.ingress[0].from; })).toEqual([]);
  });
});

describe("names", () => {
  it("two objects with one kind and name → object/duplicate-name", () => {
    expect(rules(broken((ms) => { ms.push(structuredClone(obj(ms, "ConfigMap", "-backend"))); }))).toEqual(["object/duplicate-name"]);
  });
});


it("NOTES.txt printing a Secret's data → secret/notes-prints", () => {
  const templates = baseline.templates.map((t) => (t.rel === "templates/NOTES.txt" ? { ...t, text: `${t.text}\nPassword: {{ .Values.auth.password | b64dec }}\n` } : t));
  expect(rules(analyze({ ...baseline, templates }))).toEqual(["secret/notes-prints"]);
});

it("every house policy rule has a case (a one-defect fixture) in this file", () => {
  const text = readFileSync(fileURLToPath(import.meta.url), "utf8");
  expect(RULES.filter((r) => r.policy).map((r) => r.id).filter((id) => !text.includes(`"${id}"`))).toEqual([]);
});
