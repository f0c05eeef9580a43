// build-backend / build-frontend: the docker/ Dockerfiles through the engine's
// BuildKit, with the context cut to each Dockerfile's allow-list and the
// build arguments todo.config.yaml gives, the bases included (imageRef: pinned
// upstream, or from the air-gapped registry).
import type { Container, Directory } from "@dagger.io/dagger";
import type { AppName, ProjectConfig } from "../config/project-config.js";
import { type ImageProvenance, imageBuildArgs } from "../images/build-args.js";
import { contextFilter } from "../images/context-filter.js";

export async function buildImage(source: Directory, config: ProjectConfig, app: AppName, provenance: ImageProvenance): Promise<Container> {
  const dockerfile = config.apps[app].dockerfile;
  const ignoreFile = `${dockerfile}.dockerignore`;
  const { include, exclude } = contextFilter(await source.file(ignoreFile).contents(), ignoreFile);
  const context = source.filter({ include: [...include, dockerfile, ignoreFile], exclude });
  const buildArgs = Object.entries(imageBuildArgs(config, app, provenance)).map(([name, value]) => ({ name, value }));
  return context.dockerBuild({ dockerfile, buildArgs });
}
