// build-backend / build-frontend: the docker/ Dockerfiles through the engine's
// BuildKit, with the context cut to each Dockerfile's allow-list and the
// build arguments todo.config.yaml gives, the bases included (imageRef: pinned
// upstream, or from the air-gapped registry).
import { type Container, type Directory, dag } from "@dagger.io/dagger";
import type { AppName, ProjectConfig } from "../config/project-config.js";
import { type ImageProvenance, imageBuildArgs, provenanceLabels } from "../images/build-args.js";
import { contextFilter } from "../images/context-filter.js";
import { type ImageKey, digestOf, imageRef, isPinned } from "../images/registry.js";

/**
 * imageRef pinned to a digest: with a registry, the one its tag resolves to now. The engine
 * caches a Dockerfile build by its call, so with the digest among its arguments a re-pushed
 * base is a new build, whether or not the engine would resolve the tag again.
 */
export async function pinnedImageRef(config: ProjectConfig, key: ImageKey): Promise<string> {
  const ref = imageRef(config, key);
  return isPinned(ref) ? ref : `${ref}@${digestOf(await dag.container().from(ref).imageRef())}`;
}

/**
 * The image without its provenance: the Dockerfile's defaults stand for the commit, its time
 * and origin. It changes only when a file the build reads changes, so a new commit that
 * touches none of them (a README edit) leaves it, and the scan and size check of it, cached.
 */
export async function buildBareImage(source: Directory, config: ProjectConfig, app: AppName): Promise<Container> {
  const dockerfile = config.apps[app].dockerfile;
  const ignoreFile = `${dockerfile}.dockerignore`;
  const { include, exclude } = contextFilter(await source.file(ignoreFile).contents(), ignoreFile);
  const context = source.filter({ include: [...include, dockerfile, ignoreFile], exclude });
  const [build, runtime] = await Promise.all([pinnedImageRef(config, "bases.build"), pinnedImageRef(config, "bases.runtime")]);
  const buildArgs = Object.entries(imageBuildArgs(config, app, null, { baseRefs: { build, runtime } })).map(([name, value]) => ({ name, value }));
  // No npm_ca secret: the Dockerfiles fall back to the system bundle, where the engine puts its CAs.
  // (A secret made here would be keyed by this module's source: any edit to ci/ would rebuild both images.)
  return context.dockerBuild({ dockerfile, buildArgs });
}

/** The image as shipped: the bare image with its provenance labels (its config changes, not its layers). */
export function withProvenance(image: Container, provenance: ImageProvenance): Container {
  return Object.entries(provenanceLabels(provenance)).reduce((c, [name, value]) => c.withLabel(name, value), image);
}

export async function buildImage(source: Directory, config: ProjectConfig, app: AppName, provenance: ImageProvenance): Promise<Container> {
  return withProvenance(await buildBareImage(source, config, app), provenance);
}
