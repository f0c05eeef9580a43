import { describe, expect, it } from "vitest";
import { TrivyError, runTrivy, trivyImageArgs, trivySbomArgs } from "./trivy.js";

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
