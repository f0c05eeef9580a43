// A helm release left pending (pending-install, -upgrade, -rollback) by a helm
// that was stopped while the API server could not be reached: helm refuses
// every later operation ("another operation is in progress") until someone
// clears it. Pure: what to do about the release's last revision.
export const STALE_PENDING_MS = 90_000;

export type PendingAction =
  | { kind: "none" }
  /** Another deploy may still be running it: say how to clear it, change nothing. */
  | { kind: "refuse"; message: string }
  /** Left behind by a deploy that is gone: undo it the way helm would have on failure. */
  | { kind: "uninstall" | "rollback"; message: string };

export function pendingAction(release: string, status: string, updatedAt: Date, now: Date): PendingAction {
  if (!status.startsWith("pending-")) return { kind: "none" };
  const age = Math.round((now.getTime() - updatedAt.getTime()) / 1000);
  if (now.getTime() - updatedAt.getTime() < STALE_PENDING_MS) {
    const undo = status === "pending-install" ? `helm uninstall ${release}` : `helm rollback ${release}`;
    return { kind: "refuse", message: `release ${release} is ${status} since ${age} s ago: another deploy is running it, or one was interrupted; wait for it, or clear it (${undo}) and deploy again` };
  }
  return status === "pending-install"
    ? { kind: "uninstall", message: `release ${release} was left pending-install ${age} s ago by an interrupted deploy: uninstalling it first (nothing of it was ever deployed)` }
    : { kind: "rollback", message: `release ${release} was left ${status} ${age} s ago by an interrupted deploy: rolling back to its last revision first` };
}
