// `dagger call ci` on the engine the host CLI would use, in this checkout,
// under the changes a developer makes. Prints a table; not a test.
//   npm run bench:pipeline [-- --cold] [--deploy KUBECONFIG] [--host]
// Rows: cold (only with --cold: the engine's local cache is pruned first, which
// costs every later run its cache too), warm no-op (HEAD's tree again), a new
// commit that changes no file (another --revision and --created: only the
// images' labels differ, so nothing should rerun), a README edit (should rerun
// nothing), a one-line backend change (should rerun only the backend's build,
// test, scan and size steps), the same in the
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
// a step whose state is unknown is listed with "?". "module load" is the
// dagger CLI's `load workspace` span (the module's type definitions).
// --deploy KUBECONFIG adds `dagger call deploy` into that cluster after a green
// ci, with the seconds before its install step started (wall time minus the
// deploy step's own). --host adds the same work on the host (npm test, then
// both images built by the local Docker Engine), so the pipeline's overhead
// is a ratio.
// TODO_REGISTRY and TODO_SCAN_SCANNERS reach the module as --registry and --scanners.
import { createHash } from "node:crypto";
import { appendFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { daggerCli, findEngine } from "../ci/cli/preflight.js";
import { REPO_ROOT, loadProjectConfig } from "../ci/config/load.js";
import { type RunRecord, parseRunRecord, stepsThatDidWork } from "../ci/policies/run-record.js";
import { deployClusterArgs } from "../ci/tools/kubeconfig.js";

const cold = process.argv.includes("--cold");
const host = process.argv.includes("--host");
const deployKubeconfig = (() => {
  const i = process.argv.indexOf("--deploy");
  return i >= 0 ? process.argv[i + 1] : undefined;
})();
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
  /** The dagger CLI's module load (its `load workspace` span), when it printed one. */
  loadSeconds?: number;
  verdict: string;
  didWork: string;
}

/** Seconds of the `load workspace` span in dagger's plain progress ("[3.2s]", "[1m5s]"). */
function moduleLoadSeconds(output: string): number | undefined {
  const m = /load workspace: \S+ DONE \[(?:(\d+)m)?([\d.]+)s\]/.exec(output.replace(/\x1b\[[0-9;]*m/g, ""));
  return m ? Number(m[1] ?? 0) * 60 + Number(m[2]) : undefined;
}

function ci(tree: string, scenario: string, fn: string[] = ["ci"], extraModuleArgs: string[] = []): Row & { record?: RunRecord } {
  const out = join(tree, "runs", `bench-${Date.now()}`);
  const args = [...moduleArgs, ...extraModuleArgs];
  console.log(`\n== ${scenario}: dagger call ${args.join(" ")} ${fn[0]}`);
  const started = Date.now();
  const r = run(dagger, ["call", "--progress", "plain", ...args, ...fn, "export", "--path", out], tree);
  const seconds = (Date.now() - started) / 1000;
  const loadSeconds = moduleLoadSeconds(r.all);
  const recordFile = join(out, "run-record.json");
  if (!existsSync(recordFile)) {
    console.log(r.all.split("\n").slice(-30).join("\n"));
    return { scenario, seconds, loadSeconds, verdict: `no record (exit ${r.code})`, didWork: "" };
  }
  const record: RunRecord = parseRunRecord(readFileSync(recordFile, "utf8"), recordFile);
  const { worked, unknown } = stepsThatDidWork(record.steps);
  const didWork = [...worked.map((s) => `${s.name} ${(s.durationMs / 1000).toFixed(0)} s`), ...unknown.map((s) => `${s.name} ? (${(s.durationMs / 1000).toFixed(0)} s)`)];
  return { scenario, seconds, loadSeconds, verdict: record.verdict, didWork: didWork.join(", ") || "nothing", record };
}

/** A command on the host, timed; its verdict is its exit code. */
function onHost(scenario: string, commands: [string, string[]][]): Row {
  console.log(`\n== ${scenario}`);
  const started = Date.now();
  for (const [cmd, args] of commands) {
    const r = run(cmd, args, REPO_ROOT);
    if (r.code !== 0) {
      console.log(r.all.split("\n").slice(-20).join("\n"));
      return { scenario, seconds: (Date.now() - started) / 1000, verdict: `failed: ${cmd} ${args.join(" ")} (exit ${r.code})`, didWork: "" };
    }
  }
  return { scenario, seconds: (Date.now() - started) / 1000, verdict: "passed", didWork: commands.map(([c, a]) => `${c} ${a.join(" ")}`).join("; ") };
}

const engine = await findEngine(loadProjectConfig().engine?.localContainer);
const version = run(dagger, ["version"]);
if (version.code !== 0) {
  console.error(`bench:pipeline: the dagger CLI did not answer: install v0.21.9, or set DAGGER_CLI to a local engine's CLI`);
  process.exit(2);
}
console.log(`bench:pipeline: ${version.all.trim()}; engine: ${engine.detail}`);

const tree = REPO_ROOT;
// Each run's lines are new to the engine: the same line as in an earlier run would find that run's results in the cache.
const nonce = new Date().toISOString();
const edits: { scenario: string; file: string; line: string }[] = [
  { scenario: "README edit", file: "README.md", line: `\nA line added by bench:pipeline at ${nonce}.\n` },
  { scenario: "one-line backend change", file: "backend/src/app.ts", line: `\n// A line added by bench:pipeline at ${nonce}.\n` },
  { scenario: "one-line frontend change", file: "frontend/src/app/page.tsx", line: `\n// A line added by bench:pipeline at ${nonce}.\n` },
  { scenario: "chart values edit", file: "helm/todo-app/values.yaml", line: `\n# A line added by bench:pipeline at ${nonce}.\n` },
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
  // What CI sees on every push that touches no image, test or chart file: only the labels' commit and time change.
  const commit = createHash("sha1").update(`bench:pipeline ${Date.now()}`).digest("hex");
  rows.push(ci(tree, "new commit, no file changed", ["ci"], ["--revision", commit, "--created", new Date().toISOString().replace(/\.\d+Z$/, "Z")]));
  for (const e of edits) {
    appendFileSync(join(tree, e.file), e.line);
    rows.push(ci(tree, e.scenario));
    writeFileSync(join(tree, e.file), originals.get(e.file)!);
  }
  if (deployKubeconfig) {
    // After a green ci of the same tree: every step's verdict comes from the cache, then the install.
    if (ci(tree, "ci before deploy").verdict === "passed") {
      const d = ci(tree, "deploy after a green ci", ["deploy", ...deployClusterArgs(deployKubeconfig, readFileSync(deployKubeconfig, "utf8"))]);
      const install = d.record?.steps.find((s) => s.name.startsWith("deploy-"));
      rows.push({ ...d, didWork: `${d.didWork}${install ? `; its install started after ${(d.seconds - install.durationMs / 1000).toFixed(0)} s` : ""}` });
    } else rows.push({ scenario: "deploy after a green ci", seconds: 0, verdict: "not run: ci did not pass", didWork: "" });
  }
} finally {
  for (const [f, text] of originals) writeFileSync(join(tree, f), text);
}
if (host) rows.push(onHost("host: npm test, then both images (npm run images:build)", [["npm", ["test"]], ["npm", ["run", "images:build"]]]));

const noop = rows.find((r) => r.scenario === "warm no-op")?.seconds;
const cold_ = rows.find((r) => r.scenario === "cold")?.seconds;
const hostRow = rows.find((r) => r.scenario.startsWith("host:"));
console.log("\n| scenario | seconds | module load s | × warm no-op | verdict | steps that did work (run record's cache state) |\n|---|--:|--:|--:|---|---|");
for (const r of rows) console.log(`| ${r.scenario} | ${r.seconds.toFixed(0)} | ${r.loadSeconds?.toFixed(1) ?? "–"} | ${noop ? (r.seconds / noop).toFixed(1) : "–"} | ${r.verdict} | ${r.didWork} |`);
if (cold_ && hostRow?.verdict === "passed") console.log(`\ncold pipeline ÷ host: ${(cold_ / hostRow.seconds).toFixed(2)}`);
console.log(`\ntargets: cold ≤ 10 min; warm no-op ≤ 10 s; README edit ≤ 15 s, nothing; a new commit with no file changed: nothing; backend change ≤ 60 s, only build-backend, test-backend, scan-backend, check-size-backend; frontend likewise; chart: lint-chart, test-chart, test-pipeline; deploy: install within 60 s of the call`);
