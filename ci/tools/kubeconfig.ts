// What the pipeline needs to know of a kubeconfig: the API server of its
// (current or named) context, and whether that address is the machine's own
// loopback, which containers in the engine cannot reach directly. Pure.
import { parse } from "yaml";

interface Kubeconfig {
  "current-context"?: string;
  contexts?: { name: string; context?: { cluster?: string } }[];
  clusters?: { name: string; cluster?: { server?: string } }[];
}

export class KubeconfigError extends Error {}

/** The API server URL of `context` (default: the current context). */
export function apiServerOf(text: string, context?: string): URL {
  let doc: Kubeconfig;
  try {
    doc = (parse(text) ?? {}) as Kubeconfig;
  } catch (err) {
    throw new KubeconfigError(`kubeconfig is not valid YAML: ${(err as Error).message}`);
  }
  const name = context ?? doc["current-context"];
  if (!name) throw new KubeconfigError("kubeconfig has no current-context: pass --context NAME");
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
