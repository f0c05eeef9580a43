// The typed view of todo.config.yaml: the one place for image names, ports,
// health paths, budgets, scan policy, chart path and deploy targets.
// Pure (text in, object out) so the Dagger module can feed it a file read from
// the source Directory and the host can feed it one read from disk.
import { parse } from "yaml";
import { z } from "zod";

export const PROJECT_CONFIG_FILE = "todo.config.yaml";

/** What Trivy can scan for (its --scanners values). */
export const SCANNERS = ["vuln", "secret", "misconfig", "license"] as const;
export type Scanner = (typeof SCANNERS)[number];

const path = z.string().regex(/^\//, "must start with /");

// A registry host: a name with a dot, an IPv4 address, or localhost, with an optional :port
// (what Docker takes as a registry rather than a Docker Hub namespace).
const LABEL = String.raw`[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?`;
const PORT = String.raw`:[0-9]{1,5}`;
const HOST = String.raw`(?:localhost(?:${PORT})?|${LABEL}(?:\.${LABEL})+(?:${PORT})?|${LABEL}${PORT})`;
const PATH_COMPONENT = String.raw`[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*`;
/** `host[:port][/path]`: where the air-gapped mode pulls every image from. */
export const REGISTRY_PATTERN = new RegExp(`^(?:${HOST})(?:/${PATH_COMPONENT})*$`);
/** An image name without tag or digest, optionally behind a `host[:port]/` registry. */
export const IMAGE_NAME_PATTERN = new RegExp(`^(?:(?:${HOST})/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*$`);
/** An image with a tag and/or a digest (the engine image: never an implicit latest). */
const ENGINE_IMAGE_PATTERN = new RegExp(`^${IMAGE_NAME_PATTERN.source.slice(1, -1)}(?::[\\w][\\w.-]{0,127}(?:@sha256:[0-9a-f]{64})?|@sha256:[0-9a-f]{64})$`);
export const REGISTRY_RULE = "must be a registry host[:port] with an optional /path and no scheme, tag or trailing slash, e.g. 172.17.0.1:5000 or registry.example.com/mirror";
const imageName = z.string().regex(IMAGE_NAME_PATTERN, "must be an image name without tag or digest, optionally behind a registry host[:port]/, e.g. node or 127.0.0.1:5000/node");
const bytes = z.number().int().positive();

const app = z.strictObject({
  image: z.string().regex(/^[a-z0-9][a-z0-9._/-]*$/, "must be a lower-case image name without tag"),
  dockerfile: z.string(),
  port: z.number().int().min(1).max(65535),
  health: z.strictObject({ liveness: path, readiness: path }),
  routes: z.array(path).min(1),
  budget: z.strictObject({ totalBytes: bytes, addedBytes: bytes }),
});

// A Dockerfile base image: the pinned upstream reference and its local stand-in.
const baseImage = z.strictObject({
  arg: z.string().regex(/^[A-Z][A-Z0-9_]*$/, "must be the Dockerfile ARG name, e.g. RUNTIME_IMAGE"),
  image: imageName,
  tag: z.string().regex(/^[\w][\w.-]{0,127}$/, "must be a tag such as 22-bookworm-slim"),
  digest: z.string().regex(/^sha256:[0-9a-f]{64}$/, "must be sha256:<64 hex digits>"),
  digestFrom: z.string().min(1, "say where the digest was taken from"),
  local: z.string().regex(/^[a-z0-9][a-z0-9._/-]*$/, "must be a local image name without tag"),
});

const ignoreEntry = z.strictObject({
  id: z.string().min(1),
  reason: z.string().min(1, "every ignored finding needs a reason"),
  expires: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "must be a date YYYY-MM-DD"),
});

// An image the pipeline runs, pinned by digest (where the digest came from is recorded).
const pinnedImage = z.strictObject({
  image: imageName,
  tag: z.string().refine((t) => t !== "latest", "pin a version tag, not latest"),
  digest: z.string().regex(/^sha256:[0-9a-f]{64}$/, "must be sha256:<64 hex digits>"),
  digestFrom: z.string().min(1, "record where the digest came from"),
});

const deployTarget = z.strictObject({
  context: z.string().optional(),
  valuesFiles: z.array(z.string()).default([]),
  /** The node's containerd socket on this host: the host CLI imports our images there before it deploys. */
  containerd: z.string().startsWith("/", "must be an absolute socket path").optional(),
});

export const projectConfigSchema = z
  .object({
    apps: z.strictObject({ backend: app, frontend: app }),
    runtimeUser: z.strictObject({ uid: z.number().int().positive(), gid: z.number().int().positive() }),
    versions: z.record(z.string(), z.string()),
    scan: z.strictObject({
      scanners: z.array(z.enum(SCANNERS)).min(1),
      failOn: z.array(z.enum(["CRITICAL", "HIGH", "MEDIUM", "LOW", "UNKNOWN"])),
      onlyFixed: z.boolean(),
      ignore: z.array(ignoreEntry).default([]),
      // Air-gapped vulnerability DB (ci/config/offline-db.ts checks its files); null: Trivy downloads it.
      offlineDb: z
        .strictObject({
          path: z.string().regex(/^(?!\/)(?!.*(?:^|\/)\.\.(?:\/|$))[^\0]*[^/\0]$/, "must be a directory relative to the repository root, inside it, without a trailing slash"),
          maxAgeDays: z.number().int().positive().default(7),
        })
        .nullable()
        .default(null),
    }),
    bases: z.strictObject({
      build: baseImage,
      runtime: baseImage,
      // The Debian mirror is the machine's own (its apt sources), not a config value.
      localPackages: z.strictObject({ debianSuite: z.string(), npm: z.string() }),
    }),
    // Air-gapped mode: every image of bases and pipelineImages is pulled from this registry
    // (see ci/images/registry.ts); null pulls the pinned upstream references.
    registry: z.string().regex(REGISTRY_PATTERN, REGISTRY_RULE).nullable().default(null),
    pipelineImages: z.strictObject({ golang: pinnedImage, trivy: pinnedImage, k3s: pinnedImage, postgres: pinnedImage }),
    chart: z.strictObject({
      path: z.string(),
      release: z.string(),
      namespace: z.string(),
      // Values files (relative to chart.path) that lint and the render matrix cover besides the defaults.
      valuesFiles: z.array(z.string().regex(/^values-[a-z0-9-]+\.yaml$/, "must be a values-<name>.yaml file in the chart")).default([]),
    }),
    // A Dagger engine run locally in Docker (closed networks); pipeline:* and test:engine use it when it is running.
    engine: z
      .strictObject({
        localContainer: z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/, "must be a container name"),
        // Dagger's engine image as mirrored into a registry of your own: pipeline:* starts it as localContainer when no engine runs.
        image: z.string().regex(ENGINE_IMAGE_PATTERN, "must be an image reference with a tag or digest, e.g. registry.example.com/dagger/engine:v0.21.9").nullable().default(null),
      })
      .optional(),
    deploy: z.strictObject({
      defaultTarget: z.string(),
      targets: z.record(z.string(), deployTarget),
    }),
  })
  // Sections other parts of the repository add (base images, …) are kept as they are.
  .passthrough();

export type ProjectConfig = z.infer<typeof projectConfigSchema>;
export type AppName = keyof ProjectConfig["apps"];
export type AppConfig = ProjectConfig["apps"][AppName];

/** The apps the config defines, in its order: the one list every step iterates. */
export const appNames = (config: Pick<ProjectConfig, "apps">): AppName[] => Object.keys(config.apps) as AppName[];
export type PinnedImage = z.infer<typeof pinnedImage>;

export class ProjectConfigError extends Error {}

/**
 * scan.scanners overridden for one run (the module's --scanners, TODO_SCAN_SCANNERS on the host):
 * a comma-separated list; empty is no override. `source` names where the value came from.
 */
export function withScanners<C extends { scan: { scanners: Scanner[] } }>(config: C, override: string | undefined, source: string): C {
  const value = override?.trim();
  if (!value) return config;
  const list = [...new Set(value.split(",").map((s) => s.trim()).filter(Boolean))];
  const unknown = list.filter((s) => !(SCANNERS as readonly string[]).includes(s));
  if (unknown.length || !list.length) throw new ProjectConfigError(`${source}: "${value}" must be a comma-separated list of ${SCANNERS.join(", ")}; unknown: ${unknown.join(", ") || "(empty)"}`);
  return { ...config, scan: { ...config.scan, scanners: list as Scanner[] } };
}

/** Parses and validates the text of todo.config.yaml; errors name the key and the fix. */
export function parseProjectConfig(text: string, source = PROJECT_CONFIG_FILE): ProjectConfig {
  let raw: unknown;
  try {
    raw = parse(text, { uniqueKeys: true });
  } catch (err) {
    throw new ProjectConfigError(`${source}: not valid YAML: ${(err as Error).message}`);
  }
  const result = projectConfigSchema.safeParse(raw);
  if (!result.success) {
    const problems = result.error.issues
      .map((i) => `  ${i.path.join(".") || "(root)"}: ${i.message}`)
      .join("\n");
    throw new ProjectConfigError(`${source} is invalid; fix these keys:\n${problems}`);
  }
  const config = result.data;
  if (!(config.deploy.defaultTarget in config.deploy.targets)) {
    throw new ProjectConfigError(
      `${source}: deploy.defaultTarget "${config.deploy.defaultTarget}" is not one of deploy.targets (${Object.keys(config.deploy.targets).join(", ")})`,
    );
  }
  return config;
}
