// Where pods and containers live in the workload kinds, and small readers over them.
import type { Manifest, Path } from "./types.js";

export type Obj = Record<string, unknown>;

export const asObj = (v: unknown): Obj => (v && typeof v === "object" && !Array.isArray(v) ? (v as Obj) : {});
export const asArr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
export const getIn = (o: unknown, path: Path): unknown => path.reduce<unknown>((acc, k) => (acc == null ? undefined : (acc as Record<string | number, unknown>)[k]), o);

const POD_TEMPLATE_PATH: Record<string, Path> = {
  Deployment: ["spec", "template"],
  StatefulSet: ["spec", "template"],
  DaemonSet: ["spec", "template"],
  ReplicaSet: ["spec", "template"],
  ReplicationController: ["spec", "template"],
  Job: ["spec", "template"],
  CronJob: ["spec", "jobTemplate", "spec", "template"],
};

const LONG_RUNNING = new Set(["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController"]);

export interface PodOwner {
  manifest: Manifest;
  /** Runs until stopped (Deployment, StatefulSet, DaemonSet, ReplicaSet), not to completion (Job, Pod). */
  longRunning: boolean;
  /** Path of the pod template (or [] for a bare Pod). */
  templatePath: Path;
  labels: Record<string, string>;
  spec: Obj;
  specPath: Path;
}

/** A helm hook (test pod, migration job): not part of the running release. */
export const isHook = (m: Manifest): boolean => getIn(m.obj, ["metadata", "annotations", "helm.sh/hook"]) !== undefined;

export function podOwners(manifests: readonly Manifest[], opts: { hooks?: boolean } = {}): PodOwner[] {
  const out: PodOwner[] = [];
  for (const m of manifests) {
    if (opts.hooks === false && isHook(m)) continue;
    const tp = m.kind === "Pod" ? [] : POD_TEMPLATE_PATH[m.kind];
    if (!tp) continue;
    const tmpl = asObj(tp.length ? getIn(m.obj, tp) : m.obj);
    const labels = Object.fromEntries(Object.entries(asObj(getIn(tmpl, ["metadata", "labels"]))).map(([k, v]) => [k, String(v)]));
    out.push({ manifest: m, longRunning: LONG_RUNNING.has(m.kind), templatePath: tp, labels, spec: asObj(tmpl.spec), specPath: [...tp, "spec"] });
  }
  return out;
}

export interface ContainerRef {
  owner: PodOwner;
  container: Obj;
  name: string;
  path: Path;
  init: boolean;
}

export function containersOf(owner: PodOwner): ContainerRef[] {
  const out: ContainerRef[] = [];
  for (const [field, init] of [["initContainers", true], ["containers", false]] as const) {
    asArr(owner.spec[field]).forEach((c, i) => {
      const container = asObj(c);
      out.push({ owner, container, name: String(container.name ?? ""), path: [...owner.specPath, field, i], init });
    });
  }
  return out;
}

export function allContainers(manifests: readonly Manifest[]): ContainerRef[] {
  return podOwners(manifests).flatMap(containersOf);
}

/** The (name, number) pairs a container declares in `ports`. */
export function containerPorts(c: Obj): Array<{ name?: string; port: number; index: number }> {
  return asArr(c.ports).flatMap((p, index) => {
    const o = asObj(p);
    const port = Number(o.containerPort);
    if (!Number.isFinite(port)) return [];
    return [{ ...(typeof o.name === "string" ? { name: o.name } : {}), port, index }];
  });
}

/**
 * Whether a selector picks pods with these labels: a Service's plain map (empty
 * selects nothing), or a LabelSelector with matchLabels and matchExpressions
 * (empty selects everything; `labelSelector` says which when the shape cannot).
 */
export function selectorMatches(selector: unknown, labels: Record<string, string>, labelSelector?: boolean): boolean {
  const sel = asObj(selector);
  if (!(labelSelector ?? ("matchLabels" in sel || "matchExpressions" in sel))) {
    const entries = Object.entries(sel);
    return entries.length > 0 && entries.every(([k, v]) => labels[k] === String(v));
  }
  if (!Object.entries(asObj(sel.matchLabels)).every(([k, v]) => labels[k] === String(v))) return false;
  return asArr(sel.matchExpressions).every((e) => {
    const { key, operator, values } = asObj(e);
    const has = String(key) in labels;
    const inValues = asArr(values).map(String).includes(labels[String(key)] ?? "");
    if (operator === "In") return has && inValues;
    if (operator === "NotIn") return !has || !inValues;
    if (operator === "Exists") return has;
    if (operator === "DoesNotExist") return !has;
    return false;
  });
}

/** A probe's or Service's port (number or name) as the number a container declares, if it does. */
export function resolvePort(port: unknown, c: Obj): number | undefined {
  const ports = containerPorts(c);
  if (typeof port === "string" && !/^\d+$/.test(port)) return ports.find((p) => p.name === port)?.port;
  return ports.find((p) => p.port === Number(port))?.port;
}

const QUANTITY_SUFFIX: Record<string, number> = {
  "": 1, m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};

/** A Kubernetes quantity ("500m", "1Gi", 2) as a number, or undefined when malformed. */
export function parseQuantity(q: unknown): number | undefined {
  if (typeof q === "number") return Number.isFinite(q) ? q : undefined;
  const m = typeof q === "string" ? /^([0-9]+(?:\.[0-9]+)?)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/.exec(q.trim()) : null;
  return m ? Number(m[1]) * QUANTITY_SUFFIX[m[2] ?? ""]! : undefined;
}

/** Image reference split into repository, tag and digest (registry port colons handled). */
export function parseImageRef(ref: string): { repository: string; tag?: string; digest?: string } {
  let rest = ref.trim();
  let digest: string | undefined;
  const at = rest.indexOf("@");
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  const slash = rest.lastIndexOf("/");
  const colon = rest.lastIndexOf(":");
  let tag: string | undefined;
  if (colon > slash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  return { repository: rest, ...(tag ? { tag } : {}), ...(digest ? { digest } : {}) };
}

/** The last path segment of an image repository (registry.example.com/team/web → web). */
export const imageBaseName = (repository: string): string => repository.split("/").pop() ?? repository;
