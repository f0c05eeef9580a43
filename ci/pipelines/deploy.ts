// deploy: ci, then install. Images are tagged by content so a cluster never
// keeps a stale image under a reused tag.
import type { Directory, Secret, Service } from "@dagger.io/dagger";
import { type ProjectConfig, appNames } from "../config/project-config.js";
import type { ImageProvenance } from "../images/build-args.js";
import { deployFailureSummary } from "../policies/diagnosis.js";
import { type StepResult, overallVerdict, runStep } from "../policies/run-record.js";
import { type DeployImage, installAndVerify, k3sCluster, sha256Of } from "../steps/deploy.js";
import { digestOf } from "../images/registry.js";
import { contentTag } from "../tools/kubectl.js";
import { runCi } from "./ci.js";

export interface DeployTarget {
  name: string;
  kubeconfig?: Secret;
  context?: string;
  /** The API server on the host's loopback, tunnelled in (`--kube-api tcp://127.0.0.1:PORT`). */
  kubeApi?: Service;
  /** Push the images here and deploy them by digest (pushRegistry decides); null: the host loads them. */
  pushTo: string | null;
}

/** A failed install or verification names the diagnosis in the step table, not only an exit code. */
async function withDiagnosis(fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    throw new Error(deployFailureSummary(`${e.stdout ?? ""}\n${e.stderr ?? ""}`, e.message));
  }
}

export async function runDeploy(source: Directory, config: ProjectConfig, provenance: ImageProvenance, target: DeployTarget, args: Record<string, string>) {
  const ci = await runCi(source, config, provenance, args, "deploy");
  if (ci.record.verdict === "failed") return ci;

  const images: DeployImage[] = [];
  for (const app of appNames(config)) {
    const tarball = ci.images[app]!.asTarball();
    const tag = contentTag(await sha256Of(config, tarball));
    if (!target.pushTo) {
      images.push({ app, tag, tarball });
      continue;
    }
    // The cluster pulls what was pushed, by the digest the registry answered.
    const repository = `${target.pushTo}/${config.apps[app].image}`;
    const published = await ci.images[app]!.publish(`${repository}:${tag}`);
    images.push({ app, tag, tarball, pushed: { repository, digest: digestOf(published) } });
  }
  const targetConfig = config.deploy.targets[target.name];
  if (!targetConfig) throw new Error(`deploy target "${target.name}" is not in todo.config.yaml deploy.targets (${Object.keys(config.deploy.targets).join(", ")})`);
  const step: StepResult = await runStep(`deploy-${target.name}`, () => withDiagnosis(async () => {
    if (target.kubeconfig) {
      await installAndVerify({
        source,
        config,
        images,
        kubeconfig: { secret: target.kubeconfig },
        ...(target.kubeApi ? { kubeApi: target.kubeApi } : {}),
        ...(target.context ?? targetConfig.context ? { context: (target.context ?? targetConfig.context)! } : {}),
        valuesFiles: targetConfig.valuesFiles,
        imageLoadHint: target.pushTo
          ? `push {image} to ${target.pushTo} and let the node pull it (is the node allowed to pull from ${target.pushTo}?)`
          : targetConfig.containerd
          ? `ctr --address ${targetConfig.containerd} -n k8s.io images import {image} (npm run pipeline:deploy -- --kubeconfig FILE imports both images first)`
          : "npm run pipeline:deploy -- --target minikube (loads {image} with minikube image load)",
      }).sync();
    } else {
      const cluster = k3sCluster(config, images, `${Date.now()}`);
      await installAndVerify({ source, config, images, kubeconfig: { file: cluster.kubeconfig }, service: cluster.service, valuesFiles: targetConfig.valuesFiles, imageLoadHint: "k3s ctr images import {image} (the deploy step imports both images at cluster start)" }).sync();
    }
  }));
  const steps = [...ci.record.steps, step];
  const record = { ...ci.record, steps, verdict: overallVerdict(steps) };
  return { ...ci, record, artifacts: ci.artifacts.withNewFile("run-record.json", `${JSON.stringify(record, null, 2)}\n`) };
}
