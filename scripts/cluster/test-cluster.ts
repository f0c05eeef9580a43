// `npm run test:cluster`: the chart and our images on the real cluster of `npm run cluster:up`.
// Builds the images (`images:build`) and the PostgreSQL stand-in, imports them into the cluster's
// containerd under content tags (sha-<12 hex of the image id>, as the pipeline tags them), labels
// the namespace pod-security restricted, `helm upgrade --install --wait` with values-minikube.yaml,
// `helm test`, then ci/cli/verify-deploy.ts for real (rollout through @kubernetes/client-node,
// diagnosis, smoke through a port-forward). Prints `check | pass/fail | seconds`; exit 0 only if
// every check passes. Later checks are skipped (fail) once one they depend on failed.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { loadProjectConfig, REPO_ROOT } from "../../ci/config/load.js";
import { contentTag } from "../../ci/tools/kubectl.js";
import { helmTestArgs, helmUpgradeInstallArgs } from "../../ci/tools/helm.js";

const config = loadProjectConfig();
const STATE = process.env.TODO_CLUSTER_STATE ?? "/var/lib/todo-cluster";
const CACHE = process.env.TODO_CLUSTER_CACHE ?? "/var/cache/todo-cluster";
const KUBECONFIG = join(STATE, "kubeconfig");
const CONTAINERD_SOCK = config.deploy.targets.local?.containerd ?? "";
if (!CONTAINERD_SOCK) throw new Error("todo.config.yaml deploy.targets.local.containerd is not set: it names the cluster's containerd socket (/run/todo-cluster/containerd.sock)");
const K8S_VERSION = `v${config.versions.kubernetes!.replace(/^v/, "")}`;
const KUBECTL = join(CACHE, `kubernetes-${K8S_VERSION}`, "bin", "kubectl");
const HELM = process.env.HELM ?? "helm";
const DOCKER = existsSync("/usr/bin/docker") ? "/usr/bin/docker" : "docker";
const namespace = config.chart.namespace;
const release = config.chart.release;
const chart = join(REPO_ROOT, config.chart.path);
const minikubeValues = join(chart, "values-minikube.yaml");
// --upgrades N: that many upgrade + rollback rounds in a row (each must lose no request).
const UPGRADE_ROUNDS = process.argv.includes("--upgrades") ? Number(process.argv[process.argv.indexOf("--upgrades") + 1]) || 1 : 1;

interface Check {
  name: string;
  ok: boolean;
  /** Not run, because a check it needs failed: listed with the reason, not counted as passed. */
  skipped?: boolean;
  seconds: number;
  detail?: string;
}
const results: Check[] = [];
const notes: string[] = [];

class CommandError extends Error {
  constructor(message: string, readonly all: string) {
    super(message);
  }
}
/** Runs a command (no shell); rejects with its combined output when it exits non-zero. */
function run(cmd: string, args: readonly string[], opts: { env?: Record<string, string> } = {}): Promise<{ stdout: string; all: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: REPO_ROOT, env: { ...process.env, KUBECONFIG, ...opts.env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let all = "";
    child.stdout.on("data", (d: Buffer) => ((stdout += d), (all += d)));
    child.stderr.on("data", (d: Buffer) => (all += d));
    child.on("error", reject);
    child.on("close", (code) =>
      code === 0 ? resolve({ stdout, all }) : reject(new CommandError(`${cmd} ${args.join(" ")} exited ${code}`, all || `${cmd} exited ${code}`)),
    );
  });
}
const kubectl = (...args: string[]) => run(KUBECTL, ["--kubeconfig", KUBECONFIG, ...args]);

async function check(name: string, fn: () => Promise<string | void>): Promise<boolean> {
  const started = performance.now();
  process.stdout.write(`… ${name}\n`);
  try {
    const detail = (await fn()) ?? undefined;
    results.push({ name, ok: true, seconds: (performance.now() - started) / 1000, ...(detail ? { detail } : {}) });
    return true;
  } catch (err) {
    const e = err as Error & { all?: string };
    const detail = (e.all ?? e.message).trim().split("\n").slice(-15).join("\n");
    results.push({ name, ok: false, seconds: (performance.now() - started) / 1000, detail });
    console.error(`✗ ${name}:\n${detail}`);
    return false;
  }
}
function skip(name: string, because: string) {
  results.push({ name, ok: false, skipped: true, seconds: 0, detail: `skipped: ${because}` });
}

async function imageId(ref: string): Promise<string> {
  return (await run(DOCKER, ["image", "inspect", "-f", "{{.Id}}", ref])).stdout.trim();
}

/** `docker save` | `ctr -n k8s.io images import`, under the given name. */
async function importImage(source: string, target: string) {
  if (source !== target) await run(DOCKER, ["tag", source, target]);
  await run("bash", ["-o", "pipefail", "-c", `"$0" save "$1" | ctr --address "$2" -n k8s.io images import -`, DOCKER, target, CONTAINERD_SOCK]);
}

// ---------------------------------------------------------------------------------------------
const tags: Record<"backend" | "frontend", string> = { backend: "", frontend: "" };
let postgresImage = "";

const clusterUp = await check("cluster reachable, node Ready", async () => {
  if (!existsSync(KUBECONFIG)) throw new Error(`no ${KUBECONFIG}: run npm run cluster:up first`);
  const ready = (await kubectl("get", "node", "127.0.0.1", "-o", "jsonpath={.status.conditions[?(@.type==\"Ready\")].status}")).stdout;
  if (ready !== "True") throw new Error(`node 127.0.0.1 Ready=${ready}: npm run cluster:down && npm run cluster:up`);
  return (await kubectl("version", "-o", "json")).stdout.match(/"gitVersion": "(v[^"]+)"/g)?.pop();
});

const imagesBuilt =
  clusterUp &&
  (await check("images:build (backend, frontend)", async () => {
    // --use-built-images: take the todo-*:dev images a previous `npm run images:build` left (a rebuild
    // after unrelated source changes can take many minutes on a loaded machine)
    const reuse = process.argv.includes("--use-built-images") && (await imageId("todo-backend:dev").then(() => imageId("todo-frontend:dev")).then(() => true, () => false));
    if (!reuse) await run("npm", ["run", "images:build"], { env: { KUBECONFIG, NO_COLOR: "1" } });
    for (const app of ["backend", "frontend"] as const) tags[app] = contentTag(await imageId(`${config.apps[app].image}:dev`));
    return `${tags.backend} ${tags.frontend}`;
  }));

const postgresBuilt =
  imagesBuilt &&
  (await check("postgres stand-in image", async () => {
    const { stdout } = await run("bash", ["scripts/cluster/postgres-image.sh"]);
    postgresImage = stdout.trim().split("\n").pop()!;
    return postgresImage;
  }));

const imported =
  postgresBuilt &&
  (await check("images imported into the node (ctr)", async () => {
    for (const app of ["backend", "frontend"] as const) {
      const image = config.apps[app].image;
      await importImage(`${image}:dev`, `${image}:${tags[app]}`);
    }
    await importImage(postgresImage, postgresImage);
    const listed = (await run("ctr", ["--address", CONTAINERD_SOCK, "-n", "k8s.io", "images", "ls", "-q"])).stdout;
    for (const want of [`todo-backend:${tags.backend}`, `todo-frontend:${tags.frontend}`, postgresImage])
      if (!listed.includes(want)) throw new Error(`${want} not in the node's image store after import`);
  }));

const nsReady =
  imported &&
  (await check("namespace labelled pod-security enforce=restricted", async () => {
    const exists = await kubectl("get", "namespace", namespace).then(() => true, () => false);
    if (!exists) await kubectl("create", "namespace", namespace);
    await kubectl("label", "--overwrite", "namespace", namespace,
      "pod-security.kubernetes.io/enforce=restricted", "pod-security.kubernetes.io/enforce-version=latest",
      "pod-security.kubernetes.io/warn=restricted");
  }));

const helmValues = () => ({
  valuesFiles: [minikubeValues],
  setString: {
    "backend.image.tag": tags.backend,
    "frontend.image.tag": tags.frontend,
    "postgresql.image.repository": postgresImage.slice(0, postgresImage.lastIndexOf(":")),
    "postgresql.image.tag": postgresImage.slice(postgresImage.lastIndexOf(":") + 1),
    "postgresql.image.digest": "",
  },
});

const installed =
  nsReady &&
  (await check("helm upgrade --install --wait (values-minikube.yaml)", async () => {
    const started = performance.now();
    await run(HELM, helmUpgradeInstallArgs({ release, chart, namespace, timeout: "5m0s", kubeconfig: KUBECONFIG, ...helmValues() }));
    notes.push(`helm upgrade --install --wait: ${((performance.now() - started) / 1000).toFixed(1)} s (target ≤ 90 s)`);
  }));
if (installed) await readyTimes();

if (installed) {
  await check("helm test", async () => {
    await run(HELM, helmTestArgs({ release, namespace, kubeconfig: KUBECONFIG }));
  });
  await check("ci/cli/verify-deploy.ts (rollout, diagnosis, smoke via port-forward)", async () => {
    const r = await run("npx", ["--no-install", "tsx", "ci/cli/verify-deploy.ts"], {
      env: { KUBECONFIG, NAMESPACE: namespace, RELEASE: release, ROLLOUT_TIMEOUT_MS: "120000", IMAGE_LOAD_HINT: "ctr -n k8s.io images import {image}" },
    });
    return r.stdout.split("\n").filter((l) => l.includes("✓")).length + " smoke steps passed";
  });
  await check("every pod admitted under pod-security restricted and Ready", async () => {
    const pods = JSON.parse((await kubectl("get", "pods", "-n", namespace, "-o", "json")).stdout) as {
      items: { metadata: { name: string; annotations?: Record<string, string> }; status: { phase: string; conditions?: { type: string; status: string }[] } }[];
    };
    const label = (await kubectl("get", "namespace", namespace, "-o", "jsonpath={.metadata.labels.pod-security\\.kubernetes\\.io/enforce}")).stdout;
    if (label !== "restricted") throw new Error(`namespace ${namespace} enforce=${label}`);
    const notReady = pods.items.filter((p) => p.status.phase === "Running" && !p.status.conditions?.some((c) => c.type === "Ready" && c.status === "True"));
    if (notReady.length) throw new Error(`not Ready: ${notReady.map((p) => p.metadata.name).join(", ")}`);
    const running = pods.items.filter((p) => p.status.phase === "Running").length;
    if (running < 3) throw new Error(`only ${running} pods running (want backend, frontend, postgresql)`);
    return `${running} pods running`;
  });
  if (!process.argv.includes("--no-diagnosis")) await databaseDown();
  if (!process.argv.includes("--no-upgrade")) await upgradeRollbackReinstall();
} else {
  for (const name of ["helm test", "ci/cli/verify-deploy.ts (rollout, diagnosis, smoke via port-forward)"]) skip(name, "the install failed");
}

// ---------------------------------------------------------------------------------------------
// The release's PostgreSQL made to crash-loop (an unknown setting on its command line), the backend
// restarted so it cannot become ready: the deploy diagnosis must give one line that links the two.
// Then the StatefulSet is put back and the release must roll out again, for the checks after it.
async function databaseDown() {
  const { kubeConfigFrom, waitForRollout } = await import("../../ci/tools/kube.js");
  const { formatDiagnoses } = await import("../../ci/policies/diagnosis.js");
  const kc = kubeConfigFrom(KUBECONFIG);
  const selector = `app.kubernetes.io/instance=${release}`;
  const nameOf = async (kind: string, component: string) =>
    (await kubectl("get", kind, "-n", namespace, "-l", `${selector},app.kubernetes.io/component=${component}`, "-o", "jsonpath={.items[0].metadata.name}")).stdout;
  const sts = await nameOf("statefulset", "postgresql");
  const backend = await nameOf("deployment", "backend");
  await check("diagnosis: backend unready because its database is down (PostgreSQL crash-looping)", async () => {
    if (!sts || !backend) throw new Error(`no PostgreSQL StatefulSet (${sts}) or backend Deployment (${backend}) in the release`);
    await kubectl("patch", "statefulset", sts, "-n", namespace, "--type=json", "-p",
      JSON.stringify([{ op: "add", path: "/spec/template/spec/containers/0/args", value: ["postgres", "-c", "no_such_setting=on"] }]));
    await kubectl("rollout", "restart", "deployment", backend, "-n", namespace);
    // one linked line, naming the StatefulSet's Service, with PostgreSQL's own crash and its last log line
    const expect = new RegExp(`^✗ ${backend}-[^/]+/backend: DependencyDown: backend unready.* because its database ${sts} is down: ${sts}-0/postgresql: (CrashLoopBackOff|Error): keeps crashing \\(exit code 1.*last log lines:\\n.*unrecognized configuration parameter "no_such_setting"`, "s");
    const until = Date.now() + 180_000;
    let text = "";
    for (;;) {
      const r = await waitForRollout(kc, { namespace, selector, timeoutMs: 0, loadCommand: (image) => `ctr -n k8s.io images import ${image}` });
      text = r.ready ? "rolled out" : formatDiagnoses(r.diagnoses);
      if (!r.ready && r.diagnoses.length === 1 && expect.test(text)) {
        notes.push(`database-down diagnosis after ${((180_000 - (until - Date.now())) / 1000).toFixed(0)} s:\n${text}`);
        return text.split("\n")[0];
      }
      if (Date.now() > until) throw new Error(`expected one diagnosis matching ${expect} within 180 s, got:\n${text}`);
      await new Promise((r) => setTimeout(r, 5_000));
    }
  });
  await check("release restored after the database case (PostgreSQL and backend Ready)", async () => {
    if (!sts || !backend) throw new Error("nothing to restore");
    const args = (await kubectl("get", "statefulset", sts, "-n", namespace, "-o", "jsonpath={.spec.template.spec.containers[0].args}")).stdout;
    if (args) await kubectl("patch", "statefulset", sts, "-n", namespace, "--type=json", "-p", JSON.stringify([{ op: "remove", path: "/spec/template/spec/containers/0/args" }]));
    // a StatefulSet does not replace a pod that never became ready with the fixed template: delete it
    await kubectl("delete", "pod", `${sts}-0`, "-n", namespace, "--wait=false", "--ignore-not-found");
    const r = await waitForRollout(kc, { namespace, selector, timeoutMs: 240_000, loadCommand: (image) => `ctr -n k8s.io images import ${image}` });
    if (!r.ready) throw new Error(`not rolled out after 240 s: ${r.pending.join("; ")}\n${formatDiagnoses(r.diagnoses)}`);
  });
}

// ---------------------------------------------------------------------------------------------
// Upgrade to a new backend image with requests running through the Service the whole time (zero
// may fail), helm rollback, then uninstall + reinstall with PostgreSQL's data kept on its PVC.
async function serviceUrl(component: string, port: number) {
  const ip = (await kubectl("get", "svc", "-n", namespace, "-l", `app.kubernetes.io/instance=${release},app.kubernetes.io/component=${component}`, "-o", "jsonpath={.items[0].spec.clusterIP}")).stdout;
  if (!ip) throw new Error(`no ${component} Service`);
  return `http://${ip}:${port}`;
}
async function backendImageTag() {
  return (await kubectl("get", "deploy", "-n", namespace, "-l", `app.kubernetes.io/instance=${release},app.kubernetes.io/component=backend`, "-o", "jsonpath={.items[0].spec.template.spec.containers[0].image}")).stdout;
}
async function upgradeRollbackReinstall() {
  for (let round = 1; round <= UPGRADE_ROUNDS; round++) await upgradeAndRollback(UPGRADE_ROUNDS > 1 ? ` (${round}/${UPGRADE_ROUNDS})` : "");
  await reinstallKeepsData();
}
async function upgradeAndRollback(round: string) {
  const original = tags.backend;
  const backend = await serviceUrl("backend", config.apps.backend.port);
  const upgraded = await check(`upgrade to a new backend image, zero failed requests (through the Service)${round}`, async () => {
    // a new image = the backend image plus a label: another content tag, same app
    await run("bash", ["-c", `printf 'FROM %s\nLABEL org.todo.test-cluster.upgrade=%s\n' "$1" "$2" | DOCKER_BUILDKIT=0 "$0" build -q -t todo-backend:upgrade-probe -`, DOCKER, "todo-backend:dev", String(Date.now())]);
    const next = contentTag(await imageId("todo-backend:upgrade-probe"));
    await importImage("todo-backend:upgrade-probe", `todo-backend:${next}`);
    let ok = 0;
    const failures: string[] = [];
    let stop = false;
    const loop = (async () => {
      while (!stop) {
        try {
          const res = await fetch(`${backend}/ready`, { signal: AbortSignal.timeout(5_000) });
          if (res.status === 200) ok++;
          else failures.push(`HTTP ${res.status}`);
          await res.arrayBuffer();
        } catch (err) {
          failures.push((err as Error).message);
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    try {
      tags.backend = next;
      await run(HELM, helmUpgradeInstallArgs({ release, chart, namespace, timeout: "5m0s", kubeconfig: KUBECONFIG, ...helmValues() }));
      await new Promise((r) => setTimeout(r, 3_000)); // the old pod's termination, still under load
    } finally {
      stop = true;
      await loop;
    }
    const image = await backendImageTag();
    if (!image.endsWith(next)) throw new Error(`backend runs ${image}, expected ${next}`);
    if (failures.length) throw new Error(`${failures.length} of ${ok + failures.length} requests failed: ${[...new Set(failures)].slice(0, 3).join("; ")}`);
    return `${ok} requests, 0 failed; backend now ${next}`;
  });
  if (!upgraded) skip(`helm rollback${round}`, "the upgrade failed");
  else
    await check(`helm rollback${round}`, async () => {
      await run(HELM, ["rollback", release, "--namespace", namespace, "--wait", "--timeout", "5m0s", "--kubeconfig", KUBECONFIG]);
      const image = await backendImageTag();
      if (!image.endsWith(original)) throw new Error(`backend runs ${image} after rollback, expected ${original}`);
      tags.backend = original;
      return `backend back on ${original}`;
    });
}
async function reinstallKeepsData() {
  await check("uninstall + reinstall keeps PostgreSQL's data (PVC)", async () => {
    const { kubeConfigFrom, forwardToPod } = await import("../../ci/tools/kube.js");
    const kc = kubeConfigFrom(KUBECONFIG);
    const email = `keep-${Date.now()}@example.test`;
    const password = `keep-${crypto.randomUUID()}`;
    const signIn = async (expectExisting: boolean) => {
      const f = await forwardToPod(kc, { namespace, selector: `app.kubernetes.io/instance=${release},app.kubernetes.io/component=frontend`, port: config.apps.frontend.port });
      try {
        const path = expectExisting ? "sign-in/email" : "sign-up/email";
        // Better Auth refuses a POST without an Origin it trusts (403 MISSING_OR_NULL_ORIGIN): send the release's public URL
        const origin = (await kubectl("get", "configmap", "-n", namespace, "-l", `app.kubernetes.io/instance=${release}`, "-o", "jsonpath={.items[*].data.BETTER_AUTH_URL}")).stdout.trim().split(/\s+/)[0] ?? "";
        const res = await fetch(`${f.url}/api/auth/${path}`, { method: "POST", headers: { "content-type": "application/json", origin }, body: JSON.stringify({ email, password, name: "Keep" }), signal: AbortSignal.timeout(15_000) });
        if (res.status !== 200) throw new Error(`${path} answered ${res.status}: ${(await res.text()).slice(0, 200)}`);
      } finally {
        f.close();
      }
    };
    await signIn(false);
    const pvcs = () => kubectl("get", "pvc", "-n", namespace, "-o", "jsonpath={.items[*].metadata.uid}").then((r) => r.stdout);
    const before = await pvcs();
    await run(HELM, ["uninstall", release, "--namespace", namespace, "--wait", "--timeout", "3m0s", "--kubeconfig", KUBECONFIG]);
    await run(HELM, helmUpgradeInstallArgs({ release, chart, namespace, timeout: "5m0s", kubeconfig: KUBECONFIG, ...helmValues() }));
    if ((await pvcs()) !== before) throw new Error(`the PVC changed across uninstall/reinstall (${before} → ${await pvcs()})`);
    await signIn(true);
    return `user ${email} signed in after the reinstall (same PVC)`;
  });
}

// ---------------------------------------------------------------------------------------------
// Diagnosis cases provoked for real, each in its own Deployment of a scratch namespace; the
// deploy step's rollout wait (ci/tools/kube.ts) must give the expected one-line diagnosis.
const DIAG_NS = "todo-diagnosis";
interface DiagCase {
  name: string;
  expect: RegExp;
  container?: Record<string, unknown>;
  pod?: Record<string, unknown>;
  extra?: Record<string, unknown>[];
  waitMs: number;
}
const nodeCmd = (js: string) => ({ command: ["/nodejs/bin/node", "-e", js] });
const diagCases = (): DiagCase[] => [
  { name: "image not in the node", waitMs: 15_000, expect: /ErrImageNeverPull: image .*todo-backend:sha-000000000000 is not in the cluster/,
    container: { image: "todo-backend:sha-000000000000", imagePullPolicy: "Never" } },
  { name: "crash loop (last log lines)", waitMs: 30_000, expect: /keeps crashing \(exit code 3.*last log lines:\n.*database URL missing/s,
    container: nodeCmd("console.error('fatal: database URL missing'); process.exit(3)") },
  { name: "OOMKilled (with the limit)", waitMs: 30_000, expect: /OOMKilled: killed for using more memory than its limit \(96Mi\)/,
    container: { ...nodeCmd("const a = []; for (;;) a.push(Buffer.alloc(8e6, 1));"), resources: { limits: { memory: "96Mi", cpu: "200m" }, requests: { memory: "64Mi", cpu: "10m" } } } },
  { name: "failing readiness probe (path and port)", waitMs: 30_000, expect: /ProbeFailing: running but not ready: its probe \(HTTP GET \/ready on port http \(8000\)\) fails/,
    container: { ...nodeCmd("require('http').createServer((q, s) => { s.statusCode = 503; s.end('migrations failed'); }).listen(8000)"),
      ports: [{ name: "http", containerPort: 8000 }], readinessProbe: { httpGet: { path: "/ready", port: "http" }, periodSeconds: 2, failureThreshold: 1 } } },
  { name: "Pending on an unbound PVC", waitMs: 15_000, expect: /Pending: waiting for a volume: .*unbound/,
    pod: { volumes: [{ name: "data", persistentVolumeClaim: { claimName: "diag-no-class" } }] },
    container: { volumeMounts: [{ name: "data", mountPath: "/data" }] },
    extra: [{ apiVersion: "v1", kind: "PersistentVolumeClaim", metadata: { name: "diag-no-class" },
      spec: { storageClassName: "no-such-class", accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } } }] },
  { name: "Pending on too much CPU", waitMs: 15_000, expect: /Pending: no node has enough cpu: .*Insufficient cpu/,
    container: { resources: { requests: { cpu: "64", memory: "64Mi" }, limits: { cpu: "64", memory: "64Mi" } } } },
];

async function runDiagnosisCases() {
  const { kubeConfigFrom, waitForRollout } = await import("../../ci/tools/kube.js");
  const { formatDiagnoses } = await import("../../ci/policies/diagnosis.js");
  const kc = kubeConfigFrom(KUBECONFIG);
  await kubectl("delete", "namespace", DIAG_NS, "--ignore-not-found", "--wait=true");
  await kubectl("create", "namespace", DIAG_NS);
  const cases = diagCases();
  const objects: Record<string, unknown>[] = [];
  cases.forEach((c, i) => {
    const name = `diag-${i}`;
    const labels = { "app.kubernetes.io/instance": name };
    objects.push(...(c.extra ?? []), {
      apiVersion: "apps/v1", kind: "Deployment", metadata: { name, labels },
      spec: { replicas: 1, selector: { matchLabels: labels }, template: { metadata: { labels },
        spec: { automountServiceAccountToken: false, terminationGracePeriodSeconds: 1,
          securityContext: { runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001, seccompProfile: { type: "RuntimeDefault" } },
          ...c.pod,
          containers: [{ name: "app", image: `todo-backend:${tags.backend}`, imagePullPolicy: "Never",
            ...nodeCmd("setInterval(() => {}, 1 << 30)"),
            resources: { requests: { cpu: "10m", memory: "32Mi" }, limits: { cpu: "200m", memory: "128Mi" } },
            securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
            ...c.container }] } } },
    });
  });
  const manifest = JSON.stringify({ apiVersion: "v1", kind: "List", items: objects });
  await run("bash", ["-c", `printf '%s' "$0" | "$1" --kubeconfig "$2" -n "$3" apply -f -`, manifest, KUBECTL, KUBECONFIG, DIAG_NS]);
  const started = performance.now();
  for (const [i, c] of cases.entries()) {
    await check(`diagnosis: ${c.name}`, async () => {
      // the provoked state needs time to appear (restarts, OOM, probe failures); all cases run at once
      const wait = Math.max(0, c.waitMs - (performance.now() - started));
      await new Promise((r) => setTimeout(r, wait));
      const r = await waitForRollout(kc, { namespace: DIAG_NS, selector: `app.kubernetes.io/instance=diag-${i}`, timeoutMs: 0, loadCommand: (image) => `ctr -n k8s.io images import ${image}` });
      const text = formatDiagnoses(r.diagnoses);
      if (r.ready || !c.expect.test(text)) throw new Error(`expected ${c.expect}, got:\n${r.ready ? "rolled out" : text}`);
      return text.split("\n")[0];
    });
  }
  await kubectl("delete", "namespace", DIAG_NS, "--wait=false");
}
if (imported && !process.argv.includes("--no-diagnosis")) await runDiagnosisCases();

/** Seconds from scheduling (PodScheduled) to Ready for each app pod: printed, not a check. */
async function readyTimes() {
  const targets: Record<string, number> = { backend: 10, frontend: 15, postgresql: 0 };
  const pods = JSON.parse((await kubectl("get", "pods", "-n", namespace, "-l", `app.kubernetes.io/instance=${release}`, "-o", "json")).stdout) as {
    items: { metadata: { labels: Record<string, string> }; status: { conditions?: { type: string; status: string; lastTransitionTime: string }[] } }[];
  };
  for (const p of pods.items) {
    const component = p.metadata.labels["app.kubernetes.io/component"] ?? "?";
    const at = (t: string) => p.status.conditions?.find((c) => c.type === t && c.status === "True")?.lastTransitionTime;
    const scheduled = at("PodScheduled");
    const ready = at("Ready");
    if (!scheduled || !ready) continue;
    const s = (Date.parse(ready) - Date.parse(scheduled)) / 1000;
    notes.push(`${component} Ready ${s.toFixed(0)} s after scheduling${targets[component] ? ` (target ≤ ${targets[component]} s)` : ""}`);
  }
}

// ---------------------------------------------------------------------------------------------
const w = Math.max(5, ...results.map((r) => r.name.length));
console.log(`\n${"check".padEnd(w)} | pass/fail | seconds`);
console.log(`${"-".repeat(w)}-|-----------|--------`);
for (const r of results) console.log(`${r.name.padEnd(w)} | ${(r.ok ? "pass" : r.skipped ? "skipped" : "fail").padEnd(9)} | ${r.seconds.toFixed(1).padStart(7)}`);
if (notes.length) console.log(`\n${notes.join("\n")}`);
for (const r of results.filter((x) => !x.ok)) console.log(`\n✗ ${r.name}: ${r.detail ?? ""}`);
process.exit(results.every((r) => r.ok) ? 0 : 1);
