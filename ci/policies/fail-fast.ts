// When a deploy stops waiting: a pod whose diagnosis cannot fix itself ends
// the wait at once (an image the node does not have, a crash loop, a pod no
// node can take); one that may still recover (a probe failing while the app
// starts, a volume being provisioned) ends it only once it has stood for its
// grace. Pure: the watcher feeds what it sees, this says what is fatal.
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
