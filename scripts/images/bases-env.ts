// Prints the base-image facts of todo.config.yaml as shell assignments, so
// build-bases.sh reads the config once: `eval "$(tsx scripts/images/bases-env.ts)"`.
// The Debian mirror is the machine's own, from its apt sources.
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { loadProjectConfig } from "../../ci/config/load.js";
import { debianMirror } from "../../ci/images/apt-sources.js";

const config = loadProjectConfig();
const { build, runtime, localPackages } = config.bases;
const nodeVersion = config.versions.node;
if (!nodeVersion) throw new Error("todo.config.yaml: versions.node is missing; add the Node version the bases carry");

/** /etc/apt/sources.list and sources.list.d/*.list, *.sources: file name → text. */
function aptSourceFiles(etc = "/etc/apt"): Record<string, string> {
  const files: Record<string, string> = {};
  const main = join(etc, "sources.list");
  if (existsSync(main)) files[main] = readFileSync(main, "utf8");
  const dir = join(etc, "sources.list.d");
  if (existsSync(dir)) {
    for (const name of readdirSync(dir).sort()) {
      if (name.endsWith(".list") || name.endsWith(".sources")) files[join(dir, name)] = readFileSync(join(dir, name), "utf8");
    }
  }
  return files;
}

const quote = (v: string) => `'${v.replaceAll("'", "'\\''")}'`;
const vars: Record<string, string> = {
  NODE_VERSION: nodeVersion,
  NPM_VERSION: localPackages.npm,
  DEBIAN_SUITE: localPackages.debianSuite,
  DEBIAN_MIRROR: debianMirror(aptSourceFiles(process.env.TODO_APT_ETC ?? "/etc/apt"), localPackages.debianSuite),
  BUILD_BASE: `${build.local}:${nodeVersion}`,
  RUNTIME_BASE: `${runtime.local}:${nodeVersion}`,
  RUNTIME_UID: String(config.runtimeUser.uid),
};
for (const [k, v] of Object.entries(vars)) console.log(`${k}=${quote(v)}`);
