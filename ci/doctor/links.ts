// Links between the chart's containers, the Dockerfiles and the apps of
// todo.config.yaml: which image a container runs, which Dockerfile builds it.
import { finalStage, lineage, type Dockerfile } from "./dockerfile.js";
import { imageBaseName, parseImageRef, type ContainerRef } from "./k8s.js";
import type { DoctorInputs, KnownApp } from "./types.js";
import { allContainers } from "./k8s.js";

export function knownAppOf(inputs: DoctorInputs, c: Pick<ContainerRef, "container">): { name: string; app: KnownApp } | undefined {
  if (!inputs.project || typeof c.container.image !== "string") return undefined;
  const repo = parseImageRef(c.container.image).repository;
  for (const [name, app] of Object.entries(inputs.project.apps)) {
    if (repo === app.image || repo.endsWith(`/${app.image}`)) return { name, app };
  }
  return undefined;
}

/** The name a Dockerfile builds by convention: docker/web/Dockerfile, web.Dockerfile, Dockerfile.web → web. */
export function dockerfileAppName(file: string): string {
  const parts = file.split(/[\\/]/);
  const base = parts[parts.length - 1]!;
  const m = /^Dockerfile\.(.+)$/i.exec(base) ?? /^(.+)\.Dockerfile$/i.exec(base);
  if (m) return m[1]!.toLowerCase();
  return (parts[parts.length - 2] ?? "").toLowerCase();
}

export function dockerfileOf(inputs: DoctorInputs, c: ContainerRef): Dockerfile | undefined {
  if (inputs.dockerfiles.length === 0 || typeof c.container.image !== "string") return undefined;
  const known = knownAppOf(inputs, c);
  if (known?.app.dockerfile) {
    const d = inputs.dockerfiles.find((df) => df.file.replace(/\\/g, "/").endsWith(known.app.dockerfile!));
    if (d) return d;
  }
  const ref = parseImageRef(c.container.image);
  const base = imageBaseName(ref.repository).toLowerCase();
  const tokens = base.split(/[-_.]/);
  // By the image's name first, then the container's name, then the tag's words
  // (todo-app:frontend-v1.0 built from frontend/Dockerfile): the first that picks exactly one.
  const tiers: Array<(n: string) => boolean> = [
    (n) => n === base || tokens.includes(n) || (known !== undefined && n === known.name),
    (n) => n === c.name.toLowerCase(),
    (n) => (ref.tag ?? "").toLowerCase().split(/[-_.]/).includes(n),
  ];
  for (const tier of tiers) {
    const hits = inputs.dockerfiles.filter((df) => dockerfileAppName(df.file) !== "" && tier(dockerfileAppName(df.file)));
    if (hits.length === 1) return hits[0];
    if (hits.length > 1) return undefined;
  }
  // One Dockerfile and one image in the whole chart: they belong together.
  if (inputs.dockerfiles.length === 1) {
    const images = new Set(allContainers(inputs.manifests).filter((x) => !x.init && typeof x.container.image === "string").map((x) => parseImageRef(x.container.image as string).repository));
    if (images.size === 1) return inputs.dockerfiles[0];
  }
  return undefined;
}

/** Ports the image's final stage EXPOSEs, with the line of each EXPOSE. */
export function exposedPorts(df: Dockerfile): Array<{ port: number; line: number }> {
  const stage = finalStage(df);
  if (!stage) return [];
  return lineage(stage)
    .flatMap((s) => s.instructions)
    .filter((i) => i.keyword === "EXPOSE")
    .flatMap((i) => i.rest.split(/\s+/).filter(Boolean).map((p) => ({ port: Number(p.split("/")[0]), line: i.line })))
    .filter((p) => Number.isInteger(p.port) && p.port > 0);
}

/** The user the final stage runs as ("" when no USER is set anywhere in its lineage). */
export function finalUser(df: Dockerfile): { user: string; line: number } | undefined {
  const stage = finalStage(df);
  if (!stage) return undefined;
  for (const s of lineage(stage)) {
    const users = s.instructions.filter((i) => i.keyword === "USER");
    const last = users[users.length - 1];
    if (last) return { user: last.rest.trim(), line: last.line };
  }
  return { user: "", line: stage.from.line };
}

export const isRootUser = (user: string): boolean => /^(root|0)(:.*)?$/.test(user.trim());
