import { describe, expect, it } from "vitest";
import { NO_VULN_DB_FIX, TrivyError, isMissingDbFailure, runTrivy, trivyFilesystemArgs, trivyImageArgs, trivySbomArgs } from "./trivy.js";

describe("trivy command lines", () => {
  const base = ["image", "--input", "/in/backend.tar", "--format", "json", "--output", "/out/backend.json", "--list-all-pkgs"];
  const noNetwork = ["--skip-check-update", "--offline-scan", "--skip-version-check", "--disable-telemetry"];

  it("scans once to JSON with explicit scanners, every package listed, and the checks embedded in the pinned Trivy", () => {
    expect(trivyImageArgs({ input: "/in/backend.tar", output: "/out/backend.json", scanners: ["vuln", "secret"], cacheDir: "/cache", db: "download" })).toEqual([
      ...base, "--scanners", "vuln,secret", "--exit-code", "0", ...noNetwork, "--cache-dir", "/cache",
    ]);
  });

  it("never fetches a DB when one is supplied offline", () => {
    expect(trivyImageArgs({ input: "/in/backend.tar", output: "/out/backend.json", scanners: ["vuln", "secret", "misconfig"], cacheDir: "/cache", db: "offline" })).toEqual([
      ...base, "--scanners", "vuln,secret,misconfig", "--exit-code", "0", ...noNetwork, "--cache-dir", "/cache", "--skip-db-update", "--skip-java-db-update",
    ]);
  });

  it("never fetches a DB without the vuln scanner, whatever the DB mode", () => {
    const args = trivyImageArgs({ input: "/in/backend.tar", output: "/out/backend.json", scanners: ["secret", "misconfig"], db: "download" });
    expect(args).toEqual([...base, "--scanners", "secret,misconfig", "--exit-code", "0", ...noNetwork, "--skip-db-update", "--skip-java-db-update"]);
  });

  it("takes only flags the pinned trivy 0.68.2 knows", async () => {
    const { execFileSync } = await import("node:child_process");
    let help = "";
    try {
      help = execFileSync("trivy", ["image", "--help"], { encoding: "utf8" });
    } catch {
      return; // no host trivy: the engine run covers it
    }
    const flags = trivyImageArgs({ input: "i", output: "o", scanners: ["vuln"], cacheDir: "c", db: "offline" }).filter((a) => a.startsWith("--"));
    for (const f of flags) expect([f, help.includes(`${f} `)]).toEqual([f, true]);
  });

  it("recognises Trivy's own words for a missing DB, and names both fixes", () => {
    expect(isMissingDbFailure("FATAL run error: init error: DB error: failed to download vulnerability DB: OCI artifact error")).toBe(true);
    expect(isMissingDbFailure("FATAL database error: --skip-db-update cannot be specified on the first run")).toBe(true);
    expect(isMissingDbFailure("FATAL unable to open image tarball")).toBe(false);
    expect(NO_VULN_DB_FIX).toMatch(/scan\.offlineDb[\s\S]*drop vuln from scan\.scanners/);
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
