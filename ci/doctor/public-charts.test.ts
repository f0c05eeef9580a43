// Issue 11's good-chart suite, part two (part one is the `helm create` scaffold in
// scaffold.test.ts): well-known public charts at pinned versions, listed with
// their reviewed warnings in fixtures/public-charts.yaml. Their text is not in
// this repository: each is fetched as a Go module with `go mod download` into the
// normal module cache (its licence stays in the module), and the doctor CLI runs
// on it as on any stranger's chart: no --config, a chart outside this repository;
// on its defaults and with each of the chart's own CI values files.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { execa } from "execa";
import { parse } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { configRootOf, main } from "./cli.js";
import { FIXTURES } from "./fixture-cases.js";
import type { Finding } from "./types.js";

const Warning = z.strictObject({
  rule: z.string(),
  file: z.string(),
  message: z.string(),
  verdict: z.enum(["acceptable", "authors-choice"]),
  reason: z.string().min(20),
});
const PublicChart = z.strictObject({
  name: z.string(),
  module: z.string(),
  // A release tag, or a pseudo-version pinning one commit (a module whose tags are not semver, like ingress-nginx's controller-v1.x).
  version: z.string().regex(/^v\d+\.\d+\.\d+(-\d{14}-[0-9a-f]{12})?$/, "an exact module version or pseudo-version (the proxy answers nothing else)"),
  chart: z.string(),
  chartVersion: z.string(),
  licence: z.enum(["Apache-2.0", "MIT"]),
  licenceFile: z.string(),
  valuesFiles: z.array(z.string()).default([]),
  warnings: z.array(Warning),
});
const CHARTS = z.strictObject({ charts: z.array(PublicChart).min(2) }).parse(parse(readFileSync(join(FIXTURES, "public-charts.yaml"), "utf8"))).charts;

type Expected = z.infer<typeof Warning>;

/** How each licence's file begins, to check the licence recorded is the one the module carries. */
const LICENCE_TEXT: Record<string, RegExp> = { "Apache-2.0": /Apache License\s+Version 2\.0/, MIT: /The MIT License|MIT License/ };
const show = (w: { rule: string; file: string; message: string }) => `${w.rule} ${w.file}: ${w.message}`;

/**
 * The chart's findings set against its reviewed warnings: what no entry matches, and
 * the entries nothing matched (each entry matches one finding, so two alike need two entries).
 */
function compareWarnings(found: ReadonlyArray<Pick<Finding, "rule" | "file" | "message">>, expected: readonly Expected[]) {
  const left = [...expected];
  const unreviewed: string[] = [];
  for (const f of found) {
    const i = left.findIndex((e) => e.rule === f.rule && e.file === f.file && f.message.includes(e.message));
    if (i < 0) unreviewed.push(show(f));
    else left.splice(i, 1);
  }
  return { unreviewed, vanished: left.map(show) };
}

// `go mod download` run outside any module (our repository has no go.mod, but a parent might).
let goCwd: string;
beforeAll(async () => {
  const go = await execa("go", ["version"], { reject: false });
  if (go.failed) {
    const why = go.code === "ENOENT" ? "go is not on PATH" : `\`go version\` failed: ${(go.stderr || go.shortMessage || "").split("\n")[0]}`;
    throw new Error(`${why}; run \`bash scripts/setup/test-prerequisites.sh\` (it installs the Go tooling), then rerun`);
  }
  goCwd = mkdtempSync(join(tmpdir(), "doctor-public-charts-"));
});
const started = Date.now();
afterAll(() => {
  goCwd && rmSync(goCwd, { recursive: true, force: true });
  // The suite's total run time (module downloads included), for the record.
  console.log(`public charts: ${CHARTS.length} charts, ${CHARTS.reduce((n, c) => n + 1 + c.valuesFiles.length, 0)} runs in ${((Date.now() - started) / 1000).toFixed(1)} s`);
});

/** The module's directory in the module cache (read-only files), fetched from the proxy if it is not there yet. */
async function moduleDir(module: string, version: string): Promise<string> {
  const r = await execa("go", ["mod", "download", "-json", `${module}@${version}`], {
    cwd: goCwd,
    reject: false,
    env: { GOFLAGS: "-mod=mod" },
  });
  const info = JSON.parse(r.stdout || "{}") as { Dir?: string; Error?: string };
  if (r.failed || !info.Dir) throw new Error(`go mod download ${module}@${version} failed: ${info.Error ?? r.stderr}`);
  return info.Dir;
}

describe("public charts at pinned versions: no error, exactly the reviewed warnings", () => {
  it("the unit that compares names a new warning and a vanished one", () => {
    const e: Expected = { rule: "probe/unconfirmed-path", file: "values.yaml", message: "requests /livez", verdict: "acceptable", reason: "a reason long enough to pass" };
    expect(compareWarnings([{ rule: "probe/unconfirmed-path", file: "values.yaml", message: "x requests /livez; y" }], [e])).toEqual({ unreviewed: [], vanished: [] });
    expect(compareWarnings([{ rule: "container/no-resources", file: "templates/a.yaml", message: "m" }], [e])).toEqual({
      unreviewed: ["container/no-resources templates/a.yaml: m"],
      vanished: ["probe/unconfirmed-path values.yaml: requests /livez"],
    });
  });

  // Each chart on its defaults, then with each of its own CI values files.
  const runs = CHARTS.flatMap((c) => [undefined, ...c.valuesFiles].map((values) => [`${c.name} (${c.module}@${c.version}, chart ${c.chartVersion})${values ? ` -f ${values}` : ""}`, c, values] as const));
  it.each(runs)(
    "%s",
    async (_title, c, values) => {
      const dir = await moduleDir(c.module, c.version);
      const chartDir = join(dir, c.chart);
      // The pinned facts still hold: the chart version we reviewed, its licence beside it.
      expect(parse(readFileSync(join(chartDir, "Chart.yaml"), "utf8")).version).toBe(c.chartVersion);
      expect(readFileSync(join(dir, c.licenceFile), "utf8")).toMatch(LICENCE_TEXT[c.licence]!);
      // A stranger's chart: no todo.config.yaml at or above it, so none of ours applies.
      expect(configRootOf(chartDir)).toBeUndefined();

      // helm and the doctor only read the chart, so the read-only module cache needs no copy.
      let out = "";
      let err = "";
      const argv = ["--chart", c.chart, ...(values ? ["--values", join(c.chart, values)] : []), "--format", "json"];
      const code = await main(argv, { stdout: (s) => void (out += s), stderr: (s) => void (err += s), cwd: dir });
      expect(err).toBe("");
      const findings = (JSON.parse(out) as { findings: Finding[] }).findings.map((f) => ({ ...f, file: relative(chartDir, resolve(dir, f.file)) }));

      expect(findings.filter((f) => f.severity === "error").map(show), "error findings").toEqual([]);
      expect(code).toBe(0);
      const { unreviewed, vanished } = compareWarnings(findings, c.warnings);
      // unreviewed: new warnings to review into fixtures/public-charts.yaml; vanished: listed there, no longer given.
      expect({ unreviewed, vanished }, `${c.name}${values ? ` -f ${values}` : ""}: the doctor's warnings differ from those reviewed in fixtures/public-charts.yaml`).toEqual({ unreviewed: [], vanished: [] });
    },
    60_000,
  );
});

