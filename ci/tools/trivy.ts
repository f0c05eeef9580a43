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
  /** Vulnerability DB already present (cache volume) or not wanted. */
  skipDbUpdate?: boolean;
}

export function trivyImageArgs(o: ImageScanOptions): string[] {
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
    ...(o.cacheDir ? ["--cache-dir", o.cacheDir] : []),
    ...(o.skipDbUpdate ? ["--skip-db-update"] : []),
  ];
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
