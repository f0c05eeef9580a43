// Finds the pod templates inside workload objects and answers "which pods does
// this selector pick", the two questions most chart rules start from.
import type { Manifest } from "./types.js";

export type Obj = Record<string, unknown>;

export interface Container {
  name?: string;
  image?: string;
  ports?: { name?: string; containerPort?: number; protocol?: string }[];
  env?: { name?: string; value?: unknown; valueFrom?: Obj }[];
  envFrom?: Obj[];
  resources?: { requests?: Obj; limits?: Obj };
  securityContext?: Obj;
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  startupProbe?: Probe;
  volumeMounts?: { name?: string; mountPath?: string; readOnly?: boolean }[];
  command?: unknown[];
  args?: unknown[];
}

export interface Probe {
  httpGet?: { path?: string; port?: number | string; scheme?: string };
  tcpSocket?: { port?: number | string };
  grpc?: { port?: number };
  exec?: { command?: string[] };
}

export interface PodSpec {
  containers?: Container[];
  initContainers?: Container[];
  securityContext?: Obj;
  volumes?: Obj[];
  automountServiceAccountToken?: boolean;
  hostNetwork?: boolean;
  hostPID?: boolean;
  hostIPC?: boolean;
  serviceAccountName?: string;
}

export interface PodTemplate {
  owner: Manifest;
  /** Path of the pod spec inside the owner, for findings. */
  specPath: string;
  labels: Record<string, string>;
  spec: PodSpec;
  /** Long-running (Deployment, StatefulSet, DaemonSet, ReplicaSet) vs run-to-completion (Job, Pod hooks). */
  longRunning: boolean;
}

export function isObj(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export function get(v: unknown, ...path: (string | number)[]): unknown {
  let cur = v;
  for (const p of path) {
    if (Array.isArray(cur) && typeof p === "number") cur = cur[p];
    else if (isObj(cur) && typeof p === "string") cur = cur[p];
    else return undefined;
  }
  return cur;
}

const LONG_RUNNING = new Set(["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController"]);

export function podTemplates(manifests: readonly Manifest[]): PodTemplate[] {
  const out: PodTemplate[] = [];
  for (const m of manifests) {
    const kind = m.kind ?? "";
    if (kind === "Pod" && isObj(m.spec)) {
      out.push({ owner: m, specPath: "spec", labels: labelsOf(m.metadata?.labels), spec: m.spec as PodSpec, longRunning: false });
    } else if (kind === "CronJob") {
      const spec = get(m, "spec", "jobTemplate", "spec", "template", "spec");
      if (isObj(spec)) {
        out.push({
          owner: m,
          specPath: "spec.jobTemplate.spec.template.spec",
          labels: labelsOf(get(m, "spec", "jobTemplate", "spec", "template", "metadata", "labels")),
          spec: spec as PodSpec,
          longRunning: false,
        });
      }
    } else if (LONG_RUNNING.has(kind) || kind === "Job") {
      const spec = get(m, "spec", "template", "spec");
      if (isObj(spec)) {
        out.push({
          owner: m,
          specPath: "spec.template.spec",
          labels: labelsOf(get(m, "spec", "template", "metadata", "labels")),
          spec: spec as PodSpec,
          longRunning: LONG_RUNNING.has(kind),
        });
      }
    }
  }
  return out;
}

function labelsOf(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (isObj(v)) for (const [k, val] of Object.entries(v)) out[k] = String(val);
  return out;
}

export function allContainers(spec: PodSpec): { c: Container; path: string }[] {
  return [
    ...(spec.initContainers ?? []).map((c, i) => ({ c, path: `initContainers[${i}]` })),
    ...(spec.containers ?? []).map((c, i) => ({ c, path: `containers[${i}]` })),
  ];
}

/** A Kubernetes label selector (matchLabels + matchExpressions, or a plain map as Services use). */
export function selectorMatches(selector: unknown, labels: Record<string, string>, plainMap = false): boolean {
  if (!isObj(selector)) return false;
  if (plainMap) {
    const entries = Object.entries(selector);
    return entries.length > 0 && entries.every(([k, v]) => labels[k] === String(v));
  }
  const ml = isObj(selector.matchLabels) ? selector.matchLabels : {};
  for (const [k, v] of Object.entries(ml)) if (labels[k] !== String(v)) return false;
  const exprs = Array.isArray(selector.matchExpressions) ? selector.matchExpressions : [];
  for (const e of exprs) {
    if (!isObj(e)) return false;
    const key = String(e.key);
    const values = Array.isArray(e.values) ? e.values.map(String) : [];
    const has = key in labels;
    switch (e.operator) {
      case "In":
        if (!has || !values.includes(labels[key]!)) return false;
        break;
      case "NotIn":
        if (has && values.includes(labels[key]!)) return false;
        break;
      case "Exists":
        if (!has) return false;
        break;
      case "DoesNotExist":
        if (has) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

export function isEmptySelector(selector: unknown): boolean {
  if (!isObj(selector)) return true;
  const ml = isObj(selector.matchLabels) ? Object.keys(selector.matchLabels).length : 0;
  const me = Array.isArray(selector.matchExpressions) ? selector.matchExpressions.length : 0;
  return ml === 0 && me === 0;
}

/** Splits an image reference into name, tag and digest (registry ports are not mistaken for tags). */
export function parseImage(ref: string): { name: string; tag?: string; digest?: string } {
  let rest = ref;
  let digest: string | undefined;
  const at = rest.indexOf("@");
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(":");
  if (colon > rest.lastIndexOf("/")) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  const out: { name: string; tag?: string; digest?: string } = { name: rest };
  if (tag !== undefined) out.tag = tag;
  if (digest !== undefined) out.digest = digest;
  return out;
}

/** The project app (backend/frontend) a container runs, judged by its image name. */
export function appOfImage<A extends string>(image: string | undefined, apps: Record<A, { image: string }>): A | undefined {
  if (!image) return undefined;
  const { name } = parseImage(image);
  for (const [app, cfg] of Object.entries(apps) as [A, { image: string }][]) {
    if (name === cfg.image || name.endsWith(`/${cfg.image}`)) return app;
  }
  return undefined;
}

/** Resolves a probe/Service port (name or number) against a container's declared ports. */
export function resolvePort(port: number | string | undefined, c: Container): number | undefined {
  if (port === undefined) return undefined;
  if (typeof port === "number") return (c.ports ?? []).some((p) => p.containerPort === port) ? port : undefined;
  if (/^\d+$/.test(port)) return resolvePort(Number(port), c);
  return (c.ports ?? []).find((p) => p.name === port)?.containerPort;
}
