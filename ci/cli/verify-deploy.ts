// Runs after `helm upgrade --install` (inside the deploy step's container, or
// on the host): waits for the rollout, diagnoses pods that do not come up, and
// smoke-tests the app over HTTP. Exit code 1 with the reasons when any fails.
import { CoreV1Api } from "@kubernetes/client-node";
import { diagnosisLine, formatDiagnoses } from "../policies/diagnosis.js";
import { forwardToPod, waitForRollout } from "../tools/kube.js";
import { signUpAndGetToken, smokeBackend } from "../tools/smoke.js";
import { deployEnv } from "./deploy-env.js";

const { config, namespace, release, kc, selector, loadCommand, rolloutTimeoutMs } = deployEnv();

console.log(`waiting for the rollout of ${release} in ${namespace}…`);
const rollout = await waitForRollout(kc, { namespace, selector, timeoutMs: rolloutTimeoutMs, loadCommand, failFast: true });
if (!rollout.ready) {
  console.error(`rollout did not finish:\n  ${rollout.pending.join("\n  ")}\n${formatDiagnoses(rollout.diagnoses)}`);
  for (const d of rollout.diagnoses) console.error(diagnosisLine(d));
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
  let signedUp: { userId: string; token: string } | undefined;
  try {
    signedUp = await signUpAndGetToken(frontend!.url, email, `smoke-${crypto.randomUUID()}`, origin);
    console.log(`  ✓ signed up ${email} and received a JWT`);
  } catch (err) {
    console.error(`diagnosis: smoke test: sign-up through the frontend failed: ${(err as Error).message} (fix: read the frontend's log: kubectl -n ${namespace} logs -l ${selector},app.kubernetes.io/component=frontend)`);
    process.exitCode = 1;
  }
  if (signedUp) {
    const steps = await smokeBackend(backend!.url, signedUp.userId, signedUp.token);
    for (const s of steps) console.log(`  ${s.ok ? "✓" : "✗"} ${s.name}: ${s.detail}`);
    for (const s of steps.filter((x) => !x.ok)) console.error(`diagnosis: smoke test: ${s.name}: ${s.detail} (fix: read the backend's log: kubectl -n ${namespace} logs -l ${selector},app.kubernetes.io/component=backend)`);
    if (steps.some((s) => !s.ok)) process.exitCode = 1;
  }
} finally {
  forwards.forEach((f) => f.close());
}
