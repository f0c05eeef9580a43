// Issue 11's good-chart suite, part two (part one is the `helm create` scaffold in
// scaffold.test.ts): well-known public charts at pinned versions, listed with
// their reviewed warnings in fixtures/public-charts.yaml. Their text is not in
// this repository: each is fetched as a Go module with `go mod download` into the
// normal module cache (its licence stays in the module), and the doctor CLI runs
// on it as on any stranger's chart: no --config, a chart outside this repository;
// on its defaults and with each of the chart's own CI values files (and, where an
// entry names it, with the module's source as --source).
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
  // The runs that give it: "defaults" or a values file of the entry (with " --source" after it for the runs
  // with the source), `*` matching any text, `!…` excluding (only exclusions: every other run); absent:
  // every run. Values files switch parts of a chart on and off; the source confirms paths.
  runs: z.array(z.string()).min(1).optional(),
});
const PublicChart = z.strictObject({
  name: z.string(),
  module: z.string(),
  // A release tag, or a pseudo-version pinning one commit (a module whose tags are not semver, like ingress-nginx's
  // controller-v1.x, or not valid for its module path, like podinfo's 6.x: v1.8.1-0.<time>-<commit> after its last v1 tag).
  version: z.string().regex(/^v\d+\.\d+\.\d+(-(0\.)?\d{14}-[0-9a-f]{12})?$/, "an exact module version or pseudo-version (the proxy answers nothing else)"),
  chart: z.string(),
  chartVersion: z.string(),
  licence: z.enum(["Apache-2.0", "MIT"]),
  licenceFile: z.string(),
  valuesFiles: z.array(z.string()).default([]),
  // A directory of the module passed as --source (the app's source: its routes confirm probe paths),
  // in a second run of each: the chart is judged both as a stranger's and with its app's source.
  source: z.string().optional(),
  warnings: z.array(Warning),
});
/** A chart's runs: its defaults, each values file, and each again with its source when it names one. */
function runsOf(c: { valuesFiles: string[]; source?: string | undefined }): Array<{ name: string; values?: string; source?: string }> {
  const plain = [undefined, ...c.valuesFiles].map((values) => ({ name: values ?? "defaults", ...(values ? { values } : {}) }));
  return c.source === undefined ? plain : [...plain, ...plain.map((r) => ({ ...r, name: `${r.name} --source`, source: c.source! }))];
}

/** Whether a `runs` pattern (`*` for any text) names a run ("defaults" or a values file). */
const namesRun = (pattern: string, run: string) => new RegExp(`^${pattern.split("*").map((p) => p.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`).test(run);

/** Whether a reviewed warning is given in a run (see `runs` above). */
function givenIn(runs: readonly string[] | undefined, run: string): boolean {
  if (!runs) return true;
  const include = runs.filter((r) => !r.startsWith("!"));
  const exclude = runs.filter((r) => r.startsWith("!")).map((r) => r.slice(1));
  return (include.length === 0 || include.some((p) => namesRun(p, run))) && !exclude.some((p) => namesRun(p, run));
}

const CHARTS = z
  .strictObject({ charts: z.array(PublicChart).min(2) })
  .parse(parse(readFileSync(join(FIXTURES, "public-charts.yaml"), "utf8")))
  .charts.map((c) => {
    // A pattern naming no run is a typo, and the warning would be checked where it should not.
    const names = runsOf(c).map((r) => r.name);
    for (const w of c.warnings) {
      for (const r of w.runs ?? []) {
        if (!names.some((run) => namesRun(r.replace(/^!/, ""), run))) throw new Error(`${c.name}: the warning ${w.rule} "${w.message}" names runs ${r}, which matches none of its runs (${names.join(", ")})`);
      }
    }
    return c;
  });

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
  console.log(`public charts: ${CHARTS.length} charts, ${CHARTS.reduce((n, c) => n + runsOf(c).length, 0)} runs in ${((Date.now() - started) / 1000).toFixed(1)} s`);
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

  it("a warning's runs: patterns, exclusions, every run when absent", () => {
    expect(givenIn(undefined, "ci/a-values.yaml")).toBe(true);
    expect(givenIn(["defaults", "ci/deployment-*"], "ci/deployment-tcp-values.yaml")).toBe(true);
    expect(givenIn(["defaults", "ci/deployment-*"], "ci/daemonset-tcp-values.yaml")).toBe(false);
    expect(givenIn(["!ci/*-metrics-values.yaml"], "defaults")).toBe(true);
    expect(givenIn(["!ci/*-metrics-values.yaml"], "ci/deployment-metrics-values.yaml")).toBe(false);
    expect(givenIn(["ci/deployment-*", "!ci/deployment-metrics-values.yaml"], "ci/deployment-metrics-values.yaml")).toBe(false);
    expect(givenIn(["!* --source"], "values-prod.yaml")).toBe(true);
    expect(givenIn(["!* --source"], "values-prod.yaml --source")).toBe(false);
  });

  // Each chart on its defaults, then with each of its own CI values files (and again with its source).
  const runs = CHARTS.flatMap((c) => runsOf(c).map((r) => [`${c.name} (${c.module}@${c.version}, chart ${c.chartVersion})${r.values ? ` -f ${r.values}` : ""}${r.source ? ` --source ${r.source}` : ""}`, c, r] as const));
  it.each(runs)(
    "%s",
    async (_title, c, run) => {
      const { values, source } = run;
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
      const argv = ["--chart", c.chart, ...(values ? ["--values", join(c.chart, values)] : []), ...(source ? ["--source", source] : []), "--format", "json"];
      const code = await main(argv, { stdout: (s) => void (out += s), stderr: (s) => void (err += s), cwd: dir });
      expect(err).toBe("");
      const findings = (JSON.parse(out) as { findings: Finding[] }).findings.map((f) => ({ ...f, file: relative(chartDir, resolve(dir, f.file)) }));

      expect(findings.filter((f) => f.severity === "error").map(show), "error findings").toEqual([]);
      expect(code).toBe(0);
      const { unreviewed, vanished } = compareWarnings(findings, c.warnings.filter((w) => givenIn(w.runs, run.name)));
      // unreviewed: new warnings to review into fixtures/public-charts.yaml; vanished: listed there, no longer given.
      expect({ unreviewed, vanished }, `${c.name}${values ? ` -f ${values}` : ""}${source ? ` --source ${source}` : ""}: the doctor's warnings differ from those reviewed in fixtures/public-charts.yaml`).toEqual({ unreviewed: [], vanished: [] });
    },
    60_000,
  );
});

