// Helm command lines as argv arrays, built in one place so the host CLI, the
// tests (real host helm) and the Dagger steps (helm inside a container) run the
// very same commands. Builders are pure; `runHelm` is the only I/O here.
import { execa } from "execa";
import { type AppName, type ProjectConfig, appNames } from "../config/project-config.js";
import { mirrorName } from "../images/registry.js";

export type SetValue = string | number | boolean;

export interface ValuesInput {
  /** `-f` files, in order (later files win). */
  valuesFiles?: readonly string[];
  /** `--set key=value` pairs (numbers and booleans keep their type). */
  set?: Readonly<Record<string, SetValue>>;
  /** `--set-string key=value` pairs (always strings, e.g. image tags that look like numbers). */
  setString?: Readonly<Record<string, string>>;
}

export interface ClusterInput {
  kubeContext?: string;
  kubeconfig?: string;
}

export class HelmArgsError extends Error {}

/** Escapes a --set value: helm splits on unescaped commas and reads `\` as an escape. */
export function escapeSetValue(value: SetValue): string {
  return String(value).replace(/\\/g, "\\\\").replace(/,/g, "\\,");
}

function setKey(key: string): string {
  if (!/^[A-Za-z0-9_.[\]-]+$/.test(key)) {
    throw new HelmArgsError(`--set key "${key}" has characters helm would misread; use a values file instead`);
  }
  return key;
}

export function valuesArgs(input: ValuesInput): string[] {
  const args: string[] = [];
  for (const file of input.valuesFiles ?? []) args.push("-f", file);
  for (const [k, v] of Object.entries(input.set ?? {})) args.push("--set", `${setKey(k)}=${escapeSetValue(v)}`);
  for (const [k, v] of Object.entries(input.setString ?? {})) args.push("--set-string", `${setKey(k)}=${escapeSetValue(v)}`);
  return args;
}

function clusterArgs(input: ClusterInput): string[] {
  const args: string[] = [];
  if (input.kubeContext) args.push("--kube-context", input.kubeContext);
  if (input.kubeconfig) args.push("--kubeconfig", input.kubeconfig);
  return args;
}

function requireName(what: string, value: string): string {
  // Release and namespace names are DNS labels; catching a bad one here beats helm's later, vaguer error.
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(value) || value.length > 53) {
    throw new HelmArgsError(`${what} "${value}" must be a lower-case DNS label of at most 53 characters (a-z, 0-9, -)`);
  }
  return value;
}

export interface LintOptions extends ValuesInput {
  chart: string;
  /** Fail on warnings too (default true: the pipeline's lint is strict). */
  strict?: boolean;
  kubeVersion?: string;
}

/** `helm lint --strict <chart> [-f …] [--set …]` */
export function helmLintArgs(o: LintOptions): string[] {
  const args = ["lint", o.chart];
  if (o.strict ?? true) args.push("--strict");
  if (o.kubeVersion) args.push("--kube-version", o.kubeVersion);
  return [...args, ...valuesArgs(o)];
}

export interface TemplateOptions extends ValuesInput {
  release: string;
  chart: string;
  namespace: string;
  kubeVersion?: string;
  /** Extra API versions reported as available (e.g. monitoring.coreos.com/v1 for the ServiceMonitor). */
  apiVersions?: readonly string[];
  /** Render hooks such as the `helm test` pod too (default true). */
  includeHooks?: boolean;
  showOnly?: readonly string[];
}

/** `helm template <release> <chart> --namespace … [--kube-version …]` */
export function helmTemplateArgs(o: TemplateOptions): string[] {
  const args = ["template", requireName("release", o.release), o.chart, "--namespace", requireName("namespace", o.namespace)];
  if (o.kubeVersion) args.push("--kube-version", o.kubeVersion);
  for (const v of o.apiVersions ?? []) args.push("--api-versions", v);
  if (o.includeHooks === false) args.push("--no-hooks");
  for (const s of o.showOnly ?? []) args.push("--show-only", s);
  return [...args, ...valuesArgs(o)];
}

export interface UpgradeOptions extends ValuesInput, ClusterInput {
  release: string;
  chart: string;
  namespace: string;
  /** Create the namespace when missing (default true). */
  createNamespace?: boolean;
  /** Wait until every Deployment/StatefulSet is ready (default true). */
  wait?: boolean;
  /** Helm duration, e.g. "5m0s" (default "5m0s"). */
  timeout?: string;
  /** Roll back automatically on failure. */
  atomic?: boolean;
  /**
   * Render against the cluster without changing it: "server" runs the chart's
   * `lookup`s (generated Secrets are reused) and prints manifests and NOTES.
   */
  dryRun?: "client" | "server";
  /** Skip helm's OpenAPI download (the manifests are validated offline by ci/policies/chart instead). */
  disableOpenApiValidation?: boolean;
}

/** `helm upgrade --install <release> <chart> --namespace … --wait --timeout …` */
export function helmUpgradeInstallArgs(o: UpgradeOptions): string[] {
  const args = ["upgrade", "--install", requireName("release", o.release), o.chart, "--namespace", requireName("namespace", o.namespace)];
  if (o.createNamespace ?? true) args.push("--create-namespace");
  if (o.dryRun) args.push(`--dry-run=${o.dryRun}`);
  else if (o.wait ?? true) args.push("--wait");
  if (o.disableOpenApiValidation) args.push("--disable-openapi-validation");
  args.push("--timeout", requireDuration(o.timeout ?? "5m0s"));
  if (o.atomic) args.push("--atomic");
  return [...args, ...valuesArgs(o), ...clusterArgs(o)];
}

export interface TestOptions extends ClusterInput {
  release: string;
  namespace: string;
  timeout?: string;
  /** Print the test pod's logs (default true: a failed smoke test should say why). */
  logs?: boolean;
}

/** `helm test <release> --namespace … --logs --timeout …` */
export function helmTestArgs(o: TestOptions): string[] {
  const args = ["test", requireName("release", o.release), "--namespace", requireName("namespace", o.namespace)];
  if (o.logs ?? true) args.push("--logs");
  args.push("--timeout", requireDuration(o.timeout ?? "3m0s"));
  return [...args, ...clusterArgs(o)];
}

export interface RollbackOptions extends ClusterInput {
  release: string;
  namespace: string;
  /** Revision to return to; omitted = the previous one. */
  revision?: number;
  wait?: boolean;
  timeout?: string;
}

/** `helm rollback <release> [revision] --namespace … --wait` */
export function helmRollbackArgs(o: RollbackOptions): string[] {
  const args = ["rollback", requireName("release", o.release)];
  if (o.revision !== undefined) {
    if (!Number.isInteger(o.revision) || o.revision < 1) throw new HelmArgsError(`revision ${o.revision} must be a positive integer`);
    args.push(String(o.revision));
  }
  args.push("--namespace", requireName("namespace", o.namespace));
  if (o.wait ?? true) args.push("--wait");
  args.push("--timeout", requireDuration(o.timeout ?? "5m0s"));
  return [...args, ...clusterArgs(o)];
}

export interface UninstallOptions extends ClusterInput {
  release: string;
  namespace: string;
  wait?: boolean;
  timeout?: string;
}

/** `helm uninstall <release> --namespace … [--wait]` (Secrets marked resource-policy keep stay). */
export function helmUninstallArgs(o: UninstallOptions): string[] {
  const args = ["uninstall", requireName("release", o.release), "--namespace", requireName("namespace", o.namespace)];
  if (o.wait) args.push("--wait");
  args.push("--timeout", requireDuration(o.timeout ?? "5m0s"));
  return [...args, ...clusterArgs(o)];
}

function requireDuration(d: string): string {
  if (!/^(\d+h)?(\d+m)?(\d+s)?$/.test(d) || d === "") throw new HelmArgsError(`timeout "${d}" must be a duration such as 5m0s or 90s`);
  return d;
}

export interface ImageRef {
  /** Where the cluster pulls it from (a registry the images were pushed to); default: the app's image name. */
  repository?: string;
  /** Content-derived tag set by the pipeline. */
  tag?: string;
  /** sha256:… — wins over the tag when set. */
  digest?: string;
}

/**
 * The chart values that mirror todo.config.yaml. values.yaml carries the same
 * defaults (a test asserts they agree); the pipeline passes these as well so the
 * config file stays the one source even if someone edits values.yaml alone.
 */
export function projectConfigValues(
  config: ProjectConfig,
  images: Partial<Record<AppName, ImageRef>> = {},
): Required<Pick<ValuesInput, "set" | "setString">> {
  const set: Record<string, SetValue> = {
    "runtimeUser.uid": config.runtimeUser.uid,
    "runtimeUser.gid": config.runtimeUser.gid,
  };
  const setString: Record<string, string> = {};
  for (const app of appNames(config)) {
    const a = config.apps[app];
    setString[`${app}.image.repository`] = a.image;
    set[`${app}.port`] = a.port;
    setString[`${app}.health.liveness`] = a.health.liveness;
    setString[`${app}.health.readiness`] = a.health.readiness;
    const img = images[app];
    if (img?.repository) setString[`${app}.image.repository`] = img.repository;
    if (img?.tag) setString[`${app}.image.tag`] = img.tag;
    if (img?.digest) {
      if (!/^sha256:[0-9a-f]{64}$/.test(img.digest)) throw new HelmArgsError(`${app} digest "${img.digest}" must be sha256:<64 hex digits>`);
      setString[`${app}.image.digest`] = img.digest;
    }
  }
  return { set, setString };
}

/**
 * The `helm lint --strict` runs the chart gate makes: the defaults, then each of
 * chart.valuesFiles, all at versions.kubernetes and with the todo.config.yaml values.
 * `chartDir` is where the chart is in the caller's file system (default chart.path).
 */
export function chartLintRuns(config: ProjectConfig, chartDir = config.chart.path): LintOptions[] {
  const values = projectConfigValues(config);
  const kubeVersion = config.versions.kubernetes;
  const base = { chart: chartDir, strict: true, ...(kubeVersion ? { kubeVersion } : {}), ...values };
  return [base, ...config.chart.valuesFiles.map((f) => ({ ...base, valuesFiles: [`${chartDir.replace(/\/$/, "")}/${f}`] }))];
}

export class HelmCommandError extends Error {
  constructor(
    readonly argv: readonly string[],
    readonly exitCode: number | undefined,
    readonly stdout: string,
    readonly stderr: string,
  ) {
    // helm lint reports its findings on stdout and only the verdict on stderr: keep both.
    super(`helm ${argv.join(" ")} failed (exit ${exitCode ?? "signal"}):\n${[stdout.trim().split("\n").slice(-40).join("\n"), stderr.trim()].filter(Boolean).join("\n")}`);
  }
}

export interface RunHelmOptions {
  /** helm binary (default: `helm` on PATH). */
  helm?: string;
  cwd?: string;
  env?: Record<string, string>;
  timeoutMs?: number;
}

/** Runs helm on the host; resolves with stdout, rejects with a HelmCommandError carrying stderr. */
export async function runHelm(argv: readonly string[], opts: RunHelmOptions = {}): Promise<{ stdout: string; stderr: string }> {
  const result = await execa(opts.helm ?? "helm", argv, {
    cwd: opts.cwd,
    env: opts.env,
    timeout: opts.timeoutMs ?? 120_000,
    reject: false,
    stripFinalNewline: false,
  });
  if (result.exitCode !== 0) {
    throw new HelmCommandError(argv, result.exitCode, String(result.stdout), String(result.stderr));
  }
  return { stdout: String(result.stdout), stderr: String(result.stderr) };
}

/**
 * Linker flags for `go install helm.sh/helm/v3/cmd/helm@<version>`, as helm's
 * Makefile sets them: without them helm reports "v3.21" (no patch) and renders
 * for Kubernetes v1.20, refusing charts whose kubeVersion needs newer.
 */
export function helmLdflags(helmVersion: string, kubernetesVersion: string): string {
  const [major, minor] = kubernetesVersion.replace(/^v/, "").split(".");
  if (!major || !minor) throw new Error(`versions.kubernetes "${kubernetesVersion}" is not MAJOR.MINOR.PATCH`);
  const kube = ["helm.sh/helm/v3/pkg/chartutil", "helm.sh/helm/v3/pkg/lint/rules"].flatMap((pkg) => [`-X ${pkg}.k8sVersionMajor=${major}`, `-X ${pkg}.k8sVersionMinor=${minor}`]);
  return ["-w", "-s", `-X helm.sh/helm/v3/internal/version.version=${helmVersion}`, ...kube].join(" ");
}

/**
 * Air-gapped mode: the chart's PostgreSQL (the image pipelineImages.postgres
 * names) from the registry too, by tag, as every other image the pipeline
 * uses. Without a registry, the values are returned unchanged (the chart's
 * own digest-pinned image).
 */
export function withMirroredPostgres<V extends { setString: Record<string, string> }>(config: ProjectConfig, values: V): V {
  if (!config.registry) return values;
  const pg = config.pipelineImages.postgres!;
  return {
    ...values,
    setString: { ...values.setString, "postgresql.image.repository": `${config.registry}/${mirrorName(pg.image)}`, "postgresql.image.tag": pg.tag, "postgresql.image.digest": "" },
  };
}
