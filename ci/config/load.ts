// Host-side reading of todo.config.yaml (the Dagger module reads it from its source Directory instead).
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { REGISTRY_ENV, withRegistry } from "../images/registry.js";
import { PROJECT_CONFIG_FILE, parseProjectConfig, type ProjectConfig } from "./project-config.js";

/** The repository root: the directory holding todo.config.yaml. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

/** The config, with TODO_REGISTRY (when set) overriding `registry:` so CI and a laptop can differ without editing the file. */
export function loadProjectConfig(root = REPO_ROOT, env: NodeJS.ProcessEnv = process.env): ProjectConfig {
  const file = join(root, PROJECT_CONFIG_FILE);
  return withRegistry(parseProjectConfig(readFileSync(file, "utf8"), file), env[REGISTRY_ENV], `${REGISTRY_ENV} (overrides registry in ${PROJECT_CONFIG_FILE})`);
}
