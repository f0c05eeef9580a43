import { describe, expect, it } from "vitest";
import { TrivyError, runTrivy, trivyFilesystemArgs, trivyImageArgs, trivySbomArgs } from "./trivy.js";

describe("trivy command lines", () => {
  it("scans once to JSON with explicit scanners and every package listed", () => {
    expect(trivyImageArgs({ input: "/in/backend.tar", output: "/out/backend.json", scanners: ["vuln", "secret"], cacheDir: "/cache", skipDbUpdate: true })).toEqual([
      "image", "--input", "/in/backend.tar", "--format", "json", "--output", "/out/backend.json", "--list-all-pkgs", "--scanners", "vuln,secret", "--exit-code", "0", "--cache-dir", "/cache", "--skip-db-update",
    ]);
  });

  it("derives the SBOM from that report", () => {
    expect(trivySbomArgs({ report: "/out/r.json", output: "/out/r.cdx.json" })).toEqual(["convert", "--format", "cyclonedx", "--output", "/out/r.cdx.json", "/out/r.json"]);
  });

  it("says how to fix a missing trivy binary", async () => {
    await expect(runTrivy(["--version"], { binary: "/nonexistent/trivy" })).rejects.toThrow(TrivyError);
    await expect(runTrivy(["--version"], { binary: "/nonexistent/trivy" })).rejects.toThrow(/not installed on this machine/);
  });
});

// The host's real trivy (scripts/setup/trivy.sh builds the pinned version):
// secret scanning and SBOM conversion need no vulnerability database.
describe("trivy command lines with the real binary", () => {
  it("finds a planted secret, and the gate blocks it", async () => {
    const { mkdtempSync, writeFileSync, readFileSync, rmSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const { evaluateScan, parseTrivyReport } = await import("../policies/scan-gate.js");
    const dir = mkdtempSync(join(tmpdir(), "trivy-real-"));
    try {
      const src = join(dir, "src");
      const { mkdirSync } = await import("node:fs");
      mkdirSync(src);
      writeFileSync(join(src, "creds.txt"), "AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLQ\n");
      writeFileSync(join(src, "clean.txt"), "nothing to see\n");
      const report = join(dir, "report.json");
      await runTrivy(trivyFilesystemArgs({ path: src, output: report, scanners: ["secret"], cacheDir: join(dir, "cache") }));
      const verdict = evaluateScan(parseTrivyReport(readFileSync(report, "utf8")), { scanners: ["secret"], failOn: ["CRITICAL", "HIGH"], onlyFixed: true, ignore: [] }, "2026-11-22");
      expect(verdict.passed).toBe(false);
      expect(verdict.blocking.map((f) => `${f.kind}:${f.id}:${f.target}`)).toEqual(["secret:aws-access-key-id:creds.txt"]);

      const sbom = join(dir, "sbom.cdx.json");
      await runTrivy(trivySbomArgs({ report, output: sbom }));
      expect(JSON.parse(readFileSync(sbom, "utf8"))).toMatchObject({ bomFormat: "CycloneDX" });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
