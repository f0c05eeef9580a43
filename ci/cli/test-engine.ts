// npm run test:engine: every function of the Dagger module, called for real
// through the dagger CLI on whatever engine it reaches (the official one, or a
// local engine through _EXPERIMENTAL_DAGGER_RUNNER_HOST), one after another,
// then a table `function | verdict | seconds | note`. Exit 0 only when every
// function passed; a function left out with --skip is shown as skipped.
//   npm run test:engine [-- --only lint-chart,test] [--skip deploy] [--kubeconfig FILE [--context NAME]]
// TODO_REGISTRY (air-gapped mode) reaches the module as --registry, TODO_SCAN_SCANNERS as --scanners
// (secret,misconfig where no vulnerability DB is available).
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { REPO_ROOT, loadProjectConfig } from "../config/load.js";
import { SUITE_NAMES, vitestSummary } from "../steps/test.js";
import { deployClusterArgs } from "../tools/kubeconfig.js";
import { daggerCli, findEngine } from "./preflight.js";

interface Call {
  fn: string;
  /** The `dagger call` arguments after the module's own. */
  args: (out: string) => string[];
  /** Another command line instead of `dagger call` (the scan gate's engine suite). */
  command?: () => { cmd: string; args: string[]; env: Record<string, string> };
  /** Checks what the call left behind; returns a note, throws on a wrong result. */
  check?: (out: string, stdout: string) => string;
}

const argv = process.argv.slice(2);
const option = (name: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
};
const list = (value: string | undefined) => (value ? value.split(",").map((s) => s.trim()).filter(Boolean) : []);
const only = list(option("only"));
const skip = new Set(list(option("skip")));
const kubeconfig = option("kubeconfig");
const context = option("context");
const registry = process.env.TODO_REGISTRY?.trim();
const scanners = process.env.TODO_SCAN_SCANNERS?.trim();
const dagger = daggerCli();

const size = (file: string) => (existsSync(file) ? statSync(file).size : 0);
const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;
function files(dir: string, names: string[], minBytes = 1e6): string {
  const sizes = names.map((n) => [n, size(join(dir, n))] as const);
  const missing = sizes.filter(([, s]) => s < minBytes).map(([n]) => n);
  if (missing.length) throw new Error(`missing or empty: ${missing.join(", ")}`);
  return sizes.map(([n, s]) => `${n} ${mb(s)}`).join(", ");
}
function record(dir: string): string {
  const file = join(dir, "run-record.json");
  if (!existsSync(file)) throw new Error("no run-record.json exported");
  const r = JSON.parse(readFileSync(file, "utf8")) as { verdict: string; steps: { name: string; verdict: string }[] };
  const failed = r.steps.filter((s) => s.verdict === "failed").map((s) => s.name);
  if (r.verdict !== "passed") throw new Error(`record verdict ${r.verdict}${failed.length ? `: ${failed.join(", ")}` : ""}`);
  return `record passed, ${r.steps.length} steps`;
}

const calls: Call[] = [
  { fn: "build-backend", args: () => ["build-backend", "sync"] },
  { fn: "build-frontend", args: () => ["build-frontend", "sync"] },
  { fn: "build", args: (o) => ["build", "export", "--path", join(o, "build")], check: (o) => `${files(join(o, "build"), ["backend.tar", "frontend.tar"])}; ${record(join(o, "build"))}` },
  { fn: "image-tarball", args: (o) => ["image-tarball", "--app", "backend", "export", "--path", join(o, "backend.tar")], check: (o) => files(o, ["backend.tar"]) },
  { fn: "check-size", args: () => ["check-size"], check: (_o, out) => out.split("\n").filter((l) => /MB/.test(l)).slice(0, 2).join("; ").slice(0, 160) },
  { fn: "lint-chart", args: () => ["lint-chart"], check: (_o, out) => out.trim().split("\n")[0]!.slice(0, 120) },
  // One row per suite: `dagger call test --suite NAME` prints that suite's step table and vitest summary.
  ...SUITE_NAMES.map(
    (suite): Call => ({
      fn: `test-${suite}`,
      args: () => ["test", "--suite", suite],
      check: (_o, out) => {
        // The step's finding: "test-<suite>: vitest (<projects>): N passed (N)".
        const summary = out.match(/: vitest \([^)]*\): (.*)$/m)?.[1]?.trim() ?? "";
        // The summary decides too: a global setup once made vitest exit 0 after failures.
        if (!/^\d+ passed/.test(summary) || /[1-9]\d* failed/.test(summary)) throw new Error(summary || "no vitest summary in the output");
        const work = out.split("\n").find((l) => l.startsWith(`test-${suite} `))?.split(/\s{2,}/)[3];
        return `${summary}${work ? `; ${work}` : ""}`;
      },
    }),
  ),
  {
    fn: "scan",
    args: (o) => ["scan", "export", "--path", join(o, "scan")],
    check: (o) => {
      const sizes = files(join(o, "scan"), ["sbom-backend.cdx.json", "sbom-frontend.cdx.json", "trivy-backend.json", "trivy-frontend.json"], 100);
      // Which scanners ran and on which DB: a vuln-less pass must say so in the table.
      const s = JSON.parse(readFileSync(join(o, "scan", "scan.json"), "utf8")) as { scanners: string[]; db: string };
      return `${s.scanners.join(",")}; DB: ${s.db}; ${sizes}`;
    },
  },
  {
    // The gate on images made for it: a planted key fails, the clean image passes, a planted advisory in an offline DB fails.
    fn: "scan-gate",
    args: () => [],
    command: () => ({ cmd: join(REPO_ROOT, "node_modules/.bin/vitest"), args: ["run", "--project", "ci", "ci/steps/scan.engine.test.ts"], env: { TODO_ENGINE_TESTS: "1" } }),
    check: (_o, out) => {
      const summary = vitestSummary(out);
      if (!/^\d+ passed/.test(summary) || /failed|skipped/.test(summary)) throw new Error(summary || "no vitest summary in the output");
      return summary;
    },
  },
  { fn: "ci", args: (o) => ["ci", "export", "--path", join(o, "ci")], check: (o) => record(join(o, "ci")) },
  {
    fn: "deploy",
    // A kubeconfig deploys to the target its context names; in air-gapped mode the images go
    // through the registry, so the plain dagger call needs nothing loaded from the host.
    args: (o) => ["deploy", ...(kubeconfig ? deployClusterArgs(kubeconfig, readFileSync(kubeconfig, "utf8"), context) : []), "export", "--path", join(o, "deploy")],
    check: (o) => record(join(o, "deploy")),
  },
];

const rows: [string, string, string, string][] = [];
const work = mkdtempSync(join(tmpdir(), "test-engine-"));
const base = ["call", "--progress", "plain", ...(registry ? ["--registry", registry] : []), ...(scanners ? ["--scanners", scanners] : [])];
try {
  const engine = await findEngine(loadProjectConfig().engine?.localContainer);
  const version = await execa(dagger, ["version"], { reject: false });
  if (version.failed) {
    console.error(`test:engine: the dagger CLI did not answer (${version.code === "ENOENT" ? "not on PATH" : version.stderr.trim().split("\n").at(-1)}): install v0.21.9, or source the env of a local engine`);
    process.exit(2);
  }
  console.log(`test:engine: ${version.stdout.trim()}; engine: ${engine.detail}${registry ? `; images from ${registry}` : ""}`);
  for (const call of calls) {
    if ((only.length && !only.includes(call.fn)) || skip.has(call.fn)) {
      rows.push([call.fn, "skipped", "", skip.has(call.fn) ? "--skip" : "not in --only"]);
      continue;
    }
    const started = Date.now();
    const { cmd, args, env } = call.command?.() ?? { cmd: dagger, args: [...base, ...call.args(work)], env: {} };
    console.log(`\n== ${cmd === dagger ? "dagger" : cmd} ${args.join(" ")}`);
    const r = await execa(cmd, args, { cwd: REPO_ROOT, reject: false, all: true, stdout: "pipe", stderr: "pipe", env });
    const seconds = ((Date.now() - started) / 1000).toFixed(0);
    let verdict = r.exitCode === 0 ? "pass" : "FAIL";
    let note = "";
    if (r.exitCode !== 0) {
      const lines = `${r.stderr}`.split("\n").map((l) => l.trim()).filter((l) => /error|fail|cannot|not found/i.test(l));
      note = (lines.at(-1) ?? `exit ${r.exitCode}`).slice(0, 200);
      console.log(`${r.all ?? ""}`.split("\n").slice(-40).join("\n"));
    } else {
      try {
        note = call.check?.(work, `${r.stdout}`) ?? "";
      } catch (err) {
        verdict = "FAIL";
        note = (err as Error).message;
      }
    }
    rows.push([call.fn, verdict, seconds, note]);
    console.log(`-- ${call.fn}: ${verdict} in ${seconds} s${note ? `: ${note}` : ""}`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

const head: [string, string, string, string] = ["function", "verdict", "seconds", "note"];
console.log(`\n| ${head.join(" | ")} |\n|---|---|---|---|\n${rows.map((r) => `| ${r.map((c) => c.replace(/\|/g, "\\|")).join(" | ")} |`).join("\n")}`);
process.exitCode = rows.every((r) => r[1] === "pass" || (r[1] === "skipped" && r[3] === "--skip")) ? 0 : 1;
