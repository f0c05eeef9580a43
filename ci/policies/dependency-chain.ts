// One root cause for a pod that is unready because a Service it depends on is
// down: "backend unready because its database todo-postgresql is down: <why
// that Service's pods are down>", instead of the two pods' diagnoses side by
// side. Which Services a pod depends on is read from its rendered environment
// (values, ConfigMap and Secret keys, envFrom) — the chart wires the database
// as DATABASE_URL=postgresql://…@todo-postgresql:5432/… — so no Service name is
// known here in advance. Pure: ci/tools/kube.ts fetches the objects.
import type { V1ConfigMap, V1Container, V1EndpointSlice, V1LabelSelector, V1Pod, V1Secret, V1Service } from "@kubernetes/client-node";
import type { PodDiagnosis } from "./diagnosis.js";

export interface Workload {
  kind: "Deployment" | "StatefulSet";
  metadata?: { name?: string };
  spec?: { replicas?: number; selector?: V1LabelSelector; template?: { metadata?: { labels?: Record<string, string> } } };
}

export interface Dependency {
  /** The variable that names it, e.g. DATABASE_URL. */
  env: string;
  /** What the variable calls it: DATABASE_URL → "database". */
  role: string;
  service: string;
}

const b64 = (s: string) => Buffer.from(s, "base64").toString("utf8");

/**
 * A container's environment as the pod sees it (envFrom first, env overrides),
 * for the variables whose source is among the given objects. Secret values
 * only ever leave this module as host names.
 */
export function containerEnv(c: V1Container, o: { configMaps: readonly V1ConfigMap[]; secrets: readonly V1Secret[] }): Map<string, string> {
  const cm = (name?: string) => o.configMaps.find((x) => x.metadata?.name === name);
  const secret = (name?: string) => o.secrets.find((x) => x.metadata?.name === name);
  const env = new Map<string, string>();
  for (const from of c.envFrom ?? []) {
    const prefix = from.prefix ?? "";
    for (const [k, v] of Object.entries(cm(from.configMapRef?.name)?.data ?? {})) env.set(prefix + k, v);
    for (const [k, v] of Object.entries(from.secretRef ? (secret(from.secretRef.name)?.data ?? {}) : {})) env.set(prefix + k, b64(v));
  }
  for (const e of c.env ?? []) {
    if (e.value !== undefined) env.set(e.name, e.value);
    const cmRef = e.valueFrom?.configMapKeyRef;
    const secretRef = e.valueFrom?.secretKeyRef;
    const fromCm = cmRef && cm(cmRef.name)?.data?.[cmRef.key];
    const fromSecret = secretRef && secret(secretRef.name)?.data?.[secretRef.key];
    if (fromCm !== undefined) env.set(e.name, fromCm);
    if (fromSecret !== undefined) env.set(e.name, b64(fromSecret));
  }
  return env;
}

/** The host a variable points at: a URL's host, or the value of a *_HOST variable. */
function hostOf(name: string, value: string): string | undefined {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) {
    try {
      return new URL(value).hostname || undefined;
    } catch {
      return undefined;
    }
  }
  if (/_HOST$/.test(name) && /^[a-z0-9.-]+(:\d+)?$/i.test(value)) return value.replace(/:\d+$/, "");
  return undefined;
}

/** name, name.ns, name.ns.svc, name.ns.svc.<cluster domain>: the Service `name` when ns is the pod's. */
function serviceOfHost(host: string, namespace: string): string | undefined {
  const [name, ns, svc] = host.toLowerCase().split(".");
  if (!name) return undefined;
  if (ns === undefined) return name;
  if (ns === namespace && (svc === undefined || svc === "svc")) return name;
  return undefined;
}

/** Services of the pod's namespace that a container's environment names (ExternalName ones are outside the cluster). */
export function dependenciesOf(env: ReadonlyMap<string, string>, services: readonly V1Service[], namespace: string): Dependency[] {
  const out: Dependency[] = [];
  for (const [name, value] of env) {
    const host = hostOf(name, value);
    const service = host && serviceOfHost(host, namespace);
    const svc = service && services.find((s) => s.metadata?.name === service);
    if (!svc || svc.spec?.type === "ExternalName" || out.some((d) => d.service === service)) continue;
    out.push({ env: name, role: name.replace(/_(URL|URI|HOST|ADDR|ADDRESS|DSN)$/, "").toLowerCase().replace(/_/g, " "), service: svc.metadata!.name! });
  }
  return out;
}

/** Ready endpoints behind a Service, from its EndpointSlices (a nil `ready` counts as ready, as the API says). */
export function readyEndpoints(service: string, slices: readonly V1EndpointSlice[]): number {
  return slices
    .filter((s) => s.metadata?.labels?.["kubernetes.io/service-name"] === service)
    .flatMap((s) => s.endpoints ?? [])
    .filter((e) => e.conditions?.ready !== false).length;
}

const matches = (selector: Record<string, string>, labels: Record<string, string> | undefined) =>
  Object.entries(selector).every(([k, v]) => labels?.[k] === v);
const isReady = (p: V1Pod) => p.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false;
const oneLine = (d: PodDiagnosis) => `${d.pod}${d.container ? `/${d.container}` : ""}: ${d.reason}: ${d.message}`;

/** A pod's own state may be caused by a dependency only when it runs (or keeps restarting) but is not ready. */
const LINKABLE = new Set(["ProbeFailing", "CrashLoopBackOff", "Error"]);

export interface ChainInput {
  namespace: string;
  /** Pods to explain (the release's) and the pods behind the Services they depend on. */
  pods: readonly V1Pod[];
  /** Each pod's own diagnosis (diagnosePod), by pod name. */
  diagnoses: ReadonlyMap<string, readonly PodDiagnosis[]>;
  services: readonly V1Service[];
  endpointSlices: readonly V1EndpointSlice[];
  configMaps: readonly V1ConfigMap[];
  secrets: readonly V1Secret[];
  workloads: readonly Workload[];
}

interface Down {
  text: string;
  fix: string;
  /** Pods whose own diagnoses the text already says. */
  folded: string[];
}

/**
 * Why a Service has no ready endpoints: the diagnoses of the pods behind it (or
 * their own dependency chain), a workload scaled to 0, or no pod at all.
 * undefined when it is not down (ready endpoints, or a selected pod Ready).
 */
function whyDown(service: string, input: ChainInput, visiting: Set<string>): Down | undefined {
  const svc = input.services.find((s) => s.metadata?.name === service);
  const selector = svc?.spec?.selector;
  if (readyEndpoints(service, input.endpointSlices) > 0) return undefined;
  if (!selector || Object.keys(selector).length === 0)
    return { text: "it has no ready endpoints and no selector", fix: `check the endpoints of Service ${service}`, folded: [] };
  const pods = input.pods.filter((p) => p.metadata?.namespace === input.namespace || !p.metadata?.namespace).filter((p) => matches(selector, p.metadata?.labels));
  if (pods.some(isReady)) return undefined; // endpoints lag behind a pod that just became ready
  if (pods.some((p) => visiting.has(p.metadata?.name ?? ""))) return undefined; // a cycle: the pod asking is behind it
  if (pods.length === 0) {
    const w = input.workloads.find((x) => matches(selector, x.spec?.template?.metadata?.labels));
    if (w && (w.spec?.replicas ?? 1) === 0) {
      const name = w.metadata?.name ?? service;
      return { text: `${w.kind} ${name} is scaled to 0 replicas`, fix: `kubectl -n ${input.namespace} scale ${w.kind.toLowerCase()} ${name} --replicas=1 (or helm upgrade the release)`, folded: [] };
    }
    const sel = Object.entries(selector).map(([k, v]) => `${k}=${v}`).join(",");
    return { text: w ? `${w.kind} ${w.metadata?.name} has no pod yet` : `no pod matches its selector ${sel}`, fix: w ? `kubectl -n ${input.namespace} describe ${w.kind.toLowerCase()} ${w.metadata?.name}` : `deploy what Service ${service} selects, or fix its selector`, folded: [] };
  }
  const names = pods.map((p) => p.metadata?.name ?? "?");
  // The pods behind it may be down because of their own dependency: follow the chain once around
  for (const p of pods) {
    const chain = chainOf(p, input, visiting);
    if (chain) return { text: chain.message, fix: chain.fix, folded: [...names, ...chain.folded] };
  }
  const own = pods.flatMap((p) => input.diagnoses.get(p.metadata?.name ?? "") ?? []);
  if (own.length) return { text: own.map(oneLine).join("; "), fix: own.map((d) => d.fix).join("; "), folded: names };
  return { text: `${names.join(", ")} not ready (${pods.map((p) => p.status?.phase ?? "unknown").join(", ")})`, fix: `kubectl -n ${input.namespace} describe pod ${names[0]}`, folded: names };
}

interface Chain {
  container: string;
  service: string;
  message: string;
  fix: string;
  folded: string[];
}

/** The first Service the pod depends on that is down, with why; undefined when none is (or the pod is fine, or broken on its own). */
function chainOf(pod: V1Pod, input: ChainInput, visiting: Set<string>): Chain | undefined {
  const name = pod.metadata?.name ?? "";
  if (isReady(pod) || visiting.has(name)) return undefined;
  if ((input.diagnoses.get(name) ?? []).some((d) => !LINKABLE.has(d.reason))) return undefined;
  if (pod.status?.phase && pod.status.phase !== "Running") return undefined;
  const next = new Set(visiting).add(name);
  const notReady = new Set((pod.status?.containerStatuses ?? []).filter((s) => !s.ready).map((s) => s.name));
  for (const c of pod.spec?.containers ?? []) {
    if (notReady.size && !notReady.has(c.name)) continue;
    for (const dep of dependenciesOf(containerEnv(c, input), input.services, input.namespace)) {
      const svc = input.services.find((s) => s.metadata?.name === dep.service);
      if (svc?.spec?.selector && matches(svc.spec.selector, pod.metadata?.labels)) continue; // its own Service
      const down = whyDown(dep.service, input, next);
      if (down)
        return { container: c.name, service: dep.service, message: `${c.name} unready because its ${dep.role} ${dep.service} is down: ${down.text}`, fix: down.fix, folded: down.folded };
    }
  }
  return undefined;
}

/**
 * The release's diagnoses with every pod that is unready because of a down
 * dependency replaced by one DependencyDown line naming that dependency and
 * why it is down; the dependency's pods' own lines are folded into it. Pods of
 * one container waiting on the same Service share one line.
 */
export function linkDependencyChains(releasePods: readonly V1Pod[], input: ChainInput): PodDiagnosis[] {
  const chains = releasePods.flatMap((pod) => {
    const chain = chainOf(pod, input, new Set());
    return chain ? [{ pod: pod.metadata?.name ?? "?", ...chain }] : [];
  });
  // Longest chains first; a pod already explained inside an accepted chain (A → B → C: B; a cycle's other half) gets no line of its own
  const explained = new Set<string>();
  const linked = new Map<string, PodDiagnosis & { pods: string[] }>();
  for (const chain of [...chains].sort((a, b) => b.folded.length - a.folded.length)) {
    if (explained.has(chain.pod)) continue;
    [chain.pod, ...chain.folded].forEach((p) => explained.add(p));
    const key = `${chain.container}\0${chain.service}`;
    const seen = linked.get(key);
    if (seen) seen.pods.push(chain.pod);
    else linked.set(key, { pod: chain.pod, container: chain.container, reason: "DependencyDown", message: chain.message, fix: chain.fix, pods: [chain.pod] });
  }
  const out: PodDiagnosis[] = [...linked.values()].map(({ pods, ...d }) =>
    pods.length > 1 ? { ...d, message: d.message.replace(/^(\S+) unready/, `$1 unready (${pods.length} pods: ${pods.join(", ")})`) } : d,
  );
  for (const pod of releasePods) {
    const name = pod.metadata?.name ?? "";
    if (!explained.has(name)) out.push(...(input.diagnoses.get(name) ?? []));
  }
  return out;
}
