// build-backend / build-frontend: the docker/ Dockerfiles through the engine's
// BuildKit, with the context cut to each Dockerfile's allow-list and the
// build arguments todo.config.yaml gives, the bases included (imageRef: pinned
// upstream, or from the air-gapped registry).
import { type Container, type Directory, type Secret, dag } from "@dagger.io/dagger";
import type { AppName, ProjectConfig } from "../config/project-config.js";
import { type ImageProvenance, imageBuildArgs } from "../images/build-args.js";
import { contextFilter } from "../images/context-filter.js";
import { imageRef } from "../images/registry.js";

export const SYSTEM_CA_BUNDLE = "/etc/ssl/certs/ca-certificates.crt";

/**
 * The trust bundle as the engine's containers see it: the engine adds its own
 * CA certificates (a TLS-intercepting proxy's) to a container's store while it
 * runs. Node ignores that store unless told, so the Dockerfiles' npm steps get
 * it as the npm_ca build secret (NODE_EXTRA_CA_CERTS), kept out of every layer.
 */
export async function engineCaBundle(config: ProjectConfig): Promise<Secret> {
  const bundle = await dag.container().from(imageRef(config, "bases.build")).withExec(["cat", SYSTEM_CA_BUNDLE]).stdout();
  return dag.setSecret("npm_ca", bundle);
}

export async function buildImage(source: Directory, config: ProjectConfig, app: AppName, provenance: ImageProvenance): Promise<Container> {
  const dockerfile = config.apps[app].dockerfile;
  const ignoreFile = `${dockerfile}.dockerignore`;
  const { include, exclude } = contextFilter(await source.file(ignoreFile).contents(), ignoreFile);
  const context = source.filter({ include: [...include, dockerfile, ignoreFile], exclude });
  const buildArgs = Object.entries(imageBuildArgs(config, app, provenance)).map(([name, value]) => ({ name, value }));
  return context.dockerBuild({ dockerfile, buildArgs, secrets: [await engineCaBundle(config)] });
}
