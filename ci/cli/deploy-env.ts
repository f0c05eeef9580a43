// What the deploy scripts that run after the images are in place (install.ts,
// verify-deploy.ts) read from their environment: the deploy step in the engine
// and the cluster tests on the host both set it.
import { loadProjectConfig, REPO_ROOT } from "../config/load.js";
import { kubeConfigFrom } from "../tools/kube.js";

const env = (name: string, fallback?: string) => {
  const v = process.env[name] ?? fallback;
  if (v === undefined) throw new Error(`${name} is not set; the deploy step passes it`);
  return v;
};

export function deployEnv() {
  const config = loadProjectConfig(process.env.REPO_ROOT ?? REPO_ROOT);
  const namespace = env("NAMESPACE", config.chart.namespace);
  const release = env("RELEASE", config.chart.release);
  const loadHint = env("IMAGE_LOAD_HINT", "minikube image load {image}");
  return {
    config,
    namespace,
    release,
    kubeconfig: env("KUBECONFIG"),
    kc: kubeConfigFrom(env("KUBECONFIG"), process.env.KUBE_CONTEXT || undefined),
    selector: `app.kubernetes.io/instance=${release}`,
    loadCommand: (image: string) => loadHint.replace("{image}", image),
    rolloutTimeoutMs: Number(env("ROLLOUT_TIMEOUT_MS", "300000")),
  };
}
