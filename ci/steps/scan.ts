// scan: Trivy (pinned by digest, or from the air-gapped registry) on the image tarball, once, to JSON; the gate
// decides; a CycloneDX SBOM is converted from the same report.
// The vulnerability database: scan.offlineDb mounted read-only (never
// fetched), or else downloaded by Trivy into a cache volume (the download is
// often rate-limited). Without vuln, no DB at all. Trivy never fetches its
// misconfiguration checks: the ones embedded in the pinned version run.
import { type Container, type Directory, type File, ReturnType, dag } from "@dagger.io/dagger";
import { type OfflineDbInfo, checkOfflineDb, describeScanDb, readOfflineDbFiles } from "../config/offline-db.js";
import { type ProjectConfig, ProjectConfigError } from "../config/project-config.js";
import { imageRef } from "../images/registry.js";
import { type ScanVerdict, evaluateScan, parseTrivyReport } from "../policies/scan-gate.js";
import { NO_VULN_DB_FIX, isMissingDbFailure, trivyImageArgs, trivySbomArgs } from "../tools/trivy.js";

export interface ScanResult {
  verdict: ScanVerdict;
  report: File;
  sbom: File;
  /** Which scanners ran and which DB they used, for the run record. */
  scanners: string[];
  db: string;
}

/** The offline DB as the engine sees it: its files and what metadata.json says. */
export interface ScanDb {
  dir: Directory;
  info: OfflineDbInfo;
}

export class ScanSetupError extends Error {}

/** scan.offlineDb read from the module's source Directory and checked (null when none is configured). */
export async function offlineDbFrom(source: Directory, config: ProjectConfig, now = new Date()): Promise<ScanDb | null> {
  const db = config.scan.offlineDb;
  if (!db) return null;
  if (!(await source.exists(db.path))) throw new ProjectConfigError(`scan.offlineDb: ${db.path} does not exist in the source the engine was given (a path relative to the repository root, not ignored by the module); put the DB there or set scan.offlineDb: null`);
  const dir = source.directory(db.path);
  const files = await readOfflineDbFiles({ size: async (rel) => ((await dir.exists(rel)) ? dir.file(rel).size() : null), text: (rel) => dir.file(rel).contents() });
  const info = checkOfflineDb(db, files, now);
  return { dir, info };
}

/**
 * Before any image is built: with vuln and no offline DB in air-gapped mode
 * (a registry set), Trivy's download would fail; say what to do instead.
 */
export function checkScanSetup(config: ProjectConfig, db: ScanDb | null): void {
  if (config.scan.scanners.includes("vuln") && !db && config.registry) throw new ScanSetupError(`scan (air-gapped mode, registry ${config.registry}): ${NO_VULN_DB_FIX}`);
}

export async function scanImage(config: ProjectConfig, name: string, image: Container, today: string, db: ScanDb | null = null): Promise<ScanResult> {
  checkScanSetup(config, db);
  const scanners = config.scan.scanners;
  const cache = "/root/.cache/trivy";
  let trivy = dag.container().from(imageRef(config, "pipelineImages.trivy"));
  // Only db/ and java-db/ are read-only: Trivy writes its scan cache next to them.
  if (db) {
    trivy = trivy.withMountedDirectory(`${cache}/db`, db.dir.directory("db"), { readOnly: true });
    if (db.info.javaDbUpdatedAt) trivy = trivy.withMountedDirectory(`${cache}/java-db`, db.dir.directory("java-db"), { readOnly: true });
  } else if (scanners.includes("vuln")) {
    trivy = trivy.withMountedCache(cache, dag.cacheVolume("trivy-cache"));
  }
  const ran = trivy
    .withFile("/scan/image.tar", image.asTarball())
    // The date is an input: the scan reruns at least daily, as the database and the ignore expiries change.
    .withEnvVariable("SCAN_DATE", today)
    // Trivy logs "ERROR Falling back to embedded checks" with misconfig: expected, as the checks are never fetched.
    .withExec(["trivy", ...trivyImageArgs({ input: "/scan/image.tar", output: "/scan/report.json", scanners, cacheDir: cache, db: db ? "offline" : "download" })], { expect: ReturnType.Any });
  if ((await ran.exitCode()) !== 0) {
    const output = `${await ran.stderr()}\n${await ran.stdout()}`;
    if (scanners.includes("vuln") && isMissingDbFailure(output)) throw new ScanSetupError(`scan of ${name}: ${NO_VULN_DB_FIX}`);
    throw new ScanSetupError(`scan of ${name}: trivy failed: ${output.trim().split("\n").slice(-3).join(" | ")}`);
  }
  const scanned = ran.withExec(["trivy", ...trivySbomArgs({ report: "/scan/report.json", output: "/scan/sbom.cdx.json" })]);
  const report = scanned.file("/scan/report.json");
  // Named after the image, not Trivy's ArtifactName (the tarball path, the same for every image).
  const verdict = { ...evaluateScan(parseTrivyReport(await report.contents(), `${name} trivy report`), config.scan, today), artifact: name };
  return { verdict, report, sbom: scanned.file("/scan/sbom.cdx.json"), scanners: [...scanners], db: describeScanDb(scanners, db?.info ?? null) };
}
