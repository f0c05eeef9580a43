// `dagger call ci` on the engine the host CLI would use, in this checkout,
// under the changes a developer makes. Prints a table; not a test.
//   npm run bench:pipeline [-- --cold]
// Rows: cold (only with --cold: the engine's local cache is pruned first, which
// costs every later run its cache too), warm no-op (HEAD's tree again), a
// README edit (should rerun nothing), a one-line backend change (should rerun
// only the backend's build, test, scan and size steps), the same in the
// frontend, and a chart values edit (lint-chart and the suites that read the
// chart). Each edit is undone before the next, so each row measures one
// change against the cache the previous rows left. The edits are made in this
// checkout and undone at the end; it refuses to start when those files have
// uncommitted changes; if it is killed midway, `git checkout -- README.md
// backend/src/app.ts frontend/src/app/page.tsx helm/todo-app/values.yaml`
// undoes them. (Not a worktree elsewhere: Dagger keys a local module's cache
// volumes by its path, so another path starts cold.)
// "steps that did work" comes from the run record's per-step cache state
// (ci/steps/cache.ts: a probe keyed on the step's result), not from durations;
// a step whose state is unknown is listed with "?".
// TODO_REGISTRY and TODO_SCAN_SCANNERS reach the module as --registry and --scanners.
import { appendFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { daggerCli, findEngine } from "../ci/cli/preflight.js";
import { REPO_ROOT, loadProjectConfig } from "../ci/config/load.js";
import { type RunRecord, parseRunRecord, stepsThatDidWork } from "../ci/policies/run-record.js";

const cold = process.argv.includes("--cold");
const dagger = daggerCli();
const moduleArgs = [
  ...(process.env.TODO_REGISTRY?.trim() ? ["--registry", process.env.TODO_REGISTRY.trim()] : []),
  ...(process.env.TODO_SCAN_SCANNERS?.trim() ? ["--scanners", process.env.TODO_SCAN_SCANNERS.trim()] : []),
];

/** Runs a command to completion; output is kept for the record, not streamed. */
function run(cmd: string, args: string[], cwd = REPO_ROOT, inherit = false) {
  const r = spawnSync(cmd, args, { cwd, encoding: "utf8", maxBuffer: 1 << 28, stdio: inherit ? "inherit" : "pipe" });
  return { code: r.error ? -1 : (r.status ?? -1), all: `${r.stdout ?? ""}${r.stderr ?? ""}` };
}

interface Row {
  scenario: string;
  seconds: number;
  verdict: string;
  didWork: string;
}

function ci(tree: string, scenario: string): Row {
  const out = join(tree, "runs", `bench-${Date.now()}`);
  console.log(`\n== ${scenario}: dagger call ${moduleArgs.join(" ")} ci`);
  const started = Date.now();
  const r = run(dagger, ["call", "--progress", "plain", ...moduleArgs, "ci", "export", "--path", out], tree);
  const seconds = (Date.now() - started) / 1000;
  const recordFile = join(out, "run-record.json");
  if (!existsSync(recordFile)) {
    console.log(r.all.split("\n").slice(-30).join("\n"));
    return { scenario, seconds, verdict: `no record (exit ${r.code})`, didWork: "" };
  }
  const record: RunRecord = parseRunRecord(readFileSync(recordFile, "utf8"), recordFile);
  const { worked, unknown } = stepsThatDidWork(record.steps);
  const didWork = [...worked.map((s) => `${s.name} ${(s.durationMs / 1000).toFixed(0)} s`), ...unknown.map((s) => `${s.name} ? (${(s.durationMs / 1000).toFixed(0)} s)`)];
  return { scenario, seconds, verdict: record.verdict, didWork: didWork.join(", ") || "nothing" };
}

const engine = await findEngine(loadProjectConfig().engine?.localContainer);
const version = run(dagger, ["version"]);
if (version.code !== 0) {
  console.error(`bench:pipeline: the dagger CLI did not answer: install v0.21.9, or set DAGGER_CLI to a local engine's CLI`);
  process.exit(2);
}
console.log(`bench:pipeline: ${version.all.trim()}; engine: ${engine.detail}`);

const tree = REPO_ROOT;
const edits: { scenario: string; file: string; line: string }[] = [
  { scenario: "README edit", file: "README.md", line: "\nA line added by bench:pipeline.\n" },
  { scenario: "one-line backend change", file: "backend/src/app.ts", line: "\n// A line added by bench:pipeline.\n" },
  { scenario: "one-line frontend change", file: "frontend/src/app/page.tsx", line: "\n// A line added by bench:pipeline.\n" },
  { scenario: "chart values edit", file: "helm/todo-app/values.yaml", line: "\n# A line added by bench:pipeline.\n" },
];
const edited = edits.map((e) => e.file);
if (run("git", ["diff", "--quiet", "HEAD", "--", ...edited]).code !== 0) {
  console.error(`bench:pipeline: ${edited.join(" or ")} has uncommitted changes; commit or stash them first (the bench edits and restores them)`);
  process.exit(2);
}
const originals = new Map(edited.map((f) => [f, readFileSync(join(tree, f), "utf8")]));
const rows: Row[] = [];
try {
  if (cold) {
    console.log("pruning the engine's local cache (--cold)");
    run(dagger, ["core", "engine", "local-cache", "prune"], REPO_ROOT, true);
    rows.push(ci(tree, "cold"));
  } else {
    // Brings the cache up to date with HEAD; not a row (its time depends on what ran before).
    ci(tree, "priming");
  }
  rows.push(ci(tree, "warm no-op"));
  for (const e of edits) {
    appendFileSync(join(tree, e.file), e.line);
    rows.push(ci(tree, e.scenario));
    writeFileSync(join(tree, e.file), originals.get(e.file)!);
  }
} finally {
  for (const [f, text] of originals) writeFileSync(join(tree, f), text);
}

const noop = rows.find((r) => r.scenario === "warm no-op")?.seconds;
console.log("\n| scenario | seconds | × warm no-op | verdict | steps that did work (run record's cache state) |\n|---|--:|--:|---|---|");
for (const r of rows) console.log(`| ${r.scenario} | ${r.seconds.toFixed(0)} | ${noop ? (r.seconds / noop).toFixed(1) : "–"} | ${r.verdict} | ${r.didWork} |`);
console.log(`\ntargets: warm no-op ≤ 10 s; README edit: nothing; backend change: only build-backend, test-backend, scan-backend, check-size-backend; frontend likewise; chart: lint-chart, test-chart, test-pipeline`);
