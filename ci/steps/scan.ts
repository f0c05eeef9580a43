// scan: Trivy (pinned by digest, or from the air-gapped registry) on the image tarball, once, to JSON; the gate
// decides; a CycloneDX SBOM is converted from the same report. The
// vulnerability database lives on a cache volume (its download is often rate-limited).
import { type Container, type File, dag } from "@dagger.io/dagger";
import type { ProjectConfig } from "../config/project-config.js";
import { imageRef } from "../images/registry.js";
import { type ScanVerdict, evaluateScan, parseTrivyReport } from "../policies/scan-gate.js";
import { trivyImageArgs, trivySbomArgs } from "../tools/trivy.js";

export interface ScanResult {
  verdict: ScanVerdict;
  report: File;
  sbom: File;
}

export async function scanImage(config: ProjectConfig, name: string, image: Container, today: string): Promise<ScanResult> {
  const cache = "/root/.cache/trivy";
  const scanned = dag
    .container()
    .from(imageRef(config, "pipelineImages.trivy"))
    .withMountedCache(cache, dag.cacheVolume("trivy-cache"))
    .withFile("/scan/image.tar", image.asTarball())
    // The date is an input: the scan reruns at least daily, as the database and the ignore expiries change.
    .withEnvVariable("SCAN_DATE", today)
    .withExec(["trivy", ...trivyImageArgs({ input: "/scan/image.tar", output: "/scan/report.json", scanners: config.scan.scanners, cacheDir: cache })])
    .withExec(["trivy", ...trivySbomArgs({ report: "/scan/report.json", output: "/scan/sbom.cdx.json" })]);
  const report = scanned.file("/scan/report.json");
  const verdict = evaluateScan(parseTrivyReport(await report.contents(), `${name} trivy report`), config.scan, today);
  return { verdict, report, sbom: scanned.file("/scan/sbom.cdx.json") };
}
