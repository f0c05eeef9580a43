// The build arguments of docker/<app>/Dockerfile, derived from todo.config.yaml,
// so the pipeline (dockerBuild buildArgs), the image tests and the benchmark
// build the same image the same way. Pure.
import type { AppName, ProjectConfig } from "../config/project-config.js";
import { imageRef } from "./registry.js";

export interface ImageProvenance {
  /** Repository URL for org.opencontainers.image.source. */
  source: string;
  /** Commit the image is built from. */
  revision: string;
  version: string;
  /** RFC 3339 time; keep it fixed (e.g. the commit time) for reproducible, cacheable builds. */
  created: string;
}

/** A repository URL fit for an image label: a user or token in it (https://user:token@host/…) is dropped. */
export function withoutCredentials(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^@/]*@/i, "$1");
}

/** `image:tag@digest` reference of a base, as the Dockerfiles' ARG defaults spell it (the registry-less imageRef). */
export function upstreamBaseRef(config: Pick<ProjectConfig, "bases" | "pipelineImages">, which: "build" | "runtime"): string {
  return imageRef({ ...config, registry: null }, `bases.${which}`);
}

/** Tag of the local stand-in built by scripts/images/build-bases.sh. */
export function localBaseRef(config: ProjectConfig, which: "build" | "runtime"): string {
  return `${config.bases[which].local}:${config.versions.node}`;
}

/** The OCI labels the Dockerfiles set from the provenance build arguments. */
export function provenanceLabels(provenance: ImageProvenance): Record<string, string> {
  return {
    "org.opencontainers.image.source": provenance.source,
    "org.opencontainers.image.revision": provenance.revision,
    "org.opencontainers.image.version": provenance.version,
    "org.opencontainers.image.created": provenance.created,
  };
}

/**
 * The Dockerfile's build arguments. Without `provenance` the SOURCE, REVISION, VERSION and
 * CREATED arguments are left to the Dockerfile's defaults (an image whose layers and config
 * depend on its inputs alone; provenanceLabels are then set on the built image).
 */
export function imageBuildArgs(
  config: ProjectConfig,
  app: AppName,
  provenance: ImageProvenance | null,
  /**
   * localBases: the stand-ins in the local Docker Engine (build-bases.sh); baseRefs: the bases as
   * the caller resolved them (pinned to digests); otherwise the config's bases through imageRef.
   */
  opts: { localBases?: boolean; baseRefs?: Record<"build" | "runtime", string> } = {},
): Record<string, string> {
  const a = config.apps[app];
  const args: Record<string, string> = {
    PORT: String(a.port),
    // Docker has one health state, so the image checks readiness (liveness is for the orchestrator).
    HEALTH_PATH: a.health.readiness,
    UID: String(config.runtimeUser.uid),
    GID: String(config.runtimeUser.gid),
    ...(provenance ? { SOURCE: provenance.source, REVISION: provenance.revision, VERSION: provenance.version, CREATED: provenance.created } : {}),
  };
  for (const which of ["build", "runtime"] as const) {
    args[config.bases[which].arg] = opts.localBases ? localBaseRef(config, which) : (opts.baseRefs?.[which] ?? imageRef(config, `bases.${which}`));
  }
  return args;
}

/** ARG defaults of a Dockerfile (`ARG NAME=value`), for checking them against the config. */
export function dockerfileArgDefaults(dockerfile: string): Map<string, string> {
  const defaults = new Map<string, string>();
  for (const line of dockerfile.replace(/\\\r?\n/g, " ").split(/\r?\n/)) {
    const m = /^\s*ARG\s+([A-Za-z_][A-Za-z0-9_]*)=("?)([^"\s]*)\2\s*$/.exec(line);
    if (m) defaults.set(m[1]!, m[3]!);
  }
  return defaults;
}
