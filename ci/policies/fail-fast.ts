// When a deploy stops waiting: a pod whose diagnosis cannot fix itself ends
// the wait at once (an image the node does not have, a crash loop, a pod no
// node can take); one that may still recover (a probe failing while the app
// starts, a volume being provisioned) ends it only once it has stood for its
// grace. Pure: the watcher feeds what it sees, this says what is fatal.
import type { V1Pod } from "@kubernetes/client-node";
import type { PodDiagnosis } from "./diagnosis.js";

/** How long each kind of diagnosis may stand before it ends the wait (ms). */
export const GRACE_MS = {
  /** The node does not have the image, or the pull policy forbids pulling it. */
  imageMissing: 0,
  /** One failed pull can be a registry hiccup; the kubelet retries it. */
  pullFailed: 20_000,
  crashLoop: 0,
  oomKilled: 0,
  /** A container that exited once may still start on its next try. */
  exited: 30_000,
  /** The Secret or ConfigMap may be created a moment later by the same release. */
  configMissing: 20_000,
  /** No node has the CPU or memory: nothing changes by waiting. */
  unschedulable: 0,
  /** A provisioner may still bind the volume. */
  volumePending: 60_000,
  notScheduled: 30_000,
  /** Probes fail while the app starts; a minute of failures is not a slow start. */
  probeFailing: 60_000,
} as const;

export function graceOf(d: PodDiagnosis): number {
  switch (d.reason) {
    case "ImagePullBackOff":
    case "ErrImageNeverPull":
      return GRACE_MS.imageMissing;
    case "ErrImagePull":
      return GRACE_MS.pullFailed;
    case "CrashLoopBackOff":
      return GRACE_MS.crashLoop;
    case "OOMKilled":
      return GRACE_MS.oomKilled;
    case "CreateContainerConfigError":
      return GRACE_MS.configMissing;
    case "ProbeFailing":
      return GRACE_MS.probeFailing;
    case "Pending":
      if (d.message.startsWith("no node has enough")) return GRACE_MS.unschedulable;
      if (d.message.startsWith("waiting for a volume")) return GRACE_MS.volumePending;
      return GRACE_MS.notScheduled;
    default:
      return GRACE_MS.exited;
  }
}

const keyOf = (d: PodDiagnosis) => `${d.pod}/${d.container ?? ""}/${d.reason}`;

/**
 * Remembers since when each diagnosis has stood; one that disappears (the pod
 * recovered or was replaced) is forgotten, so its grace starts over.
 */
export class FailFast {
  private readonly since = new Map<string, number>();

  /** The diagnoses seen at `now` that have stood for their grace. */
  observe(diagnoses: readonly PodDiagnosis[], now: number): PodDiagnosis[] {
    const seen = new Set(diagnoses.map(keyOf));
    for (const k of this.since.keys()) if (!seen.has(k)) this.since.delete(k);
    return diagnoses.filter((d) => {
      const k = keyOf(d);
      if (!this.since.has(k)) this.since.set(k, now);
      return now - this.since.get(k)! >= graceOf(d);
    });
  }
}

/** The workload a pod belongs to: its ReplicaSet's Deployment (the ReplicaSet's name without the pod's template hash), else its owner. */
export function workloadOf(pod: V1Pod): string {
  const owner = pod.metadata?.ownerReferences?.[0];
  if (!owner) return `Pod/${pod.metadata?.name ?? ""}`;
  const hash = pod.metadata?.labels?.["pod-template-hash"];
  if (owner.kind === "ReplicaSet" && hash && owner.name.endsWith(`-${hash}`)) return `Deployment/${owner.name.slice(0, -hash.length - 1)}`;
  return `${owner.kind}/${owner.name}`;
}

/**
 * The pods a deploy's watch judges: those created since the install began and,
 * once `includeOld`, the older ones that are what it waits for: not those that
 * a newer pod of the same workload is replacing (a pod left Pending by the
 * last, failed deploy must not fail the one that fixes it). Pods on their way
 * out never count.
 */
export function podsToJudge(pods: readonly V1Pod[], since: Date, includeOld: boolean): V1Pod[] {
  const live = pods.filter((p) => !p.metadata?.deletionTimestamp);
  const isNew = (p: V1Pod) => new Date(p.metadata?.creationTimestamp ?? 0) >= since;
  const renewed = new Set(live.filter(isNew).map(workloadOf));
  return live.filter((p) => isNew(p) || (includeOld && !renewed.has(workloadOf(p))));
}
