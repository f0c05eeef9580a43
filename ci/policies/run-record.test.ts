import { describe, expect, it } from "vitest";
import { RunRecordError, diffVerdicts, overallVerdict, parseRunRecord, runStep, stepTable, stepsThatDidWork, type RunRecord } from "./run-record.js";

const record = (steps: RunRecord["steps"]): RunRecord => ({
  schema: "todo-pipeline/run-record@1",
  function: "ci",
  args: {},
  commit: "a".repeat(40),
  dirty: false,
  startedAt: "2026-11-22T10:00:00Z",
  versions: { dagger: "0.21.9" },
  images: { "node:22-bookworm-slim": "sha256:" + "1".repeat(64) },
  steps,
  verdict: overallVerdict(steps),
});

describe("run record", () => {
  it("round-trips through JSON and refuses what is not a record", () => {
    const r = record([{ name: "scan", verdict: "passed", durationMs: 10, findings: [] }]);
    expect(parseRunRecord(JSON.stringify(r))).toEqual(r);
    expect(() => parseRunRecord("nope")).toThrow(RunRecordError);
    expect(() => parseRunRecord(JSON.stringify({ ...r, commit: "abc" }))).toThrow(/commit/);
  });

  it("keeps which scanners ran on which DB, and still reads records from before that was kept", () => {
    const r = { ...record([]), scan: { scanners: ["secret", "misconfig"], db: "none (vuln scanner not run)" } };
    expect(parseRunRecord(JSON.stringify(r)).scan).toEqual({ scanners: ["secret", "misconfig"], db: "none (vuln scanner not run)" });
    expect(parseRunRecord(JSON.stringify(record([]))).scan).toBeUndefined();
  });

  it("fails the run when any step failed", () => {
    expect(overallVerdict([{ name: "a", verdict: "passed", durationMs: 1, findings: [] }, { name: "b", verdict: "skipped", durationMs: 0, findings: [] }])).toBe("passed");
    expect(overallVerdict([{ name: "a", verdict: "failed", durationMs: 1, findings: [] }])).toBe("failed");
  });

  it("times a step, fails it on an error finding or a thrown error", async () => {
    expect((await runStep("ok", async () => [{ severity: "warning", message: "w" }])).verdict).toBe("passed");
    expect((await runStep("bad", async () => [{ severity: "error", message: "e" }])).verdict).toBe("failed");
    const thrown = await runStep("boom", async () => {
      throw new Error("helm lint failed");
    });
    expect(thrown).toMatchObject({ verdict: "failed", findings: [{ severity: "error", message: "helm lint failed" }] });
  });

  it("names the steps whose verdict changed on replay", () => {
    const before = record([
      { name: "build-backend", verdict: "passed", durationMs: 1, findings: [] },
      { name: "scan", verdict: "failed", durationMs: 1, findings: [] },
      { name: "check-size", verdict: "passed", durationMs: 1, findings: [] },
    ]);
    const after = { steps: [{ name: "build-backend", verdict: "passed" as const, durationMs: 2, findings: [] }, { name: "scan", verdict: "passed" as const, durationMs: 2, findings: [] }, { name: "lint-chart", verdict: "passed" as const, durationMs: 2, findings: [] }] };
    expect(diffVerdicts(before, after)).toEqual([
      { step: "scan", before: "failed", after: "passed" },
      { step: "check-size", before: "passed", after: "absent" },
      { step: "lint-chart", before: "absent", after: "passed" },
    ]);
    expect(diffVerdicts(before, before)).toEqual([]);
  });

  it("prints the step table as text and as markdown, with whether each step did work or came from the cache", () => {
    const steps = [
      { name: "scan", verdict: "failed" as const, durationMs: 65_000, findings: [{ severity: "error" as const, message: "CVE-1 | openssl\nmore" }], cache: "miss" as const },
      { name: "lint-chart", verdict: "passed" as const, durationMs: 900, findings: [] },
      { name: "test-backend", verdict: "passed" as const, durationMs: 1_200, findings: [], cache: "hit" as const, workSeconds: 95.4 },
    ];
    expect(stepTable(steps)).toBe(
      [
        "step          verdict  duration  work                            first error",
        "------------  -------  --------  ------------------------------  ---------------",
        "scan          FAILED   1 m 5 s   did work                        CVE-1 | openssl",
        "lint-chart    passed   900 ms    ?",
        "test-backend  passed   1.2 s     cached (its run took 1 m 35 s)",
      ].join("\n"),
    );
    expect(stepTable(steps, "markdown")).toContain("| scan | FAILED | 1 m 5 s | did work | CVE-1 \\| openssl |");
  });

  it("keeps the cache state through JSON and lists the steps that did work", () => {
    const steps: RunRecord["steps"] = [
      { name: "build-backend", verdict: "passed", durationMs: 9_000, findings: [], cache: "miss" },
      { name: "test-frontend", verdict: "passed", durationMs: 800, findings: [], cache: "hit", workSeconds: 40 },
      { name: "lint-chart", verdict: "passed", durationMs: 800, findings: [] },
      { name: "scan-frontend", verdict: "skipped", durationMs: 0, findings: [] },
    ];
    const r = record(steps);
    expect(parseRunRecord(JSON.stringify(r))).toEqual(r);
    const { worked, unknown } = stepsThatDidWork(steps);
    expect(worked.map((s) => s.name)).toEqual(["build-backend"]);
    expect(unknown.map((s) => s.name)).toEqual(["lint-chart"]);
    expect(() => parseRunRecord(JSON.stringify(record([{ ...steps[0]!, cache: "maybe" as "hit" }])))).toThrow(/cache/);
  });
});
