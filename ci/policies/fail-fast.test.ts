import { describe, expect, it } from "vitest";
import type { PodDiagnosis } from "./diagnosis.js";
import { FailFast, GRACE_MS, graceOf, podsToJudge, workloadOf } from "./fail-fast.js";
import type { V1Pod } from "@kubernetes/client-node";

const d = (reason: string, message = "", pod = "todo-backend-1", container = "backend"): PodDiagnosis => ({ pod, container, reason, message, fix: "" });

describe("fail fast", () => {
  it("ends the wait at once on what cannot fix itself", () => {
    const ff = new FailFast();
    for (const fatal of [d("ImagePullBackOff"), d("ErrImageNeverPull"), d("CrashLoopBackOff"), d("OOMKilled"), d("Pending", "no node has enough cpu: 0/1 nodes are available: 1 Insufficient cpu.", "p", undefined)]) {
      expect(ff.observe([fatal], 1_000)).toEqual([fatal]);
    }
  });

  it("gives what may recover its grace, then ends the wait", () => {
    const ff = new FailFast();
    const probe = d("ProbeFailing", "running but not ready");
    expect(ff.observe([probe], 0)).toEqual([]);
    expect(ff.observe([probe], GRACE_MS.probeFailing - 1)).toEqual([]);
    expect(ff.observe([probe], GRACE_MS.probeFailing)).toEqual([probe]);
  });

  it("starts a grace over when the diagnosis went away in between (the pod recovered)", () => {
    const ff = new FailFast();
    const pull = d("ErrImagePull");
    expect(ff.observe([pull], 0)).toEqual([]);
    expect(ff.observe([], 10_000)).toEqual([]);
    expect(ff.observe([pull], GRACE_MS.pullFailed + 1)).toEqual([]);
    expect(ff.observe([pull], 10_000 + 2 * GRACE_MS.pullFailed)).toEqual([pull]);
  });

  it("tells a volume being provisioned from a pod no node can take", () => {
    expect(graceOf(d("Pending", "waiting for a volume: pod has unbound immediate PersistentVolumeClaims"))).toBe(GRACE_MS.volumePending);
    expect(graceOf(d("Pending", "no node has enough memory: …"))).toBe(0);
    expect(graceOf(d("Pending", "not scheduled: node(s) had untolerated taint"))).toBe(GRACE_MS.notScheduled);
    expect(graceOf(d("Error", "keeps crashing (exit code 1)"))).toBe(GRACE_MS.exited);
  });
});

describe("podsToJudge", () => {
  const since = new Date("2026-12-06T23:00:00Z");
  const pod = (name: string, created: string, owner?: { kind: string; name: string }, hash?: string, deleting = false): V1Pod => ({
    metadata: {
      name,
      creationTimestamp: new Date(created),
      ...(owner ? { ownerReferences: [{ apiVersion: "apps/v1", kind: owner.kind, name: owner.name, uid: name }] } : {}),
      ...(hash ? { labels: { "pod-template-hash": hash } } : {}),
      ...(deleting ? { deletionTimestamp: new Date(created) } : {}),
    },
  });
  const oldPending = pod("faults-backend-5fcb5dbc8c-stm2j", "2026-12-06T22:59:00Z", { kind: "ReplicaSet", name: "faults-backend-5fcb5dbc8c" }, "5fcb5dbc8c");
  const newBackend = pod("faults-backend-7d9f8c6b5-abcde", "2026-12-06T23:00:10Z", { kind: "ReplicaSet", name: "faults-backend-7d9f8c6b5" }, "7d9f8c6b5");
  const oldFrontend = pod("faults-frontend-79464799d9-2fkx4", "2026-12-06T22:59:00Z", { kind: "ReplicaSet", name: "faults-frontend-79464799d9" }, "79464799d9");
  const names = (pods: V1Pod[]) => pods.map((p) => p.metadata?.name);

  it("judges only the install's own pods at first", () => {
    expect(names(podsToJudge([oldPending, newBackend, oldFrontend], since, false))).toEqual(["faults-backend-7d9f8c6b5-abcde"]);
  });
  it("later also judges older pods, but not one a newer pod of its Deployment replaces", () => {
    expect(names(podsToJudge([oldPending, newBackend, oldFrontend], since, true))).toEqual(["faults-backend-7d9f8c6b5-abcde", "faults-frontend-79464799d9-2fkx4"]);
  });
  it("never judges pods on their way out; a StatefulSet's pods are its own workload", () => {
    const db = pod("faults-postgresql-0", "2026-12-06T22:00:00Z", { kind: "StatefulSet", name: "faults-postgresql" });
    expect(names(podsToJudge([pod("gone", "2026-12-06T23:00:20Z", undefined, undefined, true), db], since, true))).toEqual(["faults-postgresql-0"]);
    expect(workloadOf(db)).toBe("StatefulSet/faults-postgresql");
    expect(workloadOf(oldPending)).toBe("Deployment/faults-backend");
  });
});
