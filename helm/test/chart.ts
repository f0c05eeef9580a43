// Shared helpers of the chart tests: render the chart with the real helm
// through the same argv builders the pipeline uses, and run the chart gates.
import { join } from "node:path";
import { loadProjectConfig, REPO_ROOT } from "../../ci/config/load.js";
import {
  checkRenderedChart,
  loadSchemaValidator,
  parseManifests,
  validateAgainstSchemas,
  type Finding,
  type Manifest,
} from "../../ci/policies/chart/index.js";
import { helmLintArgs, helmTemplateArgs, runHelm, type ValuesInput } from "../../ci/tools/helm.js";

export const config = loadProjectConfig();
export const CHART_DIR = join(REPO_ROOT, config.chart.path);
export const KUBE_VERSION = config.versions.kubernetes!;
export const VALUES_FILES = {
  minikube: join(CHART_DIR, "values-minikube.yaml"),
  externalDb: join(CHART_DIR, "values-external-db.yaml"),
} as const;

export interface RenderOptions extends ValuesInput {
  release?: string;
  namespace?: string;
  apiVersions?: string[];
}

export async function renderText(o: RenderOptions = {}): Promise<string> {
  const argv = helmTemplateArgs({
    release: o.release ?? config.chart.release,
    namespace: o.namespace ?? config.chart.namespace,
    chart: CHART_DIR,
    kubeVersion: KUBE_VERSION,
    ...(o.apiVersions ? { apiVersions: o.apiVersions } : {}),
    ...(o.valuesFiles ? { valuesFiles: o.valuesFiles } : {}),
    ...(o.set ? { set: o.set } : {}),
    ...(o.setString ? { setString: o.setString } : {}),
  });
  return (await runHelm(argv)).stdout;
}

export async function render(o: RenderOptions = {}): Promise<Manifest[]> {
  return parseManifests(await renderText(o));
}

export async function lint(o: ValuesInput = {}): Promise<string> {
  const { stdout, stderr } = await runHelm(helmLintArgs({ chart: CHART_DIR, kubeVersion: KUBE_VERSION, ...o }));
  return stdout + stderr;
}

/** Schema validation against Kubernetes versions.kubernetes plus every chart policy. */
export function gate(manifests: readonly Manifest[]): Finding[] {
  return [...validateAgainstSchemas(manifests, loadSchemaValidator(KUBE_VERSION)), ...checkRenderedChart(manifests, config)];
}

export function find(manifests: readonly Manifest[], kind: string, nameSuffix?: string): Manifest[] {
  return manifests.filter((m) => m.kind === kind && (nameSuffix === undefined || (m.metadata?.name ?? "").endsWith(nameSuffix)));
}

export function one(manifests: readonly Manifest[], kind: string, nameSuffix?: string): Manifest {
  const hits = find(manifests, kind, nameSuffix);
  if (hits.length !== 1) throw new Error(`expected one ${kind}${nameSuffix ? ` named *${nameSuffix}` : ""}, found ${hits.length}`);
  return hits[0]!;
}

/** Reads a nested field with a dotted path ("spec.template.spec.containers.0.image"). */
export function at(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const p of path.split(".")) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<string, unknown>)[p];
  }
  return cur;
}
