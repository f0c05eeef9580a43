// Objects shaped as the Kubernetes API returns them for a release of helm/todo-app
// (names and wiring as the chart renders them: DATABASE_URL from the generated Secret).
import type { CoreV1Event, V1ConfigMap, V1EndpointSlice, V1Pod, V1Secret, V1Service } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { type ChainInput, type Workload, containerEnv, dependenciesOf, linkDependencyChains, readyEndpoints } from "./dependency-chain.js";
import { diagnosePod, formatDiagnoses } from "./diagnosis.js";

const ns = "todo";
const b64 = (s: string) => Buffer.from(s).toString("base64");
const labels = (component: string) => ({ "app.kubernetes.io/name": "todo-app", "app.kubernetes.io/instance": "todo", "app.kubernetes.io/component": component });
const secret = (url: string): V1Secret => ({ apiVersion: "v1", kind: "Secret", metadata: { name: "todo-secrets", namespace: ns }, data: { POSTGRES_PASSWORD: b64("s3cret"), DATABASE_URL: b64(url) } });
const backendConfig: V1ConfigMap = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "todo-backend", namespace: ns }, data: { LOG_LEVEL: "debug", JWKS_URL: "http://todo-frontend:3000/api/auth/jwks" } };
const frontendConfig: V1ConfigMap = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "todo-frontend", namespace: ns }, data: { BACKEND_URL: "http://todo-backend:8000" } };
const service = (component: string, port: number): V1Service => ({ apiVersion: "v1", kind: "Service", metadata: { name: `todo-${component}`, namespace: ns }, spec: { type: "ClusterIP", selector: labels(component), ports: [{ port }] } });
const services = [service("backend", 8000), service("frontend", 3000), service("postgresql", 5432)];
const slice = (svc: string, ...ready: boolean[]): V1EndpointSlice => ({
  apiVersion: "discovery.k8s.io/v1", kind: "EndpointSlice", addressType: "IPv4",
  metadata: { name: `${svc}-x1`, namespace: ns, labels: { "kubernetes.io/service-name": svc } },
  endpoints: ready.map((r, i) => ({ addresses: [`10.88.0.${i + 10}`], conditions: { ready: r } })),
});

const backendPod = (name: string, state: object = { running: { startedAt: "2026-11-27T20:00:00Z" } }, restartCount = 0): V1Pod => ({
  apiVersion: "v1", kind: "Pod",
  metadata: { name, namespace: ns, labels: labels("backend") },
  spec: { containers: [{
    name: "backend", image: "todo-backend:sha-abc",
    ports: [{ name: "http", containerPort: 8000 }],
    env: [{ name: "PORT", value: "8000" }, { name: "DATABASE_URL", valueFrom: { secretKeyRef: { name: "todo-secrets", key: "DATABASE_URL" } } }],
    envFrom: [{ configMapRef: { name: "todo-backend" } }],
    readinessProbe: { httpGet: { path: "/ready", port: "http" } },
  }] },
  status: { phase: "Running", conditions: [{ type: "Ready", status: "False" }], containerStatuses: [{ name: "backend", image: "todo-backend:sha-abc", imageID: "", ready: false, restartCount, state }] },
});
const postgresPod = (status: V1Pod["status"]): V1Pod => ({
  apiVersion: "v1", kind: "Pod",
  metadata: { name: "todo-postgresql-0", namespace: ns, labels: { ...labels("postgresql"), "statefulset.kubernetes.io/pod-name": "todo-postgresql-0" } },
  spec: { containers: [{ name: "postgresql", image: "postgres:17.6-alpine", env: [{ name: "POSTGRES_USER", value: "todo" }, { name: "POSTGRES_PASSWORD", valueFrom: { secretKeyRef: { name: "todo-secrets", key: "POSTGRES_PASSWORD" } } }] }] },
  status,
});
const frontendPod: V1Pod = {
  apiVersion: "v1", kind: "Pod",
  metadata: { name: "todo-frontend-5c6d-9xz", namespace: ns, labels: labels("frontend") },
  spec: { containers: [{ name: "frontend", image: "todo-frontend:sha-def", envFrom: [{ configMapRef: { name: "todo-frontend" } }] }] },
  status: { phase: "Running", conditions: [{ type: "Ready", status: "True" }], containerStatuses: [{ name: "frontend", image: "todo-frontend:sha-def", imageID: "", ready: true, restartCount: 0, state: { running: {} } }] },
};
const crashLooping = postgresPod({
  phase: "Running",
  conditions: [{ type: "Ready", status: "False" }],
  containerStatuses: [{ name: "postgresql", image: "postgres:17.6-alpine", imageID: "", ready: false, restartCount: 3,
    state: { waiting: { reason: "CrashLoopBackOff", message: "back-off 40s" } }, lastState: { terminated: { exitCode: 1, reason: "Error" } } }],
});
const sts = (replicas: number): Workload => ({ kind: "StatefulSet", metadata: { name: "todo-postgresql" }, spec: { replicas, selector: { matchLabels: labels("postgresql") }, template: { metadata: { labels: labels("postgresql") } } } });
const unhealthy = (pod: string): CoreV1Event => ({ apiVersion: "v1", kind: "Event", metadata: { name: `${pod}.1` }, involvedObject: { kind: "Pod", name: pod, namespace: ns }, reason: "Unhealthy", message: "Readiness probe failed: HTTP probe failed with statuscode: 503", type: "Warning" });

const ctx = { loadCommand: (i: string) => `ctr -n k8s.io images import ${i}` };
const pgLogs = new Map([["postgresql", '2026-11-27 20:00:01.000 UTC [1] FATAL:  unrecognized configuration parameter "no_such_setting"\n']]);

/** The release as the rollout wait sees it, each pod diagnosed on its own first. */
function release(pods: V1Pod[], o: { slices?: V1EndpointSlice[]; workloads?: Workload[]; secrets?: V1Secret[]; events?: CoreV1Event[] } = {}) {
  const events = o.events ?? pods.filter((p) => p.metadata!.name!.startsWith("todo-backend")).map((p) => unhealthy(p.metadata!.name!));
  const diagnoses = new Map(pods.map((p) => [p.metadata!.name!, diagnosePod(p, events, { ...ctx, logs: p.metadata!.name === "todo-postgresql-0" ? pgLogs : undefined })]));
  const input: ChainInput = {
    namespace: ns, pods, diagnoses, services,
    endpointSlices: o.slices ?? [slice("todo-postgresql", false), slice("todo-backend", false), slice("todo-frontend", true)],
    configMaps: [backendConfig, frontendConfig],
    secrets: o.secrets ?? [secret("postgresql://todo:s3cret@todo-postgresql:5432/todo")],
    workloads: o.workloads ?? [sts(1)],
  };
  return { input, own: pods.flatMap((p) => diagnoses.get(p.metadata!.name!) ?? []), linked: linkDependencyChains(pods, input) };
}

describe("what a container depends on, from its rendered environment", () => {
  it("resolves env values, ConfigMap and Secret keys and envFrom; DATABASE_URL's host is the chart's PostgreSQL Service", () => {
    const env = containerEnv(backendPod("b").spec!.containers[0]!, { configMaps: [backendConfig], secrets: [secret("postgresql://todo:s3cret@todo-postgresql:5432/todo")] });
    expect(env.get("PORT")).toBe("8000");
    expect(env.get("LOG_LEVEL")).toBe("debug");
    expect(dependenciesOf(env, services, ns)).toEqual([
      { env: "JWKS_URL", role: "jwks", service: "todo-frontend" },
      { env: "DATABASE_URL", role: "database", service: "todo-postgresql" },
    ]);
  });

  it("takes namespace-qualified hosts in the pod's namespace, not other namespaces or external hosts", () => {
    const deps = (url: string) => dependenciesOf(new Map([["DATABASE_URL", url]]), services, ns);
    expect(deps("postgresql://u:p@todo-postgresql.todo.svc.cluster.local:5432/todo")).toHaveLength(1);
    expect(deps("postgresql://u:p@todo-postgresql.todo:5432/todo")).toHaveLength(1);
    expect(deps("postgresql://u:p@todo-postgresql.other.svc:5432/todo")).toEqual([]);
    expect(deps("postgresql://u:p@ep-cool-1.eu-central-1.aws.neon.tech/todo?sslmode=require")).toEqual([]);
    expect(dependenciesOf(new Map([["DB_HOST", "todo-postgresql:5432"]]), services, ns)).toEqual([{ env: "DB_HOST", role: "db", service: "todo-postgresql" }]);
  });

  it("counts ready endpoints of a Service's EndpointSlices (nil ready counts as ready)", () => {
    expect(readyEndpoints("todo-postgresql", [slice("todo-postgresql", false)])).toBe(0);
    expect(readyEndpoints("todo-postgresql", [slice("todo-postgresql", false, true), slice("todo-backend", true)])).toBe(1);
    expect(readyEndpoints("todo-postgresql", [{ ...slice("todo-postgresql"), endpoints: [{ addresses: ["10.88.0.9"] }] }])).toBe(1);
    expect(readyEndpoints("todo-postgresql", [])).toBe(0);
  });
});

describe("one root cause when the backend is unready because its database is down", () => {
  it("PostgreSQL crash-looping: one DependencyDown line with the database pod's own diagnosis and fix", () => {
    const { own, linked } = release([backendPod("todo-backend-7d9f-x2k4q"), crashLooping, frontendPod]);
    expect(own.map((d) => d.reason)).toEqual(["ProbeFailing", "CrashLoopBackOff"]); // two unrelated lines before
    expect(linked).toHaveLength(1);
    expect(linked[0]).toMatchObject({ pod: "todo-backend-7d9f-x2k4q", container: "backend", reason: "DependencyDown", fix: "read the logs: kubectl logs todo-postgresql-0 -c postgresql --previous" });
    expect(formatDiagnoses(linked).split("\n")[0]).toBe(
      "✗ todo-backend-7d9f-x2k4q/backend: DependencyDown: backend unready because its database todo-postgresql is down: todo-postgresql-0/postgresql: CrashLoopBackOff: keeps crashing (exit code 1, Error); last log lines:",
    );
    expect(linked[0]!.message).toContain('FATAL:  unrecognized configuration parameter "no_such_setting"');
    expect(JSON.stringify(linked)).not.toContain("s3cret");
  });

  it("StatefulSet scaled to 0 (no pod, no endpoint): names the workload and how to scale it back", () => {
    const { linked } = release([backendPod("todo-backend-7d9f-x2k4q"), frontendPod], { slices: [{ ...slice("todo-postgresql"), endpoints: null as never }], workloads: [sts(0)] });
    expect(formatDiagnoses(linked)).toBe(
      "✗ todo-backend-7d9f-x2k4q/backend: DependencyDown: backend unready because its database todo-postgresql is down: StatefulSet todo-postgresql is scaled to 0 replicas\n" +
        "  fix: kubectl -n todo scale statefulset todo-postgresql --replicas=1 (or helm upgrade the release)",
    );
  });

  it("PostgreSQL Pending on its volume", () => {
    const pending = postgresPod({ phase: "Pending", conditions: [{ type: "PodScheduled", status: "False", message: "0/1 nodes are available: pod has unbound immediate PersistentVolumeClaims." }] });
    const { linked } = release([backendPod("todo-backend-7d9f-x2k4q"), pending]);
    expect(linked).toHaveLength(1);
    expect(linked[0]!.message).toMatch(/^backend unready because its database todo-postgresql is down: todo-postgresql-0: Pending: waiting for a volume/);
  });

  it("a backend crash-looping while the database is down is linked too; two backend pods share one line", () => {
    const crashing = backendPod("todo-backend-7d9f-new", { waiting: { reason: "CrashLoopBackOff" } }, 2);
    crashing.status!.containerStatuses![0]!.lastState = { terminated: { exitCode: 2, reason: "Error" } };
    const { linked } = release([backendPod("todo-backend-7d9f-old"), crashing, crashLooping]);
    expect(linked).toHaveLength(1);
    expect(linked[0]!.message).toMatch(/^backend unready \(2 pods: todo-backend-7d9f-old, todo-backend-7d9f-new\) because its database todo-postgresql is down: todo-postgresql-0\/postgresql: CrashLoopBackOff/);
  });

  it("the database pod not ready yet without a diagnosis of its own (still starting)", () => {
    const starting = postgresPod({ phase: "Running", conditions: [{ type: "Ready", status: "False" }], containerStatuses: [{ name: "postgresql", image: "postgres:17.6-alpine", imageID: "", ready: false, restartCount: 0, state: { running: {} } }] });
    const { linked } = release([backendPod("todo-backend-7d9f-x2k4q"), starting]);
    expect(linked[0]!.message).toBe("backend unready because its database todo-postgresql is down: todo-postgresql-0 not ready (Running)");
  });
});

describe("no link where the database is not the cause", () => {
  it("the database has ready endpoints: the backend's own diagnosis stays", () => {
    const readyPg = postgresPod({ phase: "Running", conditions: [{ type: "Ready", status: "True" }], containerStatuses: [{ name: "postgresql", image: "postgres:17.6-alpine", imageID: "", ready: true, restartCount: 0, state: { running: {} } }] });
    const { own, linked } = release([backendPod("todo-backend-7d9f-x2k4q"), readyPg, frontendPod], { slices: [slice("todo-postgresql", true), slice("todo-frontend", true)] });
    expect(linked).toEqual(own);
    expect(linked[0]!.reason).toBe("ProbeFailing");
  });

  it("the backend's own image is missing: both lines stay (the database is not why it cannot start)", () => {
    const noImage = backendPod("todo-backend-7d9f-x2k4q", { waiting: { reason: "ErrImageNeverPull" } });
    noImage.status!.phase = "Pending";
    const { own, linked } = release([noImage, crashLooping]);
    expect(linked.map((d) => d.reason)).toEqual(["ErrImageNeverPull", "CrashLoopBackOff"]);
    expect(linked).toEqual(own);
  });

  it("an external database (values-external-db.yaml): no Service by that name, nothing to link", () => {
    const { own, linked } = release([backendPod("todo-backend-7d9f-x2k4q")], { secrets: [secret("postgresql://u:p@ep-cool-1.eu-central-1.aws.neon.tech/todo")] });
    expect(linked).toEqual(own);
  });

  it("the Secret could not be read: no host, no link", () => {
    const { own, linked } = release([backendPod("todo-backend-7d9f-x2k4q"), crashLooping], { secrets: [] });
    expect(linked).toEqual(own);
  });

  it("a cycle (backend and frontend each waiting on the other) ends in one line, not none", () => {
    const frontendDown: V1Pod = { ...frontendPod, status: { phase: "Running", conditions: [{ type: "Ready", status: "False" }], containerStatuses: [{ name: "frontend", image: "todo-frontend:sha-def", imageID: "", ready: false, restartCount: 0, state: { running: {} } }] } };
    const readyPg = postgresPod({ phase: "Running", conditions: [{ type: "Ready", status: "True" }] });
    const { linked } = release([backendPod("todo-backend-7d9f-x2k4q"), frontendDown, readyPg], { slices: [slice("todo-postgresql", true), slice("todo-backend", false), slice("todo-frontend", false)] });
    expect(linked.filter((d) => d.reason === "DependencyDown")).toHaveLength(1);
  });
});
