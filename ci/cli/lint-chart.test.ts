// The lint-chart step's checks with the real helm on our chart, and on a broken copy.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, describe, expect, it } from "vitest";
import { REPO_ROOT, loadProjectConfig } from "../config/load.js";
import { lintChartInputs } from "../steps/chart.js";
import { lintChart } from "./lint-chart.js";

const config = loadProjectConfig();
const copies: string[] = [];
afterAll(() => copies.forEach((d) => rmSync(d, { recursive: true, force: true })));

function copyRepo(): string {
  const dir = mkdtempSync(join(tmpdir(), "lint-chart-"));
  copies.push(dir);
  // Exactly what the Dagger step gives lint-chart (its code runs from this checkout's ci/).
  for (const p of lintChartInputs(config).filter((p) => !p.startsWith("ci/"))) cpSync(join(REPO_ROOT, p), join(dir, p), { recursive: true });
  return dir;
}

describe("lint-chart checks", () => {
  it("find nothing in our chart and Dockerfiles, from the step's inputs alone", async () => {
    const findings = await lintChart(REPO_ROOT, config);
    expect(findings.filter((f) => f.severity === "error")).toEqual([]);
    // Same findings when lint-chart sees only lintChartInputs (a backend change then reruns nothing here).
    expect(await lintChart(copyRepo(), config)).toEqual(findings);
  }, 180_000);

  it("report a values file helm lint refuses", async () => {
    const root = copyRepo();
    const values = join(root, config.chart.path, "values.yaml");
    writeFileSync(values, readFileSync(values, "utf8") + "\nextraLeak:\n  password: hunter2hunter2\n");
    const text = (await lintChart(root, config)).filter((f) => f.severity === "error").map((f) => f.message).join("\n");
    expect(text).toMatch(/helm lint --strict \(defaults\)/);
    expect(text).toMatch(/helm template with defaults/);
  }, 120_000);

  it("report what renders but breaks policy and doctor rules, naming each", async () => {
    const root = copyRepo();
    const helpers = join(root, config.chart.path, "templates", "_helpers.tpl");
    writeFileSync(helpers, readFileSync(helpers, "utf8").replace(/readOnlyRootFilesystem: true/g, "readOnlyRootFilesystem: false"));
    const dockerfile = join(root, config.apps.backend.dockerfile);
    writeFileSync(dockerfile, readFileSync(dockerfile, "utf8").replace(/^HEALTHCHECK[\s\S]*?\n(?=ENTRYPOINT)/m, ""));
    const findings = await lintChart(root, config);
    const text = findings.map((f) => f.message).join("\n");
    expect(findings.some((f) => f.severity === "error")).toBe(true);
    expect(text).toMatch(/readOnlyRootFilesystem|read-only/i);
    expect(text).toMatch(/dockerfile\/no-healthcheck/);
    // Structured: rule, file and line of each finding, for the run record.
    expect(findings.find((f) => f.rule === "dockerfile/no-healthcheck")).toMatchObject({ severity: "warning", file: config.apps.backend.dockerfile, line: expect.any(Number) });
  }, 120_000);

  it("report a plaintext password planted in values.yaml once (npm run pipeline:lint-chart on a copy)", async () => {
    const root = copyRepo();
    const values = join(root, config.chart.path, "values.yaml");
    const text = readFileSync(values, "utf8");
    expect(text).toContain("  podAnnotations: {}\n");
    writeFileSync(values, text.replace("  podAnnotations: {}\n", '  podAnnotations:\n    db-password: "hunter2-in-plain-text"\n'));
    const line = readFileSync(values, "utf8").split("\n").findIndex((l) => l.includes("hunter2-in-plain-text")) + 1;
    const r = await execa("npm", ["run", "-s", "pipeline:lint-chart", "--", "--json"], { cwd: REPO_ROOT, env: { REPO_ROOT: root }, reject: false });
    const findings = JSON.parse(r.stdout.trim().split("\n").at(-1)!) as Array<{ rule?: string; file?: string; line?: number; severity: string; message: string }>;
    const about = findings.filter((f) => f.line === line || f.message.includes("hunter2") || f.message.includes("db-password"));
    expect(about.map((f) => ({ rule: f.rule, file: f.file, line: f.line, severity: f.severity }))).toEqual([
      { rule: "secret/plaintext", file: join(config.chart.path, "values.yaml"), line, severity: "error" },
    ]);
    expect(r.exitCode).toBe(1);
  }, 240_000);
});
