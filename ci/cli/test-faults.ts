// npm run test:faults: the pipeline's own faults, provoked for real, and what
// a user sees of each: one line naming the fault and the fix, how long it took
// to say it, and whether running again once the fault is gone works (and, for
// the pipeline's calls, reuses the engine's cache). Prints
// `case | verdict | seconds to the message | what the user saw | rerun`.
//   npm run test:faults [-- --only NAME,NAME] [--kubeconfig FILE]
// Needs: the local engine (pipeline:*), and for the cluster cases the local
// cluster (npm run cluster:up) with the release deployed once (pipeline:deploy);
// air-gapped mode (TODO_REGISTRY) for the registry case. A case whose
// prerequisite is missing is listed as skipped, with the reason.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ResultPromise, execa } from "execa";
import { REPO_ROOT, loadProjectConfig } from "../config/load.js";
import { AppsV1Api } from "@kubernetes/client-node";
import { type AppName, appNames } from "../config/project-config.js";
import { type ImageRef, helmUpgradeInstallArgs, projectConfigValues, withMirroredPostgres } from "../tools/helm.js";
import { STALE_PENDING_MS } from "../policies/release-lock.js";
import { kubeConfigFrom } from "../tools/kube.js";
import { LOCAL_ENGINE_INSPECT, parseLocalEngine } from "./preflight.js";

interface Result {
  name: string;
  verdict: "passed" | "failed" | "skipped";
  seconds: number;
  saw: string;
  rerun: string;
  /** The end of what the case's commands printed, shown when it failed. */
  output?: string;
}

const argv = process.argv.slice(2);
const option = (name: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
};
const only = (option("only") ?? "").split(",").filter(Boolean);
const config = loadProjectConfig();
const KUBECONFIG = option("kubeconfig") ?? "/var/lib/todo-cluster/kubeconfig";
const ENGINE = config.engine?.localContainer ?? "todo-dagger-engine";
const RUN_DIR = "/run/todo-cluster";
const registry = config.registry;
const results: Result[] = [];

/** The line a user reads: the first that names a fault (✗, FAILED, diagnosis, cannot), without colours. */
function sawLine(output: string): string {
  const lines = output.replace(/\x1b\[[0-9;]*m/g, "").split("\n").map((l) => l.trim());
  // Not the preflight's warnings ("! …"): they are said before anything fails.
  const said = lines.filter((l) => !l.startsWith("!"));
  return said.find((l) => /^(diagnosis:|✗|FAILED)/.test(l)) ?? said.find((l) => /does not answer|cannot|stopped/.test(l)) ?? said.filter(Boolean).at(-1) ?? "";
}

/** Runs a command, collecting its output; `onStart` can provoke the fault while it runs. */
const outputs: string[] = [];
async function provoke(cmd: string, args: string[], env: Record<string, string>, during?: (child: ResultPromise) => Promise<void>) {
  const started = performance.now();
  const child = execa(cmd, args, { cwd: REPO_ROOT, env: { ...env, NO_COLOR: "1", FORCE_COLOR: "0" }, all: true, reject: false, timeout: 20 * 60_000 });
  if (during) await during(child);
  const r = await child;
  outputs.push(`$ ${cmd} ${args.join(" ")}\n${String(r.all ?? "").trim().split("\n").slice(-12).join("\n")}`);
  return { exitCode: r.exitCode ?? -1, all: String(r.all ?? ""), seconds: (performance.now() - started) / 1000 };
}

async function runCase(name: string, prerequisite: () => Promise<string>, fn: () => Promise<Omit<Result, "name" | "verdict"> & { ok: boolean }>) {
  if (only.length && !only.includes(name)) return;
  const missing = await prerequisite();
  if (missing) {
    results.push({ name, verdict: "skipped", seconds: 0, saw: `skipped: ${missing}`, rerun: "-" });
    return;
  }
  console.log(`… ${name}`);
  outputs.length = 0;
  try {
    const r = await fn();
    results.push({ name, verdict: r.ok ? "passed" : "failed", seconds: r.seconds, saw: r.saw, rerun: r.rerun, output: outputs.join("\n") });
  } catch (err) {
    results.push({ name, verdict: "failed", seconds: 0, saw: (err as Error).message.split("\n")[0]!, rerun: "-", output: outputs.join("\n") });
  }
}

const engineRunning = async () => {
  const r = await execa("docker", ["inspect", "-f", LOCAL_ENGINE_INSPECT, ENGINE], { reject: false });
  return r.exitCode === 0 && parseLocalEngine(String(r.stdout)).running ? "" : `no running engine container ${ENGINE}`;
};
const clusterUp = async () => (existsSync(KUBECONFIG) && existsSync(join(RUN_DIR, "kube-apiserver.pid")) ? "" : `no local cluster (${KUBECONFIG}): npm run cluster:up`);

/** Whether installing again once the fault was removed worked, and in how long. */
const installedAgain = (again: { exitCode: number; seconds: number; all: string }) =>
  again.exitCode === 0 ? `yes, installed in ${again.seconds.toFixed(0)} s` : `no: ${sawLine(again.all)}`;

/** Whether running again after the fault worked, and how long it took (seconds show whether the cache was reused). */
function cachedRerun(output: string, exitCode: number, seconds: number): string {
  return exitCode === 0 ? `yes: passed again in ${seconds.toFixed(0)} s` : `no: exit ${exitCode}: ${sawLine(output)}`;
}

// 1. The engine stopped in the middle of ci: `docker stop` (SIGTERM: the engine marks its cache clean),
// then `docker kill` (SIGKILL: Dagger discards the cache of an engine that did not shut down cleanly, so
// the rerun starts cold; the user is told so).
for (const how of ["stop", "kill"] as const) {
  await runCase(`engine ${how === "stop" ? "stopped" : "killed"} during ci`, engineRunning, async () => {
    let stoppedAt = 0;
    const r = await provoke("npm", ["run", "pipeline:ci"], process.env as Record<string, string>, async (child) => {
      // As soon as the ci function starts in the engine: a warm ci is over in seconds.
      await new Promise<void>((res) => {
        const timer = setTimeout(res, 10 * 60_000);
        child.all?.on("data", (chunk: Buffer) => {
          if (/TodoPipeline\.ci\b/.test(String(chunk))) (clearTimeout(timer), res());
        });
      });
      stoppedAt = performance.now();
      await execa("docker", how === "stop" ? ["stop", "-t", "60", ENGINE] : ["kill", ENGINE]);
    });
    const saidAfter = (performance.now() - stoppedAt) / 1000;
    await execa("docker", ["start", ENGINE]);
    await new Promise((res) => setTimeout(res, 5_000));
    const again = await provoke("npm", ["run", "pipeline:ci"], process.env as Record<string, string>);
    const saw = sawLine(r.all);
    const told = how === "stop" ? /engine went away/.test(saw) : /engine went away.*starts cold/.test(saw);
    return { ok: r.exitCode !== 0 && told, seconds: saidAfter, saw, rerun: cachedRerun(again.all, again.exitCode, again.seconds) };
  });
}

// 2. Air-gapped mode with the registry stopped: the preflight says so before anything runs.
await runCase("registry stopped (air-gapped)", async () => (registry ? await engineRunning() : "not in air-gapped mode (set TODO_REGISTRY)"), async () => {
  const pid = String((await execa("pgrep", ["-f", "docker-registry serve"], { reject: false })).stdout).trim().split("\n")[0];
  if (!pid) throw new Error("no docker-registry process to stop (npm run images:local-registry starts it)");
  await execa("kill", [pid]);
  const r = await provoke("npm", ["run", "pipeline:ci"], process.env as Record<string, string>);
  await execa("npm", ["run", "images:local-registry"], { cwd: REPO_ROOT, env: process.env });
  const again = await provoke("npm", ["run", "pipeline:ci"], process.env as Record<string, string>);
  const saw = sawLine(r.all);
  return { ok: r.exitCode === 2 && /does not answer/.test(saw), seconds: r.seconds, saw, rerun: cachedRerun(again.all, again.exitCode, again.seconds) };
});

// 3. A kubeconfig whose API server is nowhere: refused before ci, in seconds.
await runCase("kubeconfig pointing nowhere", engineRunning, async () => {
  const dir = mkdtempSync(join(tmpdir(), "faults-"));
  const nowhere = join(dir, "kubeconfig");
  writeFileSync(nowhere, `apiVersion: v1
kind: Config
current-context: local-up-cluster
contexts: [{ name: local-up-cluster, context: { cluster: nowhere, user: nobody } }]
clusters: [{ name: nowhere, cluster: { server: "https://127.0.0.1:1", insecure-skip-tls-verify: true } }]
users: [{ name: nobody, user: { token: x } }]
`);
  const r = await provoke("npm", ["run", "pipeline:deploy", "--", "--kubeconfig", nowhere], process.env as Record<string, string>);
  const saw = sawLine(r.all);
  return { ok: r.exitCode === 2 && /does not answer/.test(saw), seconds: r.seconds, saw, rerun: "- (nothing ran)" };
});

// The cluster cases run the deploy step's own install (ci/cli/install.ts) on the host, against the
// release's chart in a namespace of their own, as the engine runs it through the API tunnel.
const FAULT_NS = "todo-faults";
const chart = join(REPO_ROOT, config.chart.path);
/** The images the deployed release runs (repository and tag or digest), so the cases need no build. */
async function deployedImages(): Promise<Partial<Record<AppName, ImageRef>>> {
  const kc = kubeConfigFrom(KUBECONFIG);
  const deps = await kc.makeApiClient(AppsV1Api).listNamespacedDeployment({ namespace: config.chart.namespace, labelSelector: `app.kubernetes.io/instance=${config.chart.release}` });
  const images: Partial<Record<AppName, ImageRef>> = {};
  for (const app of appNames(config)) {
    const image = deps.items.find((d) => d.metadata?.labels?.["app.kubernetes.io/component"] === app)?.spec?.template.spec?.containers[0]?.image;
    if (!image) throw new Error(`the release ${config.chart.release} in ${config.chart.namespace} has no ${app} Deployment: deploy it first (npm run pipeline:deploy -- --kubeconfig ${KUBECONFIG})`);
    const at = image.indexOf("@");
    const colon = image.lastIndexOf(":");
    images[app] = at > 0 ? { repository: image.slice(0, at), digest: image.slice(at + 1) } : { repository: image.slice(0, colon), tag: image.slice(colon + 1) };
  }
  return images;
}
async function install(extra: Record<string, string>, during?: (child: ResultPromise) => Promise<void>) {
  const values = withMirroredPostgres(config, projectConfigValues(config, await deployedImages()));
  const args = helmUpgradeInstallArgs({
    release: "faults",
    chart,
    namespace: FAULT_NS,
    kubeconfig: KUBECONFIG,
    timeout: "10m",
    valuesFiles: config.deploy.targets.local?.valuesFiles.map((f) => join(REPO_ROOT, f)) ?? [],
    // Beside the deployed release: a NodePort of its own (the target's values file fixes one).
    set: { ...values.set, "frontend.service.nodePort": 30001 },
    setString: { ...values.setString, ...extra },
  });
  const env = { ...process.env, KUBECONFIG, NAMESPACE: FAULT_NS, RELEASE: "faults", IMAGE_LOAD_HINT: `ctr --address ${config.deploy.targets.local?.containerd} -n k8s.io images import {image}` } as Record<string, string>;
  return provoke("npx", ["--no-install", "tsx", "ci/cli/install.ts", "helm", ...args], env, during);
}
const hasRelease = async () => (await clusterUp()) || (await deployedImages().then(() => "", (err: Error) => err.message));

// 4. A pod that never schedules: more CPU than the node has.
await runCase("pod that never schedules", hasRelease, async () => {
  const r = await install({ "backend.resources.requests.cpu": "64", "backend.resources.limits.cpu": "64" });
  const again = await install({});
  const saw = sawLine(r.all);
  return { ok: r.exitCode === 1 && /no node has enough cpu/.test(saw), seconds: r.seconds, saw, rerun: installedAgain(again) };
});

// 5. An image the node does not have.
await runCase("image missing from the node", hasRelease, async () => {
  const r = await install({ "frontend.image.tag": "sha-000000000000", "frontend.image.digest": "" });
  const again = await install({});
  const saw = sawLine(r.all);
  return { ok: r.exitCode === 1 && /not in the cluster/.test(saw), seconds: r.seconds, saw, rerun: installedAgain(again) };
});

// 6. The API server stopped (frozen: it accepts connections and never answers) during the rollout wait.
await runCase("API server stopped during the rollout wait", hasRelease, async () => {
  const pid = readFileSync(join(RUN_DIR, "kube-apiserver.pid"), "utf8").trim();
  let frozenAt = 0;
  try {
    // A new pod template (an annotation) so helm has a rollout to wait for.
    const r = await install({ "backend.podAnnotations.faults-run": String(Date.now()) }, async () => {
      await new Promise((res) => setTimeout(res, 4_000));
      frozenAt = performance.now();
      await execa("kill", ["-STOP", pid]);
    });
    await execa("kill", ["-CONT", pid]);
    const saidAfter = (performance.now() - frozenAt) / 1000;
    // helm could not mark the release failed while the API server was frozen: a rerun right away is
    // refused naming the fix, and once the pending release is stale the next install clears it.
    const early = await install({});
    await new Promise((res) => setTimeout(res, STALE_PENDING_MS));
    const again = await install({});
    const saw = sawLine(r.all);
    const rerun = `${early.exitCode === 1 ? `at once: refused (${sawLine(early.all).slice(0, 80)}…); ` : ""}after ${STALE_PENDING_MS / 1000} s: ${installedAgain(again)}`;
    return { ok: r.exitCode === 1 && /API server .* stopped answering/.test(saw) && again.exitCode === 0, seconds: Math.min(saidAfter, r.seconds), saw, rerun };
  } finally {
    await execa("kill", ["-CONT", pid], { reject: false });
  }
});
if (existsSync(KUBECONFIG) && !only.length) await execa("helm", ["uninstall", "faults", "-n", FAULT_NS, "--kubeconfig", KUBECONFIG, "--wait"], { reject: false });

const w = Math.max(4, ...results.map((r) => r.name.length));
console.log(`\n${"case".padEnd(w)} | verdict | seconds to the message | rerun | what the user saw`);
for (const r of results) console.log(`${r.name.padEnd(w)} | ${r.verdict.padEnd(7)} | ${r.seconds.toFixed(1).padStart(22)} | ${r.rerun} | ${r.saw}`);
for (const r of results.filter((x) => x.verdict === "failed" && x.output)) console.log(`\n✗ ${r.name}:\n${r.output}`);
process.exit(results.some((r) => r.verdict === "failed") ? 1 : 0);
