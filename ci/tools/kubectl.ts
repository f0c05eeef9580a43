// Command lines for what only the host can do with a cluster: loading images
// into Minikube (its image store is not a registry) and reading logs.
export function minikubeImageLoadArgs(imageTarball: string, profile?: string): string[] {
  return ["image", "load", imageTarball, ...(profile ? ["--profile", profile] : [])];
}

export function minikubeStatusArgs(profile?: string): string[] {
  return ["status", "--output", "json", ...(profile ? ["--profile", profile] : [])];
}

export function kubectlLogsArgs(o: { pod: string; container: string; namespace: string; previous?: boolean; tail?: number; context?: string }): string[] {
  return ["logs", o.pod, "-c", o.container, "-n", o.namespace, ...(o.previous ? ["--previous"] : []), "--tail", String(o.tail ?? 20), ...(o.context ? ["--context", o.context] : [])];
}

/** Content-derived tag: Minikube keeps an old image under a reused tag, so tags never repeat. */
export function contentTag(digest: string): string {
  const m = /^sha256:([0-9a-f]{64})$/.exec(digest);
  if (!m) throw new Error(`"${digest}" is not a sha256 digest`);
  return `sha-${m[1]!.slice(0, 12)}`;
}
