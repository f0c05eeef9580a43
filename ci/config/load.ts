// Host-side reading of todo.config.yaml (the Dagger module reads it from its source Directory instead).
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { REGISTRY_ENV, withRegistry } from "../images/registry.js";
import { OFFLINE_DB_FILES, type OfflineDbFiles, checkOfflineDb } from "./offline-db.js";
import { PROJECT_CONFIG_FILE, parseProjectConfig, type ProjectConfig, withScanners } from "./project-config.js";

/** The repository root: the directory holding todo.config.yaml. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

/** scan.scanners for one run on the host (reaches the module as --scanners). */
export const SCANNERS_ENV = "TODO_SCAN_SCANNERS";

/** The offline DB's files on disk, relative to `dir`. */
export function offlineDbFilesOnDisk(dir: string): OfflineDbFiles {
  const size = (rel: string) => (existsSync(join(dir, rel)) ? statSync(join(dir, rel)).size : null);
  const text = (rel: string) => (size(rel) === null ? null : readFileSync(join(dir, rel), "utf8"));
  return { dbBytes: size(OFFLINE_DB_FILES.db), metadata: text(OFFLINE_DB_FILES.metadata), javaDbBytes: size(OFFLINE_DB_FILES.javaDb), javaMetadata: text(OFFLINE_DB_FILES.javaMetadata) };
}

/**
 * The config, with TODO_REGISTRY and TODO_SCAN_SCANNERS (when set) overriding `registry:` and
 * `scan.scanners` so CI and a laptop can differ without editing the file; scan.offlineDb, when set, is checked on disk.
 */
export function loadProjectConfig(root = REPO_ROOT, env: NodeJS.ProcessEnv = process.env, now = new Date()): ProjectConfig {
  const file = join(root, PROJECT_CONFIG_FILE);
  const parsed = parseProjectConfig(readFileSync(file, "utf8"), file);
  const config = withScanners(withRegistry(parsed, env[REGISTRY_ENV], `${REGISTRY_ENV} (overrides registry in ${PROJECT_CONFIG_FILE})`), env[SCANNERS_ENV], `${SCANNERS_ENV} (overrides scan.scanners in ${PROJECT_CONFIG_FILE})`);
  if (config.scan.offlineDb) checkOfflineDb(config.scan.offlineDb, offlineDbFilesOnDisk(join(root, config.scan.offlineDb.path)), now);
  return config;
}
