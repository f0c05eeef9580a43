// The CI job's summary step, run as the workflow runs it (tsx, a record on disk, GitHub's variables).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { parse } from "yaml";
import { afterAll, describe, expect, it } from "vitest";
import { ciRunFromEnv, jobSummary } from "../policies/job-summary.js";
import { type RunRecord, overallVerdict, parseRunRecord } from "../policies/run-record.js";

const dir = mkdtempSync(join(tmpdir(), "job-summary-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const record = (steps: RunRecord["steps"]): RunRecord => ({
  schema: "todo-pipeline/run-record@1",
  function: "ci",
  args: {},
  commit: "b".repeat(40),
  dirty: false,
  startedAt: "2026-11-27T10:00:00Z",
  versions: { dagger: "0.21.9" },
  images: {},
  steps,
  verdict: overallVerdict(steps),
});
const failed = record([
  { name: "test", verdict: "passed", durationMs: 61_000, findings: [] },
  { name: "scan-backend", verdict: "failed", durationMs: 2_000, findings: [{ severity: "error", message: "CVE-1 | openssl" }] },
]);
const github = { GITHUB_RUN_ID: "4242", GITHUB_SERVER_URL: "https://github.com", GITHUB_REPOSITORY: "acme/todo" };
const cli = (path: string, env: Record<string, string> = {}) =>
  execa(join(import.meta.dirname, "../node_modules/.bin/tsx"), [join(import.meta.dirname, "job-summary.ts"), path], { reject: false, env: { ...env, GITHUB_RUN_ID: env.GITHUB_RUN_ID ?? "" } });

describe("job summary", () => {
  it("names the CI run only under GitHub Actions", () => {
    expect(ciRunFromEnv(github)).toEqual({ provider: "github-actions", runId: "4242", url: "https://github.com/acme/todo/actions/runs/4242" });
    expect(ciRunFromEnv({})).toBeUndefined();
  });

  it("shows the verdict, the step table and the replay command of that run", () => {
    const text = jobSummary({ ...failed, ci: ciRunFromEnv(github) });
    expect(text).toContain("## Pipeline: failed");
    expect(text).toContain("| scan-backend | FAILED | 2.0 s | ? | CVE-1 \\| openssl |");
    expect(text).toContain("npm run pipeline:reproduce -- 4242");
  });

  it("completes the record on disk, prints the summary and fails the job when the run failed", async () => {
    const path = join(dir, "failed.json");
    writeFileSync(path, JSON.stringify(failed));
    const r = await cli(path, github);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toContain("| test | passed | 1 m 1 s |");
    expect(parseRunRecord(readFileSync(path, "utf8")).ci?.url).toBe("https://github.com/acme/todo/actions/runs/4242");
  }, 60_000);

  it("passes the job when the run passed, and says so when there is no record", async () => {
    const path = join(dir, "passed.json");
    writeFileSync(path, JSON.stringify(record([{ name: "test", verdict: "passed", durationMs: 5, findings: [] }])));
    expect((await cli(path)).exitCode).toBe(0);
    const missing = await cli(join(dir, "absent.json"));
    expect(missing.exitCode).toBe(1);
    expect(missing.stdout).toContain("no run record");
  }, 60_000);
});

describe("the GitHub workflow", () => {
  it("exports the record where the summary step reads it, and leaves the record to ci/ (no inline script)", () => {
    const workflow = parse(readFileSync(join(import.meta.dirname, "../../.github/workflows/pipeline.yml"), "utf8"));
    const steps: { name?: string; with?: { args?: string }; run?: string }[] = workflow.jobs.ci.steps;
    const call = steps.find((s) => s.with?.args?.includes(" ci "));
    const summary = steps.find((s) => s.run?.includes("ci/cli/job-summary.ts"));
    expect(call?.with?.args).toContain("export --path runs/ci");
    expect(summary?.run).toContain("job-summary.ts runs/ci/run-record.json");
    expect(summary?.run).not.toContain("node -e");
  });
});
