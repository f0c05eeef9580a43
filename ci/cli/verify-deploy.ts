// Runs after `helm upgrade --install` (inside the deploy step's container, or
// on the host): waits for the rollout, diagnoses pods that do not come up, and
// smoke-tests the app over HTTP. Exit code 1 with the reasons when any fails.
import { CoreV1Api } from "@kubernetes/client-node";
import { loadProjectConfig, REPO_ROOT } from "../config/load.js";
import { formatDiagnoses } from "../policies/diagnosis.js";
import { forwardToPod, kubeConfigFrom, waitForRollout } from "../tools/kube.js";
import { signUpAndGetToken, smokeBackend } from "../tools/smoke.js";

const env = (name: string, fallback?: string) => {
  const v = process.env[name] ?? fallback;
  if (v === undefined) throw new Error(`${name} is not set; the deploy step passes it`);
  return v;
};

const config = loadProjectConfig(process.env.REPO_ROOT ?? REPO_ROOT);
const namespace = env("NAMESPACE", config.chart.namespace);
const release = env("RELEASE", config.chart.release);
const loadHint = env("IMAGE_LOAD_HINT", "minikube image load {image}");
const kc = kubeConfigFrom(env("KUBECONFIG"), process.env.KUBE_CONTEXT || undefined);
const selector = `app.kubernetes.io/instance=${release}`;

console.log(`waiting for the rollout of ${release} in ${namespace}…`);
const rollout = await waitForRollout(kc, { namespace, selector, timeoutMs: Number(env("ROLLOUT_TIMEOUT_MS", "300000")), loadCommand: (image) => loadHint.replace("{image}", image) });
if (!rollout.ready) {
  console.error(`rollout did not finish:\n  ${rollout.pending.join("\n  ")}\n${formatDiagnoses(rollout.diagnoses)}`);
  process.exit(1);
}
console.log("rollout finished; smoke test:");

const forwards = await Promise.all(
  (["frontend", "backend"] as const).map((app) =>
    forwardToPod(kc, { namespace, selector: `${selector},app.kubernetes.io/component=${app}`, port: config.apps[app].port }),
  ),
);
try {
  const [frontend, backend] = forwards;
  const email = `smoke-${Date.now()}@example.test`;
  // The release's public URL, as its frontend ConfigMap gives it to Better Auth: the Origin a browser would send.
  const configMaps = await kc.makeApiClient(CoreV1Api).listNamespacedConfigMap({ namespace, labelSelector: selector });
  const origin = configMaps.items.map((c) => c.data?.BETTER_AUTH_URL).find(Boolean);
  const { userId, token } = await signUpAndGetToken(frontend!.url, email, `smoke-${crypto.randomUUID()}`, origin);
  console.log(`  ✓ signed up ${email} and received a JWT`);
  const steps = await smokeBackend(backend!.url, userId, token);
  for (const s of steps) console.log(`  ${s.ok ? "✓" : "✗"} ${s.name}: ${s.detail}`);
  if (steps.some((s) => !s.ok)) process.exitCode = 1;
} finally {
  forwards.forEach((f) => f.close());
}
