// Prints what `npm run images:local-registry` needs from todo.config.yaml as
// shell assignments: the registry in effect (--registry, TODO_REGISTRY, or
// registry:), and every image reference through imageRef, so the names pushed
// are exactly the ones the pipeline pulls.
import { loadProjectConfig } from "../../ci/config/load.js";
import { checkRegistry, imageRef } from "../../ci/images/registry.js";

const fail = (message: string): never => {
  console.error(`images:local-registry: ${message}`);
  process.exit(1);
};

const config = loadProjectConfig();
const cli = process.argv[2];
const registry =
  (cli ? checkRegistry(cli, "--registry") : config.registry) ??
  fail("no registry is set: run with TODO_REGISTRY=<host:port> (the address the Dagger engine reaches, e.g. the Docker bridge's 172.17.0.1:5000), or set registry: in todo.config.yaml");
const c = { ...config, registry };
const { golang, trivy, postgres } = config.pipelineImages;

// The Go toolchain: versions.go, which must be a patch release of the golang tag's minor (1.26-bookworm → 1.26.x).
const goVersion = config.versions.go ?? fail("todo.config.yaml: versions.go is missing; set the Go release the golang image carries (e.g. 1.26.11)");
const goMinor = /^(\d+\.\d+)/.exec(golang.tag)?.[1];
if (!goMinor || !goVersion.startsWith(`${goMinor}.`)) fail(`todo.config.yaml: versions.go ${goVersion} is not a ${goMinor ?? "?"}.x release, which pipelineImages.golang.tag ${golang.tag} names; make them agree`);
// PostgreSQL: the release the postgres tag names (17.6-alpine → 17.6).
const pgVersion = /^(\d+(?:\.\d+)?)/.exec(postgres.tag)?.[1] ?? fail(`pipelineImages.postgres.tag ${postgres.tag} does not start with a PostgreSQL version`);

const quote = (v: string) => `'${v.replaceAll("'", "'\\''")}'`;
const vars: Record<string, string> = {
  REGISTRY: registry,
  BUILD_REF: imageRef(c, "bases.build"),
  RUNTIME_REF: imageRef(c, "bases.runtime"),
  GOLANG_REF: imageRef(c, "pipelineImages.golang"),
  TRIVY_REF: imageRef(c, "pipelineImages.trivy"),
  POSTGRES_REF: imageRef(c, "pipelineImages.postgres"),
  K3S_REF: imageRef(c, "pipelineImages.k3s"),
  GO_VERSION: goVersion,
  TRIVY_VERSION: trivy.tag,
  PG_VERSION: pgVersion,
  DEBIAN_SUITE: config.bases.localPackages.debianSuite,
  NODE_VERSION: config.versions.node!,
};
for (const [k, v] of Object.entries(vars)) console.log(`${k}=${quote(v)}`);
