// Pods and events shaped as the Kubernetes API returns them (GET /api/v1/namespaces/x/pods).
import type { CoreV1Event, V1Pod } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { deployFailureSummary, diagnosePod, diagnosisLine, formatDiagnoses } from "./diagnosis.js";

const ctx = { loadCommand: (image: string) => `minikube image load ${image}` };
const container = {
  name: "backend",
  image: "todo-backend:sha-abc",
  ports: [{ name: "http", containerPort: 8000, protocol: "TCP" }],
  readinessProbe: { httpGet: { path: "/ready", port: "http", scheme: "HTTP" }, periodSeconds: 5 },
  livenessProbe: { httpGet: { path: "/health", port: "http", scheme: "HTTP" } },
  resources: { limits: { memory: "256Mi", cpu: "500m" }, requests: { memory: "128Mi", cpu: "100m" } },
};
const pod = (status: object, phase = "Running"): V1Pod =>
  ({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "todo-backend-7d9f-x2k4q", namespace: "todo", labels: { "app.kubernetes.io/component": "backend" } },
    spec: { containers: [container] },
    status: { phase, conditions: [], containerStatuses: [{ name: "backend", image: "todo-backend:sha-abc", imageID: "", ready: false, restartCount: 0, started: false, ...status }] },
  }) as unknown as V1Pod;
const event = (reason: string, message: string): CoreV1Event =>
  ({ apiVersion: "v1", kind: "Event", metadata: { name: "e1" }, involvedObject: { kind: "Pod", name: "todo-backend-7d9f-x2k4q", namespace: "todo" }, reason, message, type: "Warning" }) as CoreV1Event;

describe("pod diagnosis", () => {
  it.each(["ImagePullBackOff", "ErrImageNeverPull"])("%s names the exact command that loads the image", (reason) => {
    const [d] = diagnosePod(pod({ state: { waiting: { reason, message: 'Container image "todo-backend:sha-abc" is not present with pull policy of Never' } } }), [], ctx);
    expect(d).toMatchObject({ reason, container: "backend" });
    expect(d!.fix).toBe("load it into the cluster: minikube image load todo-backend:sha-abc");
  });

  it("CrashLoopBackOff shows the last log lines and the exit code", () => {
    const logs = new Map([["backend", Array.from({ length: 30 }, (_, i) => `line ${i}`).join("\n") + "\ninvalid configuration; fix these environment variables:\n  JWKS_URL: set exactly one\n"]]);
    const [d] = diagnosePod(pod({ restartCount: 4, state: { waiting: { reason: "CrashLoopBackOff", message: "back-off 40s restarting failed container" } }, lastState: { terminated: { exitCode: 2, reason: "Error" } } }), [], { ...ctx, logs, lastLogLines: 3 });
    expect(d!.reason).toBe("CrashLoopBackOff");
    expect(d!.message).toBe("keeps crashing (exit code 2, Error); last log lines:\nline 29\ninvalid configuration; fix these environment variables:\n  JWKS_URL: set exactly one");
    expect(d!.fix).toContain("kubectl logs todo-backend-7d9f-x2k4q -c backend --previous");
  });

  it("OOMKilled names the memory limit", () => {
    const [d] = diagnosePod(pod({ restartCount: 1, state: { waiting: { reason: "CrashLoopBackOff" } }, lastState: { terminated: { exitCode: 137, reason: "OOMKilled" } } }), [], ctx);
    expect(d).toMatchObject({ reason: "OOMKilled", message: "killed for using more memory than its limit (256Mi)" });
  });

  it("a failing readiness probe names its path and port", () => {
    const [d] = diagnosePod(pod({ state: { running: { startedAt: "2026-11-22T10:00:00Z" } } }), [event("Unhealthy", "Readiness probe failed: HTTP probe failed with statuscode: 503")], ctx);
    expect(d!.reason).toBe("ProbeFailing");
    expect(d!.message).toContain("HTTP GET /ready on port http (8000)");
    expect(d!.message).toContain("statuscode: 503");
  });

  it("a failing liveness probe is told apart from readiness", () => {
    const [d] = diagnosePod(pod({ state: { running: {} } }), [event("Unhealthy", "Liveness probe failed: Get \"http://10.0.0.5:8000/health\": connection refused")], ctx);
    expect(d!.message).toContain("HTTP GET /health");
  });

  it("Pending on an unbound PVC and on insufficient memory", () => {
    const pending = (msg: string) => diagnosePod(pod({ state: { waiting: { reason: "ContainerCreating" } } }, "Pending"), [event("FailedScheduling", msg)], ctx)[0]!;
    expect(pending("0/1 nodes are available: pod has unbound immediate PersistentVolumeClaims. preemption: 0/1 nodes are available").message).toMatch(/waiting for a volume/);
    const mem = pending("0/1 nodes are available: 1 Insufficient memory. preemption: 0/1 nodes are available");
    expect(mem.message).toMatch(/no node has enough memory/);
    expect(mem.fix).toContain("resources.requests.memory");
  });

  it("finds nothing wrong in a ready pod, and formats the report", () => {
    expect(diagnosePod(pod({ ready: true, started: true, state: { running: {} } }), [], ctx)).toEqual([]);
    expect(formatDiagnoses([])).toBe("no failing pods found");
    expect(formatDiagnoses([{ pod: "p", container: "c", reason: "OOMKilled", message: "m", fix: "f" }])).toBe("✗ p/c: OOMKilled: m\n  fix: f");
  });
});

describe("diagnosis lines in a deploy's output", () => {
  const d = { pod: "todo-backend-1", container: "backend", reason: "CrashLoopBackOff", message: "keeps crashing (exit code 1); last log lines:\nboom\n  at x", fix: "read the logs" };

  it("puts each diagnosis on one line, log lines joined, fix included", () => {
    expect(diagnosisLine(d)).toBe("diagnosis: todo-backend-1/backend: CrashLoopBackOff: keeps crashing (exit code 1); last log lines: | boom | at x (fix: read the logs)");
  });

  it("quotes them for the step table, each once, and falls back to the error without any", () => {
    const output = `helm output\n${diagnosisLine(d)}\nmore\n${diagnosisLine(d)}\n${diagnosisLine({ ...d, pod: "todo-frontend-2", container: "frontend" })}`;
    expect(deployFailureSummary(output, "exit code: 1").split("\n")).toEqual([
      diagnosisLine(d).slice("diagnosis: ".length),
      diagnosisLine({ ...d, pod: "todo-frontend-2", container: "frontend" }).slice("diagnosis: ".length),
    ]);
    expect(deployFailureSummary("UPGRADE FAILED: context deadline exceeded", "exit code: 1")).toBe("exit code: 1");
  });
});
