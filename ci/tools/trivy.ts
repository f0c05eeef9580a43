// The Trivy wrapper: command lines (used by the Dagger scan step inside the
// pinned Trivy container and by the host route) and a host runner via execa.
// One scan writes JSON; the SBOM is derived from that JSON, not a second scan.
import { execa } from "execa";
import type { ProjectConfig } from "../config/project-config.js";

export interface ImageScanOptions {
  /** Image tarball (docker save / OCI) to scan. */
  input: string;
  output: string;
  scanners: ProjectConfig["scan"]["scanners"];
  cacheDir?: string;
  /**
   * Where the vulnerability DB comes from when `vuln` runs: "offline", already
   * under cacheDir (scan.offlineDb) and never fetched; "download", Trivy fetches it.
   */
  db: "offline" | "download";
}

/** Flags that keep Trivy from reaching the network for anything but a DB download it was asked for. */
export const TRIVY_NO_NETWORK_FLAGS = [
  // The misconfiguration checks embedded in the pinned Trivy, not the day's bundle: same version, same checks.
  "--skip-check-update",
  // No API requests to identify dependencies (e.g. jar lookups).
  "--offline-scan",
  "--skip-version-check",
  "--disable-telemetry",
] as const;

export function trivyImageArgs(o: ImageScanOptions): string[] {
  // No DB is used without vuln; with an offline DB neither it nor the Java DB may be fetched.
  const skipDb = o.db === "offline" || !o.scanners.includes("vuln");
  return [
    "image",
    "--input", o.input,
    "--format", "json",
    "--output", o.output,
    // Every package is listed, so a CycloneDX SBOM can be derived from this one report.
    "--list-all-pkgs",
    "--scanners", o.scanners.join(","),
    // The gate decides; trivy itself always exits 0 when the scan ran.
    "--exit-code", "0",
    ...TRIVY_NO_NETWORK_FLAGS,
    ...(o.cacheDir ? ["--cache-dir", o.cacheDir] : []),
    ...(skipDb ? ["--skip-db-update", "--skip-java-db-update"] : []),
  ];
}

/** The one error a scan that needs the vulnerability DB gives when it has none and cannot fetch one. */
export const NO_VULN_DB_FIX =
  "the vuln scanner needs Trivy's vulnerability DB and none can be downloaded here: supply one as scan.offlineDb in todo.config.yaml (README: \"Scanning on a closed network\"), or drop vuln from scan.scanners (for one run: --scanners secret,misconfig on the module, TODO_SCAN_SCANNERS on the host)";

/** Trivy's output when it failed for want of its DB (download refused, or skipped on a first run). */
export function isMissingDbFailure(output: string): boolean {
  return /failed to download (vulnerability|Java) DB|cannot be specified on the first run|DB error/i.test(output);
}

export function trivyFilesystemArgs(o: { path: string; output: string; scanners: string[]; cacheDir?: string }): string[] {
  return ["fs", "--format", "json", "--output", o.output, "--scanners", o.scanners.join(","), "--exit-code", "0", ...(o.cacheDir ? ["--cache-dir", o.cacheDir] : []), o.path];
}

/** A CycloneDX SBOM from an existing JSON report (no second scan). */
export function trivySbomArgs(o: { report: string; output: string }): string[] {
  return ["convert", "--format", "cyclonedx", "--output", o.output, o.report];
}

export class TrivyError extends Error {}

export async function runTrivy(argv: readonly string[], opts: { binary?: string } = {}): Promise<void> {
  const r = await execa(opts.binary ?? "trivy", argv, { reject: false, all: true });
  if (r.failed) {
    const hint = r.code === "ENOENT" ? "trivy is not installed on this machine: install it, or run the scan through `dagger call scan`" : r.all?.split("\n").slice(-5).join("\n");
    throw new TrivyError(`trivy ${argv.slice(0, 1).join(" ")} failed (${r.exitCode ?? r.code}): ${hint}`);
  }
}
