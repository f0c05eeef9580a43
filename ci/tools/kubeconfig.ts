// What the pipeline needs to know of a kubeconfig: the API server of its
// (current or named) context, and whether that address is the machine's own
// loopback, which containers in the engine cannot reach directly. Pure.
import { parse, stringify } from "yaml";

interface Kubeconfig {
  "current-context"?: string;
  contexts?: { name: string; context?: { cluster?: string } }[];
  clusters?: { name: string; cluster?: { server?: string } }[];
}

export class KubeconfigError extends Error {}

function parseKubeconfig(text: string): Kubeconfig {
  try {
    return (parse(text) ?? {}) as Kubeconfig;
  } catch (err) {
    throw new KubeconfigError(`kubeconfig is not valid YAML: ${(err as Error).message}`);
  }
}

function contextName(doc: Kubeconfig, context?: string): string {
  const name = context ?? doc["current-context"];
  if (!name) throw new KubeconfigError("kubeconfig has no current-context: pass --context NAME");
  return name;
}

/** The API server URL of `context` (default: the current context). */
export function apiServerOf(text: string, context?: string): URL {
  const doc = parseKubeconfig(text);
  const name = contextName(doc, context);
  const ctx = doc.contexts?.find((c) => c.name === name);
  if (!ctx) throw new KubeconfigError(`kubeconfig has no context "${name}" (has: ${(doc.contexts ?? []).map((c) => c.name).join(", ") || "none"})`);
  const cluster = doc.clusters?.find((c) => c.name === ctx.context?.cluster);
  const server = cluster?.cluster?.server;
  if (!server) throw new KubeconfigError(`kubeconfig context "${name}" points at cluster "${ctx.context?.cluster ?? ""}", which has no server`);
  return new URL(server);
}

const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]", "::1"]);

/** Host and port of the API server when it is on loopback; undefined otherwise. */
export function loopbackApiServer(text: string, context?: string): { host: string; port: number } | undefined {
  const url = apiServerOf(text, context);
  if (!LOOPBACK.has(url.hostname)) return undefined;
  const host = url.hostname === "localhost" ? "127.0.0.1" : url.hostname.replace(/^\[|\]$/g, "");
  return { host, port: Number(url.port || (url.protocol === "https:" ? 443 : 80)) };
}

/** The deploy function's cluster arguments for a kubeconfig file; an API server on the host's loopback is tunnelled in (`--kube-api`). */
export function deployClusterArgs(path: string, text: string, context?: string): string[] {
  const loopback = loopbackApiServer(text, context);
  return ["--kubeconfig", `file:${path}`, ...(context ? ["--context", context] : []), ...(loopback ? ["--kube-api", `tcp://${loopback.host}:${loopback.port}`] : [])];
}

/**
 * The deploy target a kubeconfig is for, when none is given: the target of
 * todo.config.yaml whose `context` is the kubeconfig's context (`context`, else
 * its current-context). No match is an error that lists the targets to choose from.
 */
export function targetOfKubeconfig(targets: Readonly<Record<string, { context?: string | undefined }>>, text: string, context?: string): string {
  const name = contextName(parseKubeconfig(text), context);
  const match = Object.entries(targets).filter(([, t]) => t.context === name).map(([n]) => n);
  if (match.length === 1) return match[0]!;
  const known = Object.entries(targets).map(([n, t]) => (t.context ? `${n} (context ${t.context})` : n)).join(", ");
  throw new KubeconfigError(
    match.length === 0
      ? `no deploy target is for the kubeconfig's context "${name}": pass --target NAME (one of ${known}; deploy.targets in todo.config.yaml)`
      : `deploy targets ${match.join(" and ")} both name context "${name}": pass --target NAME`,
  );
}

const FILE_FIELDS = [
  ["clusters", "cluster", "certificate-authority"],
  ["users", "user", "client-certificate"],
  ["users", "user", "client-key"],
] as const;

/**
 * The kubeconfig with the files it names (CA, client certificate and key, as
 * Minikube writes them) inlined as *-data: the engine's containers cannot read
 * the host's files. `read` resolves a path as the kubeconfig's own directory
 * would; undefined when nothing needs inlining.
 */
export function withInlinedFiles(text: string, read: (path: string) => Buffer): string | undefined {
  const doc = parseKubeconfig(text) as Record<string, { [k: string]: Record<string, unknown> | undefined }[] | undefined>;
  let changed = false;
  for (const [list, key, field] of FILE_FIELDS) {
    for (const entry of doc[list] ?? []) {
      const body = entry[key];
      const path = body?.[field];
      if (!body || typeof path !== "string") continue;
      body[`${field}-data`] = read(path).toString("base64");
      delete body[field];
      changed = true;
    }
  }
  return changed ? stringify(doc) : undefined;
}
