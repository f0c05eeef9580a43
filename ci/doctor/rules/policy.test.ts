// Every chart policy, proven both ways: the real chart (rendered by the real
// helm) passes with zero findings, and a copy broken in one place is caught by
// the rule meant to catch it.
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { loadProjectConfig, REPO_ROOT } from "../../config/load.js";
import { helmTemplateArgs, runHelm } from "../../tools/helm.js";
import { checkRenderedChart, formatFindings, loadSchemaValidator, parseManifests, readChartSources, runChartGate, type Finding, type Manifest } from "./index.js";

const config = loadProjectConfig();
let baseline: Manifest[];

beforeAll(async () => {
  const argv = helmTemplateArgs({
    release: "todo",
    namespace: "todo",
    chart: join(REPO_ROOT, config.chart.path),
    kubeVersion: config.versions.kubernetes!,
    // Every optional object on, so each rule has something to bite on.
    set: { "metrics.serviceMonitor.enabled": true, "backend.autoscaling.enabled": true },
  });
  baseline = parseManifests((await runHelm(argv)).stdout);
}, 60_000);

/* eslint-disable @typescript-eslint/no-explicit-any */
function obj(ms: any[], kind: string, suffix = ""): any {
  const hit = ms.find((m) => m.kind === kind && String(m.metadata?.name).endsWith(suffix));
  if (!hit) throw new Error(`no ${kind} *${suffix}`);
  return hit;
}
const backend = (ms: any[]) => obj(ms, "Deployment", "-backend").spec.template.spec;
const backendC = (ms: any[]) => backend(ms).containers[0];

function broken(edit: (ms: any[]) => void): Finding[] {
  const copy = structuredClone(baseline) as any[];
  edit(copy);
  return checkRenderedChart(copy, config);
}

function rules(f: Finding[]): string[] {
  return [...new Set(f.map((x) => x.rule))].sort();
}

it("the real chart passes every rule", () => {
  expect(formatFindings(checkRenderedChart(baseline, config))).toBe("");
});

describe("security", () => {
  const cases: [string, string, (ms: any[]) => void][] = [
    ["runAsNonRoot missing", "security/run-as-non-root", (ms) => { delete backend(ms).securityContext.runAsNonRoot; delete backendC(ms).securityContext.runAsNonRoot; }],
    ["runAsUser 0", "security/run-as-user", (ms) => { backendC(ms).securityContext.runAsUser = 0; }],
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
    ["a root test pod", "security/run-as-user", (ms) => { const p = obj(ms, "Pod", "-test").spec; p.securityContext.runAsUser = 0; p.containers[0].securityContext.runAsUser = 0; }],
    ["a root PostgreSQL", "security/run-as-non-root", (ms) => { const p = obj(ms, "StatefulSet").spec.template.spec; p.securityContext.runAsNonRoot = false; p.containers[0].securityContext.runAsNonRoot = false; }],
  ];
  it.each(cases)("%s → %s", (_name, rule, edit) => {
    expect(rules(broken(edit))).toContain(rule);
  });
});

describe("resources", () => {
  it.each([
    ["no memory limit", "resources/declared", (ms: any[]) => { delete backendC(ms).resources.limits.memory; }],
    ["no resources on the test pod", "resources/declared", (ms: any[]) => { delete obj(ms, "Pod", "-test").spec.containers[0].resources; }],
    ["not a quantity", "resources/declared", (ms: any[]) => { backendC(ms).resources.requests.cpu = "lots"; }],
    ["a request above its limit", "resources/request-within-limit", (ms: any[]) => { backendC(ms).resources.requests.memory = "2Gi"; }],
  ] as const)("%s → %s", (_n, rule, edit) => {
    expect(rules(broken(edit))).toEqual([rule]);
  });
});

describe("probes", () => {
  it.each([
    ["liveness on a path the backend does not serve", "probes/served-path", (ms: any[]) => { backendC(ms).livenessProbe.httpGet.path = "/healthz"; }],
    ["readiness on a served path that is not the configured one", "probes/health-path", (ms: any[]) => { backendC(ms).readinessProbe.httpGet.path = "/health"; }],
    ["a frontend probe on a backend path", "probes/served-path", (ms: any[]) => { obj(ms, "Deployment", "-frontend").spec.template.spec.containers[0].readinessProbe.httpGet.path = "/ready"; }],
    ["a probe on an undeclared port", "probes/port", (ms: any[]) => { backendC(ms).startupProbe.httpGet.port = 9999; }],
    ["an exec probe where an HTTP one belongs", "probes/http-path", (ms: any[]) => { backendC(ms).livenessProbe = { exec: { command: ["true"] } }; }],
    ["no readiness probe on PostgreSQL", "probes/present", (ms: any[]) => { delete obj(ms, "StatefulSet").spec.template.spec.containers[0].readinessProbe; }],
  ] as const)("%s → %s", (_n, rule, edit) => {
    expect(rules(broken(edit))).toEqual([rule]);
  });
});

describe("ports", () => {
  it.each([
    ["the backend listening on another port", "ports/container", (ms: any[]) => { backendC(ms).ports[0].containerPort = 8080; }],
    ["PORT env disagreeing with the containerPort", "ports/container", (ms: any[]) => { backendC(ms).env.find((e: any) => e.name === "PORT").value = "9000"; }],
    ["a Service targeting an unknown port name", "ports/service-target", (ms: any[]) => { obj(ms, "Service", "-backend").spec.ports[0].targetPort = "web"; }],
    ["a Service selecting nothing", "ports/service-selector", (ms: any[]) => { obj(ms, "Service", "-frontend").spec.selector["app.kubernetes.io/component"] = "web"; }],
    ["an Ingress on a port the Service lacks", "ports/ingress-backend", (ms: any[]) => { obj(ms, "Ingress").spec.rules[0].http.paths[0].backend.service.port = { name: "https" }; }],
    ["an Ingress to a Service not in the chart", "ports/ingress-backend", (ms: any[]) => { obj(ms, "Ingress").spec.rules[0].http.paths[0].backend.service.name = "frontend-service"; }],
    ["an Ingress path the frontend does not serve", "ports/ingress-path", (ms: any[]) => { obj(ms, "Ingress").spec.rules[0].http.paths[0].path = "/admin"; }],
    ["a NetworkPolicy opening a port nobody listens on", "ports/network-policy", (ms: any[]) => { obj(ms, "NetworkPolicy", "-backend").spec.ingress[0].ports[0].port = 8001; }],
    ["a Deployment selector that misses its pods", "ports/selector", (ms: any[]) => { obj(ms, "Deployment", "-backend").spec.selector.matchLabels["app.kubernetes.io/component"] = "api"; }],
  ] as const)("%s → %s", (_n, rule, edit) => {
    expect(rules(broken(edit))).toContain(rule);
  });

  it("a drifted container port is caught by the Service and probe rules too", () => {
    expect(rules(broken((ms) => { backendC(ms).ports[0].containerPort = 8080; }))).toEqual(["ports/container", "ports/network-policy", "ports/service-target", "probes/port"]);
  });
});

describe("images", () => {
  it.each([
    ["no tag nor digest", "todo-backend"],
    ["latest", "todo-backend:latest"],
    ["a malformed digest", "todo-backend@sha256:abc"],
    ["latest with a registry port", "registry.local:5000/todo-backend"],
  ])("%s → images/pinned", (_n, image) => {
    expect(rules(broken((ms) => { backendC(ms).image = image; }))).toEqual(["images/pinned"]);
  });

  it("a version tag or a digest passes", () => {
    expect(broken((ms) => { backendC(ms).image = "registry.local:5000/todo-backend:1.2.3"; })).toEqual([]);
    expect(broken((ms) => { backendC(ms).image = `todo-backend@sha256:${"a".repeat(64)}`; })).toEqual([]);
  });
});

describe("secrets in rendered objects", () => {
  it.each([
    ["a plain DATABASE_URL env", "secrets/env-from-secret", (ms: any[]) => { backendC(ms).env.push({ name: "DATABASE_URL", value: "postgresql://todo@db/todo" }); }],
    ["a secret key in a ConfigMap", "secrets/configmap", (ms: any[]) => { obj(ms, "ConfigMap", "-backend").data.JWT_SECRET = "s3cr3t"; }],
    ["a credential URL in an annotation", "secrets/plaintext", (ms: any[]) => { obj(ms, "Service", "-backend").metadata.annotations = { note: "postgresql://todo:hunter2@db:5432/todo" }; }],
  ] as const)("%s → %s", (_n, rule, edit) => {
    expect(rules(broken(edit))).toContain(rule);
  });
});

describe("network policies", () => {
  it.each([
    ["no default deny", "network/default-deny", (ms: any[]) => { ms.splice(ms.indexOf(obj(ms, "NetworkPolicy", "-default-deny")), 1); }],
    ["a pod no policy selects", "network/covered", (ms: any[]) => { ms.splice(ms.indexOf(obj(ms, "NetworkPolicy", "-postgresql")), 1); }],
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
  it("two objects with one kind and name → names/unique", () => {
    expect(rules(broken((ms) => { ms.push(structuredClone(obj(ms, "ConfigMap", "-backend"))); }))).toEqual(["names/unique"]);
  });
});

describe("runChartGate", () => {
  it("is clean for the real chart and names the rendering, the object and the source of what it finds", async () => {
    const chart = join(REPO_ROOT, config.chart.path);
    const text = (await runHelm(helmTemplateArgs({ release: "todo", namespace: "todo", chart, kubeVersion: config.versions.kubernetes! }))).stdout;
    const validator = loadSchemaValidator(config.versions.kubernetes!);
    const sources = readChartSources(chart);
    expect(runChartGate({ renderings: [{ name: "defaults", text }], sources, config, validator })).toEqual([]);

    const broken = text.replace("readOnlyRootFilesystem: true", "readOnlyRootFilesystem: false").replace("runAsNonRoot: true", "runAsNonRot: true");
    const f = runChartGate({
      renderings: [{ name: "defaults", text: broken }, { name: "garbage", text: "a: [" }],
      sources: [
        ...sources.map((s) => (s.path === "values.schema.json" ? { ...s, text: s.text.replace('"minimum": 1,', '"minimun": 1,') } : s)),
        { path: "values-leak.yaml", text: "auth:\n  password: hunter2\n" },
      ],
      config,
      validator,
    });
    expect(f.map((x) => `${x.rule} ${x.object}`)).toEqual(expect.arrayContaining([
      "secrets/source-plaintext values-leak.yaml",
      "security/read-only-root defaults: Deployment/todo-todo-app-backend",
      "schema/invalid defaults: Deployment/todo-todo-app-backend",
      "render/parse garbage",
      "values/schema values.schema.json",
    ]));
    expect(f.find((x) => x.rule === "schema/invalid")).toMatchObject({ source: "todo-app/templates/backend-deployment.yaml", message: 'unknown field "runAsNonRot"' });
  });
});

