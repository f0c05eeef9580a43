// scan.offlineDb: a Trivy vulnerability database supplied as files, the way
// air-gapped Trivy users run it. The directory (relative to the repository)
// holds what `trivy image --download-db-only --cache-dir DIR` or an oras pull
// of the trivy-db:2 artifact leaves: db/trivy.db and db/metadata.json, and
// optionally java-db/trivy-java.db with its metadata.json.
// Checked when the config is loaded (host: load.ts, module: its source
// Directory), through a reader, so the check itself stays pure.
import { ProjectConfigError, type ProjectConfig } from "./project-config.js";

/** The trivy-db schema Trivy 0.68.2 reads (github.com/aquasecurity/trivy-db pkg/db SchemaVersion). */
export const TRIVY_DB_SCHEMA = 2;
/** The trivy-java-db schema Trivy 0.68.2 reads. */
export const TRIVY_JAVA_DB_SCHEMA = 1;

export const OFFLINE_DB_FILES = {
  db: "db/trivy.db",
  metadata: "db/metadata.json",
  javaDb: "java-db/trivy-java.db",
  javaMetadata: "java-db/metadata.json",
} as const;

/** The DB directory's files as read by the host (fs) or the module (its source Directory); null: absent. */
export interface OfflineDbFiles {
  dbBytes: number | null;
  metadata: string | null;
  javaDbBytes: number | null;
  javaMetadata: string | null;
}

/** Gathers OfflineDbFiles through a reader (size: null when absent). */
export async function readOfflineDbFiles(read: { size(rel: string): Promise<number | null>; text(rel: string): Promise<string> }): Promise<OfflineDbFiles> {
  const [dbBytes, metaBytes, javaDbBytes, javaMetaBytes] = await Promise.all([read.size(OFFLINE_DB_FILES.db), read.size(OFFLINE_DB_FILES.metadata), read.size(OFFLINE_DB_FILES.javaDb), read.size(OFFLINE_DB_FILES.javaMetadata)]);
  return {
    dbBytes,
    metadata: metaBytes === null ? null : await read.text(OFFLINE_DB_FILES.metadata),
    javaDbBytes,
    javaMetadata: javaMetaBytes === null ? null : await read.text(OFFLINE_DB_FILES.javaMetadata),
  };
}

/** What the run record says about the database a scan used. */
export interface OfflineDbInfo {
  path: string;
  /** metadata.json UpdatedAt: when the advisories were last refreshed. */
  updatedAt: string;
  javaDbUpdatedAt?: string;
}

export type OfflineDbConfig = NonNullable<ProjectConfig["scan"]["offlineDb"]>;

const HOW_TO_GET = "copy in the db/ directory of a Trivy cache filled on a connected machine (trivy image --download-db-only --cache-dir DIR, or an oras pull of the trivy-db:2 artifact)";

function metadataOf(text: string, file: string, schema: number): { updatedAt: string } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new ProjectConfigError(`scan.offlineDb: ${file} is not JSON; ${HOW_TO_GET}`);
  }
  const m = raw as { Version?: unknown; UpdatedAt?: unknown };
  if (m.Version !== schema) throw new ProjectConfigError(`scan.offlineDb: ${file} has schema Version ${String(m.Version)}, the pinned Trivy reads ${schema}; fetch the matching DB (${HOW_TO_GET})`);
  if (typeof m.UpdatedAt !== "string" || Number.isNaN(Date.parse(m.UpdatedAt))) throw new ProjectConfigError(`scan.offlineDb: ${file} has no UpdatedAt time; ${HOW_TO_GET}`);
  return { updatedAt: m.UpdatedAt };
}

/**
 * Checks the offline DB directory; throws a one-line ProjectConfigError naming
 * the fix (missing files, wrong schema, advisories older than maxAgeDays). Pure.
 */
export function checkOfflineDb(db: OfflineDbConfig, files: OfflineDbFiles, now: Date): OfflineDbInfo {
  const at = (rel: string) => `${db.path}/${rel}`;
  if (!files.dbBytes) throw new ProjectConfigError(`scan.offlineDb: ${at(OFFLINE_DB_FILES.db)} is missing or empty; ${HOW_TO_GET}, or set scan.offlineDb: null`);
  if (!files.metadata) throw new ProjectConfigError(`scan.offlineDb: ${at(OFFLINE_DB_FILES.metadata)} is missing or empty (Trivy refuses a DB without it); ${HOW_TO_GET}`);
  const { updatedAt } = metadataOf(files.metadata, at(OFFLINE_DB_FILES.metadata), TRIVY_DB_SCHEMA);
  // An old DB misses every advisory published since: a pass on it would look like a full one.
  const ageDays = (now.getTime() - Date.parse(updatedAt)) / 86_400_000;
  if (ageDays > db.maxAgeDays) {
    throw new ProjectConfigError(`scan.offlineDb: ${at(OFFLINE_DB_FILES.metadata)} UpdatedAt ${updatedAt} is ${Math.floor(ageDays)} days old, over scan.offlineDb.maxAgeDays (${db.maxAgeDays}); refresh the DB (${HOW_TO_GET})`);
  }
  const info: OfflineDbInfo = { path: db.path, updatedAt };
  if (files.javaDbBytes) {
    if (!files.javaMetadata) throw new ProjectConfigError(`scan.offlineDb: ${at(OFFLINE_DB_FILES.javaMetadata)} is missing next to ${at(OFFLINE_DB_FILES.javaDb)}; copy it too, or remove java-db/`);
    info.javaDbUpdatedAt = metadataOf(files.javaMetadata, at(OFFLINE_DB_FILES.javaMetadata), TRIVY_JAVA_DB_SCHEMA).updatedAt;
  }
  return info;
}

/** The scan's database in one line, for the run record and logs: a vuln-less scan says so. */
export function describeScanDb(scanners: readonly string[], db: OfflineDbInfo | null): string {
  if (!scanners.includes("vuln")) return "none (vuln scanner not run)";
  if (!db) return "downloaded by Trivy at scan time";
  return `offline ${db.path}, UpdatedAt ${db.updatedAt}${db.javaDbUpdatedAt ? `, java-db UpdatedAt ${db.javaDbUpdatedAt}` : ""}`;
}

/** The run record's `scan`: the scanners and the DB, its UpdatedAt only when vuln ran on it. */
export function scanRecordOf(scanners: readonly string[], db: OfflineDbInfo | null): { scanners: string[]; db: string; dbUpdatedAt?: string } {
  return { scanners: [...scanners], db: describeScanDb(scanners, db), ...(db && scanners.includes("vuln") ? { dbUpdatedAt: db.updatedAt } : {}) };
}
