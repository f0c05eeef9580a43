// Host-side reading of todo.config.yaml (the Dagger module reads it from its source Directory instead).
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { PROJECT_CONFIG_FILE, parseProjectConfig, type ProjectConfig } from "./project-config.js";

/** The repository root: the directory holding todo.config.yaml. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

export function loadProjectConfig(root = REPO_ROOT): ProjectConfig {
  const file = join(root, PROJECT_CONFIG_FILE);
  return parseProjectConfig(readFileSync(file, "utf8"), file);
}
