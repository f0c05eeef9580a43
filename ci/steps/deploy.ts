// deploy: the chart into a cluster. Default: an ephemeral k3s running as a
// service inside the engine, the images imported into its containerd at
// start. With a kubeconfig Secret: that cluster (e.g. Minikube, whose images
// the host CLI loads first, because only the host can reach its image store).
import { type Container, type Directory, type File, type Secret, type Service, dag } from "@dagger.io/dagger";
import type { AppName, ProjectConfig } from "../config/project-config.js";
import { imageRef, normalizedImageName } from "../images/registry.js";
import { helmTestArgs, helmUpgradeInstallArgs, projectConfigValues, withMirroredPostgres } from "../tools/helm.js";
import { toolbox } from "./toolbox.js";

export interface DeployImage {
  app: AppName;
  tag: string;
  tarball: File;
  /** Pushed to a registry the cluster pulls from: its repository there and the pushed digest. */
  pushed?: { repository: string; digest: string };
}

const IMAGE_DIR = "/images";
export const K3S_SERVER_FLAGS = ["--disable", "traefik", "--disable", "metrics-server", "--egress-selector-mode=disabled", "--tls-san", "k3s", "--write-kubeconfig-mode", "644"];

/**
 * sha256 of a file's bytes, as `sha256sum` gives it on the host after export:
 * the content tag the host CLI loads an image under and the release asks for
 * (File.digest() is an engine-internal digest, not the bytes' sha256).
 */
export async function sha256Of(config: ProjectConfig, file: File): Promise<string> {
  const out = await dag.container().from(imageRef(config, "bases.build")).withFile("/in/file", file).withExec(["sha256sum", "/in/file"]).stdout();
  return `sha256:${out.split(" ")[0]}`;
}

/** k3s server with our images imported under their names before anything schedules. */
export function k3sCluster(config: ProjectConfig, images: DeployImage[], runId: string): { service: Service; kubeconfig: File } {
  const kubeconfigCache = dag.cacheVolume(`k3s-kubeconfig-${runId}`);
  let server = dag
    .container()
    .from(imageRef(config, "pipelineImages.k3s"))
    .withMountedCache("/etc/rancher/k3s", kubeconfigCache)
    // Kubelet and CNI state must be fresh, writable and not on the overlay root.
    .withMountedTemp("/var/lib/kubelet")
    .withMountedTemp("/var/lib/cni")
    .withMountedTemp("/var/log")
    // containerd's overlayfs snapshotter cannot mount on the container's own overlay root
    // (a k3s built here failed "overlayfs snapshotter cannot be enabled" without this).
    .withMountedTemp("/var/lib/rancher/k3s/agent/containerd");
  const imports: string[] = [];
  for (const img of images) {
    const name = normalizedImageName(`${config.apps[img.app].image}:${img.tag}`);
    server = server.withFile(`${IMAGE_DIR}/${img.app}.tar`, img.tarball);
    imports.push(`k3s ctr -n k8s.io images import --index-name ${name} ${IMAGE_DIR}/${img.app}.tar`);
  }
  const start = [
    // k3s sets up cgroup v2 nesting only when it runs as PID 1, which it is not
    // under the engine's shim: move every process out of the root group, then
    // delegate the controllers, before k3s starts.
    "if [ -f /sys/fs/cgroup/cgroup.controllers ]; then",
    "  mkdir -p /sys/fs/cgroup/init",
    "  xargs -rn1 < /sys/fs/cgroup/cgroup.procs > /sys/fs/cgroup/init/cgroup.procs || true",
    "  sed -e 's/ / +/g' -e 's/^/+/' < /sys/fs/cgroup/cgroup.controllers > /sys/fs/cgroup/cgroup.subtree_control",
    "fi",
    // Bind to the service's own address (the engine's network), and no konnectivity egress selector inside one container.
    `k3s server ${K3S_SERVER_FLAGS.join(" ")} --bind-address "$(hostname -i | cut -d' ' -f1)" &`,
    "until k3s ctr version >/dev/null 2>&1; do sleep 1; done",
    ...imports,
    "wait",
  ].join("\n");
  const service = server.withExposedPort(6443).asService({ args: ["sh", "-c", start], insecureRootCapabilities: true });
  const kubeconfig = dag
    .container()
    .from(imageRef(config, "pipelineImages.k3s"))
    .withMountedCache("/cache", kubeconfigCache)
    .withServiceBinding("k3s", service)
    .withEnvVariable("RUN_ID", runId)
    .withExec(["sh", "-c", "until [ -s /cache/k3s.yaml ]; do sleep 1; done; sed -E 's#https://[^/]+:6443#https://k3s:6443#' /cache/k3s.yaml > /kubeconfig"])
    .file("/kubeconfig");
  return { service, kubeconfig };
}

export interface InstallOptions {
  source: Directory;
  config: ProjectConfig;
  images: DeployImage[];
  kubeconfig: { file: File } | { secret: Secret };
  context?: string;
  valuesFiles: string[];
  service?: Service;
  /** The host's loopback API server, tunnelled in by the engine (Minikube, a local cluster). */
  kubeApi?: Service;
  /** How the diagnosis tells you to load a missing image. */
  imageLoadHint: string;
}

/** helm upgrade --install --wait, helm test, then rollout check, diagnosis and smoke test. */
export function installAndVerify(o: InstallOptions): Container {
  const { config } = o;
  const images = Object.fromEntries(o.images.map((i) => [i.app, { tag: i.tag, ...i.pushed }]));
  const cluster = { kubeconfig: "/root/.kube/config", namespace: config.chart.namespace, ...(o.context ? { kubeContext: o.context } : {}) };
  let c = toolbox(o.source, config);
  // A user's kubeconfig is a Secret: mounted, never written into a layer.
  c = "secret" in o.kubeconfig ? c.withMountedSecret("/root/.kube/config", o.kubeconfig.secret) : c.withFile("/root/.kube/config", o.kubeconfig.file);
  if (o.service) c = c.withServiceBinding("k3s", o.service);
  if (o.kubeApi) c = c.withServiceBinding("kube-api", o.kubeApi).withEnvVariable("API_TUNNEL_HOST", "kube-api").withEnvVariable("READY_FILE", "/tmp/api-tunnel-ready");
  // With a tunnel, each command runs while ci/tools/api-tunnel.ts listens on the kubeconfig's own loopback address.
  const run = (container: Container, args: string[]) =>
    o.kubeApi
      ? container.withExec(["sh", "-c", 'rm -f "$READY_FILE"; ci/node_modules/.bin/tsx ci/tools/api-tunnel.ts & until [ -f "$READY_FILE" ]; do sleep 0.2; done; "$@"', "sh", ...args])
      : container.withExec(args);
  c = c
    .withEnvVariable("KUBECONFIG", "/root/.kube/config")
    .withEnvVariable("KUBE_CONTEXT", o.context ?? "")
    .withEnvVariable("IMAGE_LOAD_HINT", o.imageLoadHint)
    .withEnvVariable("DEPLOY_RUN", String(Date.now()));
  // install.ts runs helm and ends its wait early, with the diagnosis, when a pod cannot come up.
  c = run(c, [
    "ci/node_modules/.bin/tsx",
    "ci/cli/install.ts",
    "helm",
    ...helmUpgradeInstallArgs({
      release: config.chart.release,
      chart: config.chart.path,
      ...cluster,
      createNamespace: true,
      wait: true,
      timeout: "10m",
      valuesFiles: o.valuesFiles,
      ...withMirroredPostgres(config, projectConfigValues(config, images)),
    }),
  ]);
  c = run(c, ["helm", ...helmTestArgs({ release: config.chart.release, ...cluster, logs: true })]);
  return run(c, ["ci/node_modules/.bin/tsx", "ci/cli/verify-deploy.ts"]);
}
