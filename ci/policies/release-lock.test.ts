import { describe, expect, it } from "vitest";
import { STALE_PENDING_MS, pendingAction } from "./release-lock.js";

const now = new Date("2026-12-06T19:30:00Z");
const ago = (ms: number) => new Date(now.getTime() - ms);

describe("a release left pending", () => {
  it("leaves deployed and failed releases alone", () => {
    expect(pendingAction("todo", "deployed", ago(1), now)).toEqual({ kind: "none" });
    expect(pendingAction("todo", "failed", ago(1), now)).toEqual({ kind: "none" });
  });

  it("refuses, naming the fix, while another deploy may still be running it", () => {
    const a = pendingAction("todo", "pending-upgrade", ago(10_000), now);
    expect(a).toEqual({ kind: "refuse", message: expect.stringContaining("since 10 s ago") });
    expect(a.kind === "refuse" && a.message).toMatch(/helm rollback todo/);
  });

  it("clears one left by an interrupted deploy: an install is uninstalled, anything else rolled back", () => {
    expect(pendingAction("todo", "pending-install", ago(STALE_PENDING_MS), now).kind).toBe("uninstall");
    expect(pendingAction("todo", "pending-upgrade", ago(STALE_PENDING_MS + 1), now).kind).toBe("rollback");
    expect(pendingAction("todo", "pending-rollback", ago(10 * 60_000), now).kind).toBe("rollback");
  });
});
