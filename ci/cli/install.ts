// `helm upgrade --install --wait` that does not wait in vain: while helm
// waits, the release's pods are watched, and a pod that cannot come up (an
// image the node lacks, a crash loop, a pod no node can take, a probe that
// keeps failing) ends the install within seconds. helm is stopped with
// SIGTERM, which marks the release failed (never stuck pending), and the
// diagnosis is printed, one `diagnosis:` line per pod, the same as
// verify-deploy gives. An API server that stops answering ends it too; helm
// then cannot mark the release failed, so the next install clears the
// pending release it left (ci/policies/release-lock.ts).
//   tsx ci/cli/install.ts helm upgrade --install … --wait   (env: see deploy-env.ts)
import { execa } from "execa";
import { type PodDiagnosis, diagnosisLine, formatDiagnoses } from "../policies/diagnosis.js";
import { FailFast } from "../policies/fail-fast.js";
import { pendingAction } from "../policies/release-lock.js";
import { apiServerSilence, diagnoseRelease, podDiagnoses, within } from "../tools/kube.js";
import { deployEnv } from "./deploy-env.js";

const POLL_MS = 2_000;
const POLL_TIMEOUT_MS = 5_000;
/** Pods from before the install count only after this, and then only those no newer pod replaces: what the install waits for. */
const OLD_PODS_GRACE_MS = 45_000;
/**
 * Between this machine's clock and the API server's (creation times are the server's, in whole
 * seconds). Small on purpose: a rerun starts seconds after the failed install it fixes, and that
 * install's pods must not pass for this one's.
 */
const CLOCK_SKEW_MS = 1_000;
/** The full diagnosis reads logs and Services too; an API server that went away must not hang it. */
const DIAGNOSE_TIMEOUT_MS = 60_000;
/** How long the API server may fail to answer before the install gives up on it. */
const API_GRACE_MS = 15_000;

const [cmd, ...args] = process.argv.slice(2);
if (!cmd) {
  console.error("usage: tsx ci/cli/install.ts helm upgrade --install … --wait");
  process.exit(2);
}
const { kc, namespace, release, selector, loadCommand } = deployEnv();
const started = Date.now();
const seconds = () => `${Math.round((Date.now() - started) / 1000)} s`;

/** The API server went away: one line with the fix, exit 1. */
function apiGone(why: string): never {
  const server = kc.getCurrentCluster()?.server ?? "the cluster";
  console.error(`\ninstall stopped after ${seconds()}:\ndiagnosis: the API server ${server} stopped answering during the install (${why}) (fix: start the cluster again, or check the kubeconfig's server; then rerun the deploy)`);
  process.exit(1);
}

// A release an interrupted deploy left pending would refuse this install: clear a stale one, name a fresh one.
const clusterFlags = args.flatMap((a, i) => (["--kube-context", "--kubeconfig"].includes(a) && args[i + 1] ? [a, args[i + 1]!] : []));
const last = await execa(cmd, ["history", release, "--namespace", namespace, "--max", "1", "-o", "json", ...clusterFlags], { reject: false, timeout: API_GRACE_MS });
if (last.timedOut) apiGone(`helm history ${release} got no answer within ${API_GRACE_MS / 1000} s`);
const revision = last.exitCode === 0 ? (JSON.parse(String(last.stdout)) as { status: string; updated: string }[]).at(-1) : undefined;
if (revision) {
  const action = pendingAction(release, revision.status, new Date(revision.updated), new Date());
  if (action.kind === "refuse") {
    console.error(`diagnosis: ${action.message}`);
    process.exit(1);
  }
  if (action.kind !== "none") {
    console.log(action.message);
    const undo = action.kind === "uninstall" ? ["uninstall", release, "--wait"] : ["rollback", release, "--wait"];
    await execa(cmd, [...undo, "--namespace", namespace, ...clusterFlags], { stdio: "inherit", timeout: 5 * 60_000 });
  }
}

// helm's own error (an invalid object, a port taken) is the diagnosis when no pod is to blame.
let helmError = "";
const helm = execa(cmd, args, { stdin: "inherit", stdout: "inherit", stderr: "pipe", reject: false });
helm.stderr?.on("data", (chunk: Buffer) => {
  process.stderr.write(chunk);
  helmError = String(chunk).split("\n").map((l) => l.trim()).filter((l) => l.startsWith("Error:")).at(-1) ?? helmError;
});
let helmDone = false;
void helm.then(() => (helmDone = true));

type Stop = { kind: "pods"; diagnoses: PodDiagnosis[] } | { kind: "api"; error: string };

async function watch(): Promise<Stop | undefined> {
  const failFast = new FailFast();
  let apiDownSince: number | undefined;
  while (!helmDone) {
    try {
      // At first only the pods this install creates: the ones there before are being replaced.
      const includeOld = Date.now() - started >= OLD_PODS_GRACE_MS;
      const pods = await within(podDiagnoses(kc, { namespace, selector, loadCommand, since: new Date(started - CLOCK_SKEW_MS), includeOld }), POLL_TIMEOUT_MS, "the release's pods");
      const fatal = failFast.observe(pods, Date.now());
      apiDownSince = undefined;
      if (fatal.length) return { kind: "pods", diagnoses: fatal };
    } catch (err) {
      apiDownSince ??= Date.now();
      if (Date.now() - apiDownSince >= API_GRACE_MS) return { kind: "api", error: (err as Error).message.split("\n")[0]! };
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  return undefined;
}

const stop = await watch();
if (stop) helm.kill("SIGTERM");
const result = await helm;
if (!stop && result.exitCode === 0) process.exit(0);

if (stop?.kind === "api") apiGone(stop.error);
// helm gave up on its own: an API server that does not answer is the cause to name, not its symptom.
const silence = stop ? "" : await apiServerSilence(kc);
if (silence) apiGone(silence);
// The full diagnosis (last log lines, the dependency that is down), not only what the watch saw.
let diagnoses: PodDiagnosis[] = [];
try {
  diagnoses = await within(diagnoseRelease(kc, { namespace, selector, loadCommand }), DIAGNOSE_TIMEOUT_MS, "the release's pods");
} catch (err) {
  console.error(`could not read the release's pods: ${(err as Error).message.split("\n")[0]}`);
}
if (stop?.kind === "pods") {
  // What stopped the install first, then the rest of the release's trouble.
  const fatal = new Set(stop.diagnoses.map((d) => d.pod));
  diagnoses = diagnoses.length === 0 ? stop.diagnoses : [...diagnoses.filter((d) => fatal.has(d.pod)), ...diagnoses.filter((d) => !fatal.has(d.pod))];
}
console.error(`\ninstall ${stop ? "stopped" : `failed (helm exit ${result.exitCode})`} after ${seconds()}:\n${formatDiagnoses(diagnoses)}`);
for (const d of diagnoses) console.error(diagnosisLine(d));
if (diagnoses.length === 0 && helmError) console.error(`diagnosis: helm ${helmError.replace(/^Error:\s*/, "")} (fix: correct the chart's values or free what it names, then deploy again)`);
process.exit(1);
