// Host CLI behind `npm run pipeline:*`: checks the machine, calls the Dagger
// module through the dagger CLI (its own progress output), does what only the
// host can (loading images into Minikube, writing and replaying run records),
// and ends with the step table and a verdict.
//   pipeline:build | pipeline:ci | pipeline:deploy [-- --target minikube|k3s] [--kubeconfig FILE [--context NAME]] | pipeline:reproduce -- <record.json | gh-run-id>
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { $, type ProcessPromise } from "zx";
import { loadProjectConfig, REPO_ROOT, SCANNERS_ENV } from "../config/load.js";
import { withoutCredentials } from "../images/build-args.js";
import { appNames } from "../config/project-config.js";
import { REGISTRY_ENV, imageRef, normalizedImageName, pushRegistry } from "../images/registry.js";
import { type RunRecord, diffVerdicts, parseRunRecord, stepTable } from "../policies/run-record.js";
import { KubeconfigError, deployClusterArgs, targetOfKubeconfig, withInlinedFiles } from "../tools/kubeconfig.js";
import { apiServerSilence, kubeConfigFrom } from "../tools/kube.js";
import { contentTag, minikubeImageLoadArgs } from "../tools/kubectl.js";
import { type Check, checkContainerRuntime, checkDagger, checkMinikube, checkRegistryImages, daggerCli, findEngine, formatChecks, imagesPulledBy, engineKilled, judgeLocalEngine, LOCAL_ENGINE_INSPECT, parseLocalEngine } from "./preflight.js";
import { ENGINE_IMAGE_ENV, ensureEngine } from "./engine-start.js";
import { provideDaggerCli } from "./dagger-download.js";
import { createWorktree, downloadRecord, planReproduction, removeWorktree } from "./reproduce.js";

$.verbose = false;
const config = loadProjectConfig();
// Where no dagger CLI is found, the pinned one is fetched (sha256 checked) and cached; DAGGER_CLI then names it.
await provideDaggerCli(config.versions.dagger!);
const dagger = daggerCli();
// TODO_REGISTRY on the host reaches the module as its --registry argument (loadProjectConfig has checked it);
const overrideFlags = process.env[REGISTRY_ENV]?.trim() ? ["--registry", config.registry ?? "none"] : [];
// TODO_SCAN_SCANNERS likewise reaches it as --scanners (e.g. secret,misconfig where no vulnerability DB is available).
if (process.env[SCANNERS_ENV]?.trim()) overrideFlags.push("--scanners", config.scan.scanners.join(","));
const [command = "", ...rest] = process.argv.slice(2);
const flag = (name: string) => {
  const i = rest.indexOf(`--${name}`);
  return i >= 0 ? rest[i + 1] : undefined;
};

async function preflight(extra: Check[] = [], deployTarget?: string) {
  // engine.image (or TODO_ENGINE_IMAGE): the engine image mirrored into your registry, started here when none runs.
  const started = await ensureEngine({ image: process.env[ENGINE_IMAGE_ENV]?.trim() || config.engine?.image || undefined, name: config.engine?.localContainer ?? "todo-dagger-engine", registry: config.registry, env: process.env });
  if (started?.ok) console.log(`✓ engine: ${started.detail}`);
  const engine = started && !started.ok ? started : await findEngine(config.engine?.localContainer, process.env, config.versions.dagger!);
  const checks = [await checkDagger(config.versions.dagger!), await checkContainerRuntime(), engine, ...extra];
  if (config.registry) checks.push(await checkRegistryImages(config.registry, imagesPulledBy(command, deployTarget).map((key) => imageRef(config, key))));
  if (checks.some((c) => !c.ok)) {
    console.error(`the pipeline cannot run on this machine yet:\n${formatChecks(checks)}`);
    process.exit(2);
  }
  // What could not be told from here does not stop the run, but is said before it.
  if (checks.some((c) => c.unknown)) console.warn(formatChecks(checks.filter((c) => c.unknown)));
}

async function gitState(cwd = REPO_ROOT) {
  const commit = (await $({ cwd })`git rev-parse HEAD`).stdout.trim();
  const dirty = (await $({ cwd })`git status --porcelain`).stdout.trim() !== "";
  const origin = withoutCredentials((await $({ cwd })`git config --get remote.origin.url`.nothrow()).stdout.trim());
  const created = (await $({ cwd })`git log -1 --format=%cI`).stdout.trim();
  // The module's constructor arguments: images labelled with this commit, its origin and time.
  const moduleArgs = ["--revision", commit, ...(origin ? ["--source-url", origin] : []), "--created", created];
  return { commit, dirty, moduleArgs };
}

/** Run before callRecorded exits early (a replay's worktree must not be left behind). */
const cleanups: (() => Promise<void>)[] = [];

/** The local engine's container, when the CLI reaches its engine through Docker. */
const engineContainer = () => /^docker-container:\/\/(.+)$/.exec(process.env._EXPERIMENTAL_DAGGER_RUNNER_HOST ?? "")?.[1];

/**
 * Ends a call whose engine container stopped running (seen twice, 3 s apart):
 * the dagger CLI goes on waiting for an engine that is gone. Returns the stop
 * of the watch.
 */
function watchEngine(call: ProcessPromise, container: string | undefined): () => void {
  if (!container) return () => {};
  let misses = 0;
  const timer = setInterval(async () => {
    const r = await $`docker inspect -f ${LOCAL_ENGINE_INSPECT} ${container}`.nothrow().quiet();
    misses = parseLocalEngine(r.stdout).running ? 0 : misses + 1;
    if (misses >= 2) {
      clearInterval(timer);
      await call.kill("SIGTERM");
    }
  }, 3_000);
  return () => clearInterval(timer);
}

/** After a call died without a record: why the local engine it ran on is not up, or undefined when it is (or is not ours to inspect). */
async function engineGone(): Promise<{ why: string; cold: boolean } | undefined> {
  const container = engineContainer();
  if (!container) return undefined;
  const r = await $`docker inspect -f ${LOCAL_ENGINE_INSPECT} ${container}`.nothrow();
  if (r.exitCode !== 0) return { why: `its container ${container} no longer exists: start an engine again (README: "A local Dagger engine")`, cold: true };
  const check = judgeLocalEngine(container, r.stdout);
  return check.ok ? undefined : { why: check.detail, cold: engineKilled(r.stdout) !== undefined };
}

/** Runs a module function that returns the artifacts directory; returns the completed run record. */
async function callRecorded(fn: string, args: string[], cwd = REPO_ROOT, recordedModuleArgs: string[] = [], onDone?: (out: string) => void): Promise<RunRecord> {
  const { commit, dirty, moduleArgs: gitArgs } = await gitState(cwd);
  // A replayed run's own module arguments (its scanners) win over this machine's.
  const overrides = recordedModuleArgs.includes("--scanners") ? overrideFlags.filter((_, i, a) => a[i] !== "--scanners" && a[i - 1] !== "--scanners") : overrideFlags;
  const moduleArgs = [...gitArgs, ...overrides, ...recordedModuleArgs];
  if (dirty) console.warn("warning: the working tree has uncommitted changes; the record says so and a replay cannot reproduce them");
  const out = join(cwd, "runs", `${new Date().toISOString().replace(/[:.]/g, "-")}-${fn}`);
  const engine = (await $`${dagger} version`).stdout.trim();
  const running = $({ cwd, stdio: "inherit" })`${dagger} call ${moduleArgs} ${fn} ${args} export --path ${out}`.nothrow();
  const unwatch = watchEngine(running, engineContainer());
  const call = await running;
  unwatch();
  if (!existsSync(join(out, "run-record.json"))) {
    const gone = await engineGone();
    console.error(
      gone
        ? `\nFAILED — the Dagger engine went away during dagger call ${fn}: ${gone.why}; then run the same command again${gone.cold ? "" : " (what finished before comes from the engine's cache)"}`
        : `\nFAILED — dagger call ${fn} stopped (exit ${call.exitCode}) before writing a run record; its output above names the failing step`,
    );
    await Promise.all(cleanups.map((c) => c()));
    process.exit(1);
  }
  const record = parseRunRecord(readFileSync(join(out, "run-record.json"), "utf8"), `${out}/run-record.json`);
  const completed: RunRecord = { ...record, commit, dirty, args: { ...record.args, dirty: String(dirty) }, versions: { ...record.versions, engine } };
  writeFileSync(join(out, "run-record.json"), `${JSON.stringify(completed, null, 2)}\n`);
  // A newline first: dagger's last line (the export path) ends without one.
  console.log(`\n${stepTable(completed.steps)}\n`);
  onDone?.(out);
  console.log(`${completed.verdict.toUpperCase()} — run record: ${join(out, "run-record.json")}`);
  return completed;
}

/** A kubeconfig's text, or exit 2 when the file is missing. */
function readKubeconfig(kubeconfig: string): string {
  if (!existsSync(kubeconfig)) {
    console.error(`kubeconfig ${kubeconfig} does not exist: pass --kubeconfig FILE (npm run cluster:up prints the local cluster's)`);
    process.exit(2);
  }
  return readFileSync(kubeconfig, "utf8");
}

/** What a kubeconfig says (its target, the deploy's cluster arguments), or exit 2 naming what is wrong with it. */
function fromKubeconfig<T>(kubeconfig: string, read: (text: string) => T): T {
  try {
    return read(readKubeconfig(kubeconfig));
  } catch (err) {
    if (!(err instanceof KubeconfigError)) throw err;
    console.error(`${kubeconfig}: ${err.message}`);
    process.exit(2);
  }
}

/**
 * The deploy function's cluster arguments; a loopback API server is tunnelled in by the engine.
 * A kubeconfig that names files (Minikube's certificates) goes as a private copy with them inlined.
 */
const clusterArgs = (kubeconfig: string, context: string | undefined) =>
  fromKubeconfig(kubeconfig, (text) => {
    const inlined = withInlinedFiles(text, (path) => readFileSync(resolve(dirname(kubeconfig), path)));
    if (!inlined) return deployClusterArgs(kubeconfig, text, context);
    const dir = mkdtempSync(join(tmpdir(), "kubeconfig-"));
    const copy = join(dir, "config");
    writeFileSync(copy, inlined, { mode: 0o600 });
    process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
    return deployClusterArgs(copy, inlined, context);
  });

/** The deploy target a kubeconfig is for (its context). */
const targetOf = (kubeconfig: string) => fromKubeconfig(kubeconfig, (text) => targetOfKubeconfig(config.deploy.targets, text, flag("context")));

/** The cluster answers: checked before the minutes of ci, not after them. */
async function checkCluster(kubeconfig: string, context: string | undefined): Promise<Check> {
  const silence = await apiServerSilence(kubeConfigFrom(kubeconfig, context));
  if (silence) return { name: "cluster", ok: false, detail: `${silence}: start the cluster (npm run cluster:up, minikube start), or pass --kubeconfig of one that runs` };
  return { name: "cluster", ok: true, detail: `the API server of ${kubeconfig}${context ? ` (context ${context})` : ""} answers` };
}

/** Builds each image through the module and hands its tarball and content-tagged name to `load`. */
async function loadImages(into: string, load: (tar: string, name: string) => Promise<void>) {
  const dir = join(REPO_ROOT, "runs", "images");
  mkdirSync(dir, { recursive: true });
  // The same module arguments as the deploy call: the labels (revision, created) are part of the image, so of its content tag.
  const { moduleArgs } = await gitState();
  for (const app of appNames(config)) {
    const tar = join(dir, `${app}.tar`);
    console.log(`building and exporting ${app}…`);
    await $({ stdio: "inherit" })`${dagger} call ${moduleArgs} ${overrideFlags} image-tarball --app ${app} export --path ${tar}`;
    const digest = `sha256:${(await $`sha256sum ${tar}`).stdout.split(" ")[0]}`;
    const name = `${config.apps[app].image}:${contentTag(digest)}`;
    await load(tar, name);
    console.log(`  loaded ${name} into ${into}`);
  }
}

const loadIntoMinikube = (profile: string) =>
  loadImages(`Minikube (${profile})`, async (tar, name) => {
    // The OCI tarball carries no name: docker names it, then Minikube takes it by that name.
    const id = (await $`docker load -q -i ${tar}`).stdout.trim().split(" ").at(-1)!;
    await $`docker tag ${id.replace(/^Loaded image ID: /, "")} ${name}`;
    await $`minikube ${minikubeImageLoadArgs(name, profile)}`;
  });

/**
 * Minikube's docker driver puts the node on a Docker network of its own (named
 * after the profile), which a local engine container on Docker's default bridge
 * cannot reach (Docker isolates its networks): connect the engine to it while the deploy runs.
 */
async function joinMinikubeNetwork(profile: string) {
  const engine = /^docker-container:\/\/(.+)$/.exec(process.env._EXPERIMENTAL_DAGGER_RUNNER_HOST ?? "")?.[1];
  if (!engine || (await $`docker network inspect ${profile}`.nothrow()).exitCode !== 0) return;
  const networks = (await $`docker inspect -f ${"{{json .NetworkSettings.Networks}}"} ${engine}`.nothrow()).stdout;
  if (networks.includes(`"${profile}"`)) return;
  await $`docker network connect ${profile} ${engine}`;
  console.log(`connected the engine ${engine} to Minikube's network ${profile} for this deploy`);
  // Only for this run: `minikube delete` removes the network, and a container still attached to it no longer starts.
  process.on("exit", () => void spawnSync("docker", ["network", "disconnect", profile, engine]));
}

/** The node's containerd (the cluster `npm run cluster:up` starts): the images go where the kubelet looks. */
async function loadIntoContainerd(socket: string) {
  await loadImages(`the node's containerd (${socket})`, async (tar, name) => {
    // The kubelet asks containerd for docker.io/library/<name>: a short --index-name is never found.
    await $`ctr --address ${socket} -n k8s.io images import --index-name ${normalizedImageName(name)} ${tar}`;
  });
  // Air-gapped mode: the release's PostgreSQL comes from the registry (withMirroredPostgres); the node pulls it here, HTTPS first, then plain HTTP (a local registry).
  if (config.registry) {
    const ref = imageRef(config, "pipelineImages.postgres");
    const pull = (plain: string[]) => $`ctr --address ${socket} -n k8s.io images pull ${plain} ${ref}`.nothrow();
    if ((await pull([])).exitCode !== 0 && (await pull(["--plain-http"])).exitCode !== 0) {
      console.error(`the node could not pull ${ref} from ${config.registry}: push it there (npm run images:local-registry)`);
      process.exit(2);
    }
    console.log(`  pulled ${ref} into the node`);
  }
}

switch (command) {
  case "build": {
    await preflight();
    const tarballs = (out: string) => readdirSync(out).filter((f) => f.endsWith(".tar")).map((f) => join(out, f));
    const record = await callRecorded("build", [], REPO_ROOT, [], (out) => console.log(`images: ${tarballs(out).join(", ") || "none"}`));
    process.exitCode = record.verdict === "passed" ? 0 : 1;
    break;
  }
  case "ci": {
    await preflight();
    process.exitCode = (await callRecorded("ci", [])).verdict === "passed" ? 0 : 1;
    break;
  }
  case "deploy": {
    const kubeconfigFlag = flag("kubeconfig");
    // With a kubeconfig and no --target, the target is the one whose context the kubeconfig names.
    const target = flag("target") ?? (kubeconfigFlag ? targetOf(kubeconfigFlag) : config.deploy.defaultTarget);
    // When the deploy pushes the images to a registry, the cluster pulls them: nothing to load from here.
    const pushTo = pushRegistry(target, flag("image-registry"), config.registry);
    const pushArgs = flag("image-registry") ? ["--image-registry", flag("image-registry")!] : [];
    if (target === "minikube") {
      const profile = flag("profile") ?? "minikube";
      const kubeconfig = kubeconfigFlag ?? join(homedir(), ".kube", "config");
      const context = flag("context") ?? config.deploy.targets.minikube?.context ?? profile;
      const args = clusterArgs(kubeconfig, context);
      await preflight([await checkMinikube(profile), await checkCluster(kubeconfig, context)]);
      await joinMinikubeNetwork(profile);
      if (!pushTo) await loadIntoMinikube(profile);
      process.exitCode = (await callRecorded("deploy", [...args, "--target", "minikube", ...pushArgs])).verdict === "passed" ? 0 : 1;
    } else if (kubeconfigFlag) {
      const context = flag("context") ?? config.deploy.targets[target]?.context;
      const args = clusterArgs(kubeconfigFlag, context);
      await preflight([await checkCluster(kubeconfigFlag, context)]);
      const containerd = config.deploy.targets[target]?.containerd;
      if (containerd && !pushTo) {
        if (!existsSync(containerd)) {
          console.error(`deploy target ${target}: its node's containerd socket ${containerd} does not exist: start the cluster (npm run cluster:up), or pass --target for another cluster`);
          process.exit(2);
        }
        await loadIntoContainerd(containerd);
      }
      process.exitCode = (await callRecorded("deploy", [...args, "--target", target, ...pushArgs])).verdict === "passed" ? 0 : 1;
    } else {
      await preflight([], target);
      process.exitCode = (await callRecorded("deploy", ["--target", target])).verdict === "passed" ? 0 : 1;
    }
    break;
  }
  case "reproduce": {
    const source = rest[0];
    if (!source) {
      console.error("usage: npm run pipeline:reproduce -- <run-record.json | GitHub Actions run id>");
      process.exit(2);
    }
    await preflight();
    const file = /^\d+$/.test(source) ? await downloadRecord(source, join(REPO_ROOT, "runs", `gh-${source}`)) : source;
    const before = parseRunRecord(readFileSync(file, "utf8"), file);
    const plan = await planReproduction(before, REPO_ROOT);
    if (plan.drift.length) console.warn(`warning: pinned images differ from the record:\n  ${plan.drift.join("\n  ")}`);
    await createWorktree(REPO_ROOT, plan);
    cleanups.push(() => removeWorktree(REPO_ROOT, plan));
    try {
      console.log(`replaying ${plan.fn} at ${plan.commit.slice(0, 12)} in ${plan.worktree}`);
      const after = await callRecorded(plan.fn, plan.args, plan.worktree, plan.moduleArgs);
      const changes = diffVerdicts(before, after);
      console.log(changes.length ? `verdicts that differ:\n${changes.map((c) => `  ${c.step}: ${c.before} → ${c.after}`).join("\n")}` : "every step reached the same verdict as the recorded run");
      process.exitCode = changes.length ? 1 : 0;
    } finally {
      await removeWorktree(REPO_ROOT, plan);
    }
    break;
  }
  default:
    console.error("usage: pipeline <build|ci|deploy|reproduce> (run through npm run pipeline:<command>)");
    process.exit(2);
}
