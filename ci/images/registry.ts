// The one place an image reference of the pipeline is made: the Dockerfile
// bases (bases.build, bases.runtime) and the images the pipeline runs
// (pipelineImages.*), upstream or from the air-gapped registry. Pure.
//
// Without a registry: `image:tag@digest`, the pinned upstream image.
// With a registry R: `R/<name>:<tag>`, where <name> is the image's repository
//   path without its upstream registry host (node → R/node,
//   gcr.io/distroless/nodejs22-debian12 → R/distroless/nodejs22-debian12).
//   The pinned digest is not used (images rebuilt for a closed network have
//   their own digests): the tag is resolved by whoever pulls, and the run
//   record holds the digest it resolved to (recordedImages).
//
// Which registry: TODO_REGISTRY in the environment (host side, "none" for
// none) over the module's --registry argument over `registry:` in todo.config.yaml.
import { type ProjectConfig, ProjectConfigError, REGISTRY_PATTERN, REGISTRY_RULE } from "../config/project-config.js";

export const REGISTRY_ENV = "TODO_REGISTRY";

export const IMAGE_KEYS = [
  "bases.build",
  "bases.runtime",
  "pipelineImages.golang",
  "pipelineImages.trivy",
  "pipelineImages.k3s",
  "pipelineImages.postgres",
] as const;
export type ImageKey = (typeof IMAGE_KEYS)[number];

/** The config images a run pulls: its builds, the toolbox, Trivy and PostgreSQL; a deploy to k3s also k3s. */
export function imagesPulledBy(command: string, deployTarget?: string): ImageKey[] {
  const build: ImageKey[] = ["bases.build", "bases.runtime"];
  if (command === "build") return build;
  // ci: the toolbox (bases.build, golang for helm), Trivy and PostgreSQL for the tests.
  const ci: ImageKey[] = [...build, "pipelineImages.golang", "pipelineImages.trivy", "pipelineImages.postgres"];
  return command === "deploy" && deployTarget === "k3s" ? [...ci, "pipelineImages.k3s"] : ci;
}

interface ConfigImage {
  image: string;
  tag: string;
  digest: string;
}

/** The config entry behind an image key. */
export function configImage(config: Pick<ProjectConfig, "bases" | "pipelineImages">, key: ImageKey): ConfigImage {
  const [section, name] = key.split(".") as ["bases" | "pipelineImages", string];
  const entry = (config[section] as unknown as Record<string, ConfigImage | undefined>)[name];
  if (!entry) throw new ProjectConfigError(`todo.config.yaml has no ${key}`);
  return entry;
}

/** A registry value checked against the rule; `source` names where it came from (key, variable or option). */
export function checkRegistry(value: string, source: string): string {
  if (!REGISTRY_PATTERN.test(value)) throw new ProjectConfigError(`${source}: "${value}" ${REGISTRY_RULE}`);
  return value;
}

/**
 * The registry in effect: an override (TODO_REGISTRY, the module's --registry)
 * wins over the config's `registry:`; an empty override is no override, "none" means none.
 */
export function withRegistry<C extends { registry: string | null }>(config: C, override: string | undefined, source: string): C {
  const value = override?.trim();
  if (!value) return config;
  if (value === "none") return { ...config, registry: null };
  return { ...config, registry: checkRegistry(value, source) };
}

/** The repository path of an image name without its registry host (docker.io/library/node → library/node). */
export function mirrorName(image: string): string {
  const [first, ...rest] = image.split("/");
  const isHost = rest.length > 0 && (first!.includes(".") || first!.includes(":") || first === "localhost");
  return isHost ? rest.join("/") : image;
}

/**
 * The fully qualified name a container runtime resolves a short name to, as
 * the kubelet asks containerd for it: `todo-backend:sha-1` →
 * `docker.io/library/todo-backend:sha-1`, `team/app:1` → `docker.io/team/app:1`;
 * a name with a registry host is kept. An image imported under the short name
 * is never found (ImagePullBackOff).
 */
export function normalizedImageName(name: string): string {
  if (mirrorName(name) !== name) return name;
  return name.includes("/") ? `docker.io/${name}` : `docker.io/library/${name}`;
}

/**
 * Where a deploy pushes the images it built, for the cluster to pull them by
 * digest: the deploy's own choice (`none`: never), else the air-gapped
 * registry for every target but k3s (which imports them at its start).
 * null: not pushed; the host loads them into the node (pipeline:deploy).
 */
export function pushRegistry(target: string, override: string | undefined, registry: string | null): string | null {
  const value = override?.trim();
  if (value === "none") return null;
  if (value) return checkRegistry(value, "--image-registry");
  return target === "k3s" ? null : registry;
}

/** What a container or a Dockerfile base is started from, for one image key. */
export function imageRef(config: Pick<ProjectConfig, "bases" | "pipelineImages" | "registry">, key: ImageKey): string {
  const i = configImage(config, key);
  if (!config.registry) return `${i.image}:${i.tag}@${i.digest}`;
  return `${checkRegistry(config.registry, "registry")}/${mirrorName(i.image)}:${i.tag}`;
}

/** True when the reference is pinned by digest (no tag to resolve). */
export const isPinned = (ref: string) => /@sha256:[0-9a-f]{64}$/.test(ref);

/**
 * The run record's images: reference as pulled (without the digest) → digest.
 * Pinned references record their pin; tags from a registry record what `resolve` answers
 * (a failure is recorded as "unresolved: …" rather than failing the run).
 */
export async function recordedImages(
  config: Pick<ProjectConfig, "bases" | "pipelineImages" | "registry">,
  keys: readonly ImageKey[],
  resolve: (ref: string) => Promise<string>,
): Promise<Record<string, string>> {
  const entries = await Promise.all(
    keys.map(async (key): Promise<[string, string]> => {
      const ref = imageRef(config, key);
      if (isPinned(ref)) {
        const at = ref.lastIndexOf("@");
        return [ref.slice(0, at), ref.slice(at + 1)];
      }
      try {
        const digest = await resolve(ref);
        if (!/^sha256:[0-9a-f]{64}$/.test(digest)) throw new Error(`answered "${digest}", not a sha256 digest`);
        return [ref, digest];
      } catch (err) {
        const why = (err as Error).message.split("\n")[0];
        return [ref, `unresolved: ${why} (is it in the registry? npm run images:local-registry pushes it)`];
      }
    }),
  );
  return Object.fromEntries(entries);
}

/** The digest in a fully qualified reference (`name:tag@sha256:…`, as Dagger's Container.imageRef answers). */
export function digestOf(qualifiedRef: string): string {
  const m = /@(sha256:[0-9a-f]{64})$/.exec(qualifiedRef);
  if (!m) throw new Error(`no digest in "${qualifiedRef}"`);
  return m[1]!;
}
