import { describe, expect, it } from "vitest";
import type { PodDiagnosis } from "./diagnosis.js";
import { FailFast, GRACE_MS, graceOf } from "./fail-fast.js";

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
