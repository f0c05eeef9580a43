import { describe, expect, it } from "vitest";
import { ScanReportError, evaluateScan, parseTrivyReport } from "./scan-gate.js";

// Shaped as `trivy image --format json` writes it (SchemaVersion 2).
const report = (vulns: object[], extra: object = {}) =>
  JSON.stringify({
    SchemaVersion: 2,
    CreatedAt: "2026-11-22T10:00:00Z",
    ArtifactName: "todo-backend:sha-123",
    ArtifactType: "container_image",
    Metadata: { OS: { Family: "debian", Name: "12.12" } },
    Results: [
      { Target: "todo-backend:sha-123 (debian 12.12)", Class: "os-pkgs", Type: "debian", Vulnerabilities: vulns },
      { Target: "app/node_modules/pg/package.json", Class: "lang-pkgs", Type: "node-pkg", Vulnerabilities: null },
      ...((extra as { results?: object[] }).results ?? []),
    ],
  });
const vuln = (id: string, severity: string, fixed?: string, status = fixed ? "fixed" : "affected") => ({
  VulnerabilityID: id,
  PkgID: "openssl@3.0.17",
  PkgName: "openssl",
  InstalledVersion: "3.0.17-1~deb12u2",
  ...(fixed ? { FixedVersion: fixed } : {}),
  Status: status,
  Severity: severity,
  Title: `${id} title`,
  PrimaryURL: `https://avd.aquasec.com/nvd/${id.toLowerCase()}`,
});
const policy = { scanners: ["vuln", "secret", "misconfig"] as const, failOn: ["CRITICAL", "HIGH"] as ("CRITICAL" | "HIGH")[], onlyFixed: true, ignore: [] as { id: string; reason: string; expires: string }[] };
const TODAY = "2026-11-22";
const gate = (text: string, p = policy) => evaluateScan(parseTrivyReport(text), { ...p, scanners: [...p.scanners] }, TODAY);

describe("scan gate", () => {
  it("fails on a fixable CRITICAL or HIGH and names the upgrade", () => {
    const v = gate(report([vuln("CVE-2026-0001", "CRITICAL", "3.0.18-1"), vuln("CVE-2026-0002", "HIGH", "3.0.18-1")]));
    expect(v.passed).toBe(false);
    expect(v.blocking.map((f) => f.id)).toEqual(["CVE-2026-0001", "CVE-2026-0002"]);
    expect(v.blocking[0]!.fixedVersion).toBe("3.0.18-1");
  });

  it("passes unfixed CRITICALs when onlyFixed, and fails them when not", () => {
    const text = report([vuln("CVE-2026-0003", "CRITICAL")]);
    expect(gate(text).passed).toBe(true);
    expect(gate(text).waived[0]!.waived).toMatch(/no fixed version/);
    expect(gate(text, { ...policy, onlyFixed: false }).passed).toBe(false);
  });

  it.each(["MEDIUM", "LOW", "UNKNOWN"])("lets a fixable %s through and counts it", (sev) => {
    const v = gate(report([vuln("CVE-2026-0004", sev, "1.0")]));
    expect(v.passed).toBe(true);
    expect(v.counts[sev as "LOW"]).toBe(1);
  });

  it("honours an ignore entry until it expires, then blocks again and says so", () => {
    const text = report([vuln("CVE-2026-0005", "HIGH", "2.0")]);
    const live = gate(text, { ...policy, ignore: [{ id: "CVE-2026-0005", reason: "not reachable: no TLS server", expires: "2026-12-31" }] });
    expect(live.passed).toBe(true);
    expect(live.waived[0]!.waived).toMatch(/ignored until 2026-12-31: not reachable/);
    const expired = gate(text, { ...policy, ignore: [{ id: "CVE-2026-0005", reason: "temporary", expires: "2026-11-01" }] });
    expect(expired.passed).toBe(false);
    expect(expired.expiredIgnores).toEqual(["CVE-2026-0005 (expired 2026-11-01: temporary)"]);
  });

  it("blocks secrets and failed misconfigurations, not passed checks", () => {
    const text = report([], {
      results: [
        { Target: "app/.npmrc", Class: "secret", Secrets: [{ RuleID: "npm-access-token", Category: "npm", Severity: "CRITICAL", Title: "npm access token", StartLine: 1 }] },
        { Target: "Dockerfile", Class: "config", Type: "dockerfile", Misconfigurations: [{ ID: "DS002", AVDID: "AVD-DS-0002", Severity: "HIGH", Title: "root user", Status: "FAIL" }, { ID: "DS026", AVDID: "AVD-DS-0026", Severity: "HIGH", Title: "healthcheck", Status: "PASS" }] },
      ],
    });
    const v = gate(text);
    expect(v.blocking.map((f) => `${f.kind}:${f.id}`)).toEqual(["secret:npm-access-token", "misconfiguration:AVD-DS-0002"]);
  });

  it("passes a clean report", () => {
    expect(gate(report([])).passed).toBe(true);
  });

  it("refuses a malformed or foreign report with a clear error instead of passing", () => {
    expect(() => parseTrivyReport("{not json")).toThrow(ScanReportError);
    expect(() => parseTrivyReport(JSON.stringify({ SchemaVersion: 1, ArtifactName: "x", Results: [] }))).toThrow(/SchemaVersion 2.*refusing to pass/);
    expect(() => parseTrivyReport(report([{ ...vuln("CVE-1", "HIGH"), Severity: "SEVERE" }]))).toThrow(/Severity/);
  });
});
