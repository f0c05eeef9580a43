// Client-side deploy checks with @kubernetes/client-node: wait until every
// Deployment and StatefulSet of the release has rolled out, and when one does
// not, fetch its pods, events and logs and hand them to the pure diagnosis.
import { AppsV1Api, CoreV1Api, DiscoveryV1Api, KubeConfig, VersionApi, type CoreV1Event, type V1Deployment, type V1Pod, type V1Secret, type V1StatefulSet } from "@kubernetes/client-node";
import { linkDependencyChains } from "../policies/dependency-chain.js";
import { type PodDiagnosis, diagnosePod } from "../policies/diagnosis.js";
import { FailFast, podsToJudge } from "../policies/fail-fast.js";

/** Rejects when `p` has not settled within `ms` (a frozen API server accepts connections and never answers). */
export function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms / 1000} s`)), ms)));
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Whether the API server answers at all (any HTTP status counts: a 401 is an
 * answer): "" when it does, else why not.
 */
export async function apiServerSilence(kc: KubeConfig, timeoutMs = 5_000): Promise<string> {
  const server = kc.getCurrentCluster()?.server ?? "(no server)";
  try {
    await within(kc.makeApiClient(VersionApi).getCode(), timeoutMs, server);
    return "";
  } catch (err) {
    const e = err as { code?: number; message: string; cause?: { code?: string } };
    if (typeof e.code === "number") return "";
    return `${server} does not answer (${e.cause?.code ?? e.message.split("\n")[0]})`;
  }
}

export function kubeConfigFrom(file: string, context?: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(file);
  if (context) kc.setCurrentContext(context);
  return kc;
}

/** Pure: why a workload is not rolled out yet ("" when it is). */
export function rolloutGap(w: V1Deployment | V1StatefulSet): string {
  const want = w.spec?.replicas ?? 1;
  const st = w.status ?? {};
  if ((st.observedGeneration ?? 0) < (w.metadata?.generation ?? 0)) return "the controller has not seen the latest spec yet";
  const updated = st.updatedReplicas ?? 0;
  const ready = st.readyReplicas ?? 0;
  const available = "availableReplicas" in st ? (st.availableReplicas ?? 0) : ready;
  if (updated < want) return `${updated}/${want} replicas updated`;
  if (ready < want || available < want) return `${Math.min(ready, available)}/${want} replicas ready`;
  return "";
}

export interface RolloutResult {
  ready: boolean;
  /** `Kind/name: gap` of what did not roll out. */
  pending: string[];
  diagnoses: PodDiagnosis[];
}

export interface DiagnoseOptions {
  namespace: string;
  selector: string;
  loadCommand(image: string): string;
}

export async function waitForRollout(
  kc: KubeConfig,
  o: DiagnoseOptions & { timeoutMs: number; pollMs?: number; failFast?: boolean },
): Promise<RolloutResult> {
  const apps = kc.makeApiClient(AppsV1Api);
  const until = Date.now() + o.timeoutMs;
  const failFast = o.failFast ? new FailFast() : undefined;
  let pending: string[] = [];
  for (;;) {
    const [deps, sets] = await Promise.all([
      apps.listNamespacedDeployment({ namespace: o.namespace, labelSelector: o.selector }),
      apps.listNamespacedStatefulSet({ namespace: o.namespace, labelSelector: o.selector }),
    ]);
    pending = [...deps.items.map((d) => ["Deployment", d] as const), ...sets.items.map((s) => ["StatefulSet", s] as const)]
      .map(([kind, w]) => [kind, w.metadata?.name, rolloutGap(w)] as const)
      .filter(([, , gap]) => gap !== "")
      .map(([kind, name, gap]) => `${kind}/${name}: ${gap}`);
    if (deps.items.length + sets.items.length === 0) pending = [`no Deployment or StatefulSet matches ${o.selector} in ${o.namespace}`];
    if (pending.length === 0) return { ready: true, pending, diagnoses: [] };
    if (Date.now() >= until) break;
    if (failFast && failFast.observe(await podDiagnoses(kc, o), Date.now()).length > 0) break;
    await new Promise((r) => setTimeout(r, o.pollMs ?? 2_000));
  }
  return { ready: false, pending, diagnoses: await diagnoseRelease(kc, o) };
}

/** The release's pods and their namespace's events, what every diagnosis reads. */
async function podsAndEvents(core: CoreV1Api, o: { namespace: string; selector: string }) {
  const [pods, events] = await Promise.all([
    core.listNamespacedPod({ namespace: o.namespace, labelSelector: o.selector }),
    core.listNamespacedEvent({ namespace: o.namespace }),
  ]);
  return { pods, events };
}

/**
 * Each pod's diagnosis from its status and events alone (no logs): cheap enough
 * to poll. With `since`, only the pods podsToJudge picks (the install's own,
 * and older ones once `includeOld` unless a newer pod replaces them); pods on
 * their way out are always left out.
 */
export async function podDiagnoses(kc: KubeConfig, o: DiagnoseOptions & { since?: Date; includeOld?: boolean }): Promise<PodDiagnosis[]> {
  const { pods, events } = await podsAndEvents(kc.makeApiClient(CoreV1Api), o);
  return podsToJudge(pods.items, o.since ?? new Date(0), o.includeOld ?? true).flatMap((pod) => diagnosePod(pod, events.items, { loadCommand: o.loadCommand }));
}

/** Why the release's pods are not ready: each pod with its last log lines, linked to the dependency that is down. */
export async function diagnoseRelease(kc: KubeConfig, o: DiagnoseOptions): Promise<PodDiagnosis[]> {
  const core = kc.makeApiClient(CoreV1Api);
  const { pods, events } = await podsAndEvents(core, o);
  const own = new Map<string, PodDiagnosis[]>();
  for (const pod of pods.items) own.set(pod.metadata?.name ?? "", await diagnoseWithLogs(core, pod, events.items, o.loadCommand));
  try {
    return await linkDependencies(kc, o.namespace, pods.items, events.items, own, o.loadCommand);
  } catch {
    // without the Services, Secrets or EndpointSlices (RBAC, older API) each pod is told on its own
    return pods.items.flatMap((p) => own.get(p.metadata?.name ?? "") ?? []);
  }
}

const LOG_ATTEMPTS = 4;
const LOG_RETRY_MS = 1_500;
const TAIL_LINES = 20;

/**
 * The last log lines of a container that crashed: the current container's (in
 * CrashLoopBackOff that is the one that last exited), else the previous one's.
 * Both can come back empty for a moment after the exit (the runtime has not
 * flushed the log, or the kubelet has not recorded the new container yet), so
 * a few tries, a short pause apart.
 */
async function lastLogs(core: CoreV1Api, namespace: string, pod: string, container: string): Promise<string | undefined> {
  for (let attempt = 1; attempt <= LOG_ATTEMPTS; attempt++) {
    for (const previous of [false, true]) {
      try {
        const text = await core.readNamespacedPodLog({ name: pod, namespace, container, previous, tailLines: TAIL_LINES });
        if (text.trim()) return text;
      } catch {
        // a container that never ran has no log; a previous one may be gone already
      }
    }
    if (attempt < LOG_ATTEMPTS) await new Promise((r) => setTimeout(r, LOG_RETRY_MS));
  }
  return undefined;
}

async function diagnoseWithLogs(core: CoreV1Api, pod: V1Pod, events: readonly CoreV1Event[], loadCommand: (image: string) => string): Promise<PodDiagnosis[]> {
  const logs = new Map<string, string>();
  const name = pod.metadata?.name;
  for (const st of pod.status?.containerStatuses ?? []) {
    const exited = st.lastState?.terminated ?? st.state?.terminated;
    if (name && !st.ready && (st.restartCount > 0 || exited)) {
      const text = await lastLogs(core, pod.metadata?.namespace ?? "", name, st.name);
      if (text) logs.set(st.name, text);
    }
  }
  return diagnosePod(pod, events, { loadCommand, logs });
}

/**
 * The objects linkDependencyChains reads: the namespace's Services, their
 * EndpointSlices, ConfigMaps, workloads and pods, and the Secrets the unready
 * pods' environments refer to (for the host of a DATABASE_URL); pods outside the
 * release behind a Service it depends on are diagnosed here too.
 */
async function linkDependencies(
  kc: KubeConfig,
  namespace: string,
  releasePods: V1Pod[],
  events: readonly CoreV1Event[],
  own: Map<string, PodDiagnosis[]>,
  loadCommand: (image: string) => string,
): Promise<PodDiagnosis[]> {
  const core = kc.makeApiClient(CoreV1Api);
  const apps = kc.makeApiClient(AppsV1Api);
  const discovery = kc.makeApiClient(DiscoveryV1Api);
  const [services, slices, configMaps, deps, sets, allPods] = await Promise.all([
    core.listNamespacedService({ namespace }),
    discovery.listNamespacedEndpointSlice({ namespace }),
    core.listNamespacedConfigMap({ namespace }),
    apps.listNamespacedDeployment({ namespace }),
    apps.listNamespacedStatefulSet({ namespace }),
    core.listNamespacedPod({ namespace }),
  ]);
  const secretNames = new Set(
    releasePods.flatMap((p) => (p.spec?.containers ?? []).flatMap((c) => [
      ...(c.env ?? []).map((e) => e.valueFrom?.secretKeyRef?.name),
      ...(c.envFrom ?? []).map((f) => f.secretRef?.name),
    ])).filter((n): n is string => !!n),
  );
  const secrets: V1Secret[] = [];
  for (const name of secretNames) {
    try {
      secrets.push(await core.readNamespacedSecret({ name, namespace }));
    } catch {
      // not allowed or missing: that variable's host stays unknown
    }
  }
  const inRelease = new Set(releasePods.map((p) => p.metadata?.name));
  const selected = allPods.items.filter((p) => !inRelease.has(p.metadata?.name) && services.items.some((s) =>
    s.spec?.selector && Object.entries(s.spec.selector).every(([k, v]) => p.metadata?.labels?.[k] === v)));
  for (const pod of selected) own.set(pod.metadata?.name ?? "", await diagnoseWithLogs(core, pod, events, loadCommand));
  return linkDependencyChains(releasePods, {
    namespace,
    pods: [...releasePods, ...selected],
    diagnoses: own,
    services: services.items,
    endpointSlices: slices.items,
    configMaps: configMaps.items,
    secrets,
    workloads: [...deps.items.map((d) => ({ ...d, kind: "Deployment" as const })), ...sets.items.map((s) => ({ ...s, kind: "StatefulSet" as const }))],
  });
}

/**
 * A local port forwarded to a ready pod matching the selector (what
 * `kubectl port-forward` does), so the smoke test reaches a Service that is
 * not exposed, bypassing only the Service itself.
 */
export async function forwardToPod(kc: KubeConfig, o: { namespace: string; selector: string; port: number }): Promise<{ url: string; close(): void }> {
  const { PortForward } = await import("@kubernetes/client-node");
  const { createServer } = await import("node:net");
  const core = kc.makeApiClient(CoreV1Api);
  const pods = await core.listNamespacedPod({ namespace: o.namespace, labelSelector: o.selector });
  const pod = pods.items.find((p) => p.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True"));
  if (!pod?.metadata?.name) throw new Error(`no ready pod matches ${o.selector} in ${o.namespace}`);
  const forward = new PortForward(kc);
  const server = createServer((socket) => void forward.portForward(o.namespace, pod.metadata!.name!, [o.port], socket, null, socket));
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const address = server.address() as { port: number };
  return { url: `http://127.0.0.1:${address.port}`, close: () => server.close() };
}
