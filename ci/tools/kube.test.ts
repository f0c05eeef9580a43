// The rollout wait and diagnosis through the real @kubernetes/client-node
// against a server speaking the Kubernetes REST API over a socket.
import { readFileSync, writeFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { FakeKubeApi } from "../../helm/test/fake-kube-api.js";
import { kubeConfigFrom, rolloutGap, waitForRollout } from "./kube.js";

const deployment = (name: string, status: object, replicas = 2) => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name, namespace: "todo", generation: 2, labels: { "app.kubernetes.io/instance": "todo" } },
  spec: { replicas, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [] } } },
  status,
});

describe("rolloutGap", () => {
  it("waits for the controller, then updated, then ready replicas", () => {
    expect(rolloutGap(deployment("a", { observedGeneration: 1 }) as never)).toMatch(/not seen the latest spec/);
    expect(rolloutGap(deployment("a", { observedGeneration: 2, updatedReplicas: 1 }) as never)).toBe("1/2 replicas updated");
    expect(rolloutGap(deployment("a", { observedGeneration: 2, updatedReplicas: 2, readyReplicas: 1, availableReplicas: 1 }) as never)).toBe("1/2 replicas ready");
    expect(rolloutGap(deployment("a", { observedGeneration: 2, updatedReplicas: 2, readyReplicas: 2, availableReplicas: 2 }) as never)).toBe("");
  });
});

// The fake API speaks plain HTTP; client-node accepts that only for clusters marked insecure.
function insecure(kubeconfig: string): string {
  writeFileSync(kubeconfig, readFileSync(kubeconfig, "utf8").replace(/cluster: \{server: ("[^"]+")\}/, "cluster: {server: $1, insecure-skip-tls-verify: true}"));
  return kubeconfig;
}

describe("waitForRollout against a Kubernetes API", () => {
  let api: FakeKubeApi | undefined;
  afterEach(async () => {
    await api?.stop();
  });

  it("returns ready once every workload of the release has rolled out", async () => {
    api = new FakeKubeApi();
    const { kubeconfig } = await api.start();
    api.store.set("/apis/apps/v1/namespaces/todo/deployments/todo-backend", deployment("todo-backend", { observedGeneration: 2, updatedReplicas: 2, readyReplicas: 2, availableReplicas: 2 }));
    const r = await waitForRollout(kubeConfigFrom(insecure(kubeconfig)), { namespace: "todo", selector: "app.kubernetes.io/instance=todo", timeoutMs: 2_000, pollMs: 50, loadCommand: (i) => `load ${i}` });
    expect(r).toEqual({ ready: true, pending: [], diagnoses: [] });
  });

  it("times out naming the workload and diagnosing its pods", async () => {
    api = new FakeKubeApi();
    const { kubeconfig } = await api.start();
    api.store.set("/apis/apps/v1/namespaces/todo/deployments/todo-backend", deployment("todo-backend", { observedGeneration: 2, updatedReplicas: 2, readyReplicas: 0 }));
    api.store.set("/api/v1/namespaces/todo/pods/todo-backend-abc", {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "todo-backend-abc", namespace: "todo", labels: { "app.kubernetes.io/instance": "todo" } },
      spec: { containers: [{ name: "backend", image: "todo-backend:sha-1" }] },
      status: { phase: "Pending", containerStatuses: [{ name: "backend", image: "todo-backend:sha-1", imageID: "", ready: false, restartCount: 0, state: { waiting: { reason: "ErrImageNeverPull" } } }] },
    });
    const r = await waitForRollout(kubeConfigFrom(insecure(kubeconfig)), { namespace: "todo", selector: "app.kubernetes.io/instance=todo", timeoutMs: 300, pollMs: 50, loadCommand: (i) => `minikube image load ${i}` });
    expect(r.ready).toBe(false);
    expect(r.pending).toEqual(["Deployment/todo-backend: 0/2 replicas ready"]);
    expect(r.diagnoses).toEqual([expect.objectContaining({ pod: "todo-backend-abc", reason: "ErrImageNeverPull", fix: "load it into the cluster: minikube image load todo-backend:sha-1" })]);
  });
});
