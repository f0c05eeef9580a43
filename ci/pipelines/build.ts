// build: both images, in parallel.
import type { Container, Directory } from "@dagger.io/dagger";
import type { ProjectConfig } from "../config/project-config.js";
import type { ImageProvenance } from "../images/build-args.js";
import { buildImage } from "../steps/build.js";

export async function buildBoth(source: Directory, config: ProjectConfig, provenance: ImageProvenance): Promise<{ backend: Container; frontend: Container }> {
  const [backend, frontend] = await Promise.all([buildImage(source, config, "backend", provenance), buildImage(source, config, "frontend", provenance)]);
  return { backend, frontend };
}
