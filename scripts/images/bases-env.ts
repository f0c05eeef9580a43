// Prints the base-image facts of todo.config.yaml as shell assignments, so
// build-bases.sh reads the config once: `eval "$(tsx scripts/images/bases-env.ts)"`.
import { loadProjectConfig } from "../../ci/config/load.js";

const config = loadProjectConfig();
const { build, runtime, localPackages } = config.bases;
const nodeVersion = config.versions.node;
if (!nodeVersion) throw new Error("todo.config.yaml: versions.node is missing; add the Node version the bases carry");

const quote = (v: string) => `'${v.replaceAll("'", "'\\''")}'`;
const vars: Record<string, string> = {
  NODE_VERSION: nodeVersion,
  NPM_VERSION: localPackages.npm,
  DEBIAN_SUITE: localPackages.debianSuite,
  DEBIAN_MIRROR: localPackages.debianMirror,
  BUILD_BASE: `${build.local}:${nodeVersion}`,
  RUNTIME_BASE: `${runtime.local}:${nodeVersion}`,
  RUNTIME_UID: String(config.runtimeUser.uid),
};
for (const [k, v] of Object.entries(vars)) console.log(`${k}=${quote(v)}`);
