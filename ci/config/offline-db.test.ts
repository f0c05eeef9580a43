import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { REPO_ROOT, loadProjectConfig } from "./load.js";
import { type OfflineDbFiles, checkOfflineDb, describeScanDb, scanRecordOf } from "./offline-db.js";
import { ProjectConfigError, parseProjectConfig, withScanners } from "./project-config.js";

const text = readFileSync(join(REPO_ROOT, "todo.config.yaml"), "utf8");
const withOfflineDb = (value: string) => text.replace(/^  offlineDb: null$/m, `  offlineDb: ${value}`);
const now = new Date("2026-11-27T12:00:00Z");
const meta = (o: Record<string, unknown>) => JSON.stringify({ Version: 2, NextUpdate: "2026-11-27T18:00:00Z", UpdatedAt: "2026-11-27T06:00:00Z", DownloadedAt: "2026-11-27T07:00:00Z", ...o });
const files = (o: Partial<OfflineDbFiles> = {}): OfflineDbFiles => ({ dbBytes: 4096, metadata: meta({}), javaDbBytes: null, javaMetadata: null, ...o });
const db = { path: ".trivy-offline", maxAgeDays: 7 };

describe("scan.offlineDb in todo.config.yaml", () => {
  it("is null unless set, and takes a path inside the repository with a 7-day default age", () => {
    expect(parseProjectConfig(text).scan.offlineDb).toBeNull();
    expect(parseProjectConfig(withOfflineDb("{ path: .trivy-offline }")).scan.offlineDb).toEqual({ path: ".trivy-offline", maxAgeDays: 7 });
    expect(parseProjectConfig(withOfflineDb("{ path: vendor/trivy, maxAgeDays: 30 }")).scan.offlineDb).toEqual({ path: "vendor/trivy", maxAgeDays: 30 });
  });

  it.each(["/var/cache/trivy", "../trivy", "a/../../b", "db/"])("refuses %s as a path", (path) => {
    expect(() => parseProjectConfig(withOfflineDb(`{ path: "${path}" }`))).toThrow(/scan\.offlineDb\.path: must be a directory relative to the repository root/);
  });

  it("refuses an unknown key next to the path", () => {
    expect(() => parseProjectConfig(withOfflineDb("{ path: x, url: y }"))).toThrow(/scan\.offlineDb: Unrecognized key/);
  });
});

describe("checkOfflineDb", () => {
  it("returns what metadata.json says, java-db included when present", () => {
    expect(checkOfflineDb(db, files(), now)).toEqual({ path: ".trivy-offline", updatedAt: "2026-11-27T06:00:00Z" });
    expect(checkOfflineDb(db, files({ javaDbBytes: 10, javaMetadata: JSON.stringify({ Version: 1, UpdatedAt: "2026-11-26T00:00:00Z" }) }), now).javaDbUpdatedAt).toBe("2026-11-26T00:00:00Z");
  });

  // Each failure is one line that names the file and the fix.
  it.each<[string, Partial<OfflineDbFiles>, RegExp]>([
    ["no trivy.db", { dbBytes: null }, /\.trivy-offline\/db\/trivy\.db is missing or empty; copy in the db\/ directory .*--download-db-only.*, or set scan\.offlineDb: null$/],
    ["an empty trivy.db", { dbBytes: 0 }, /db\/trivy\.db is missing or empty/],
    ["no metadata.json", { metadata: null }, /db\/metadata\.json is missing or empty \(Trivy refuses a DB without it\)/],
    ["metadata.json not JSON", { metadata: "{" }, /db\/metadata\.json is not JSON/],
    ["another schema", { metadata: meta({ Version: 1 }) }, /schema Version 1, the pinned Trivy reads 2/],
    ["no UpdatedAt", { metadata: meta({ UpdatedAt: undefined }) }, /has no UpdatedAt time/],
    ["stale advisories", { metadata: meta({ UpdatedAt: "2026-11-01T00:00:00Z" }) }, /UpdatedAt 2026-11-01T00:00:00Z is 26 days old, over scan\.offlineDb\.maxAgeDays \(7\); refresh the DB/],
    ["java-db without its metadata", { javaDbBytes: 10 }, /java-db\/metadata\.json is missing next to/],
  ])("refuses %s", (_name, o, message) => {
    let err: unknown;
    try {
      checkOfflineDb(db, files(o), now);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ProjectConfigError);
    expect((err as Error).message).toMatch(message);
    expect((err as Error).message).not.toContain("\n");
  });

  it("lets maxAgeDays allow an older DB", () => {
    expect(checkOfflineDb({ ...db, maxAgeDays: 30 }, files({ metadata: meta({ UpdatedAt: "2026-11-01T00:00:00Z" }) }), now).updatedAt).toBe("2026-11-01T00:00:00Z");
  });
});

describe("the host loader", () => {
  let root = "";
  afterEach(() => rmSync(root, { recursive: true, force: true }));
  const repo = (config: string) => {
    root = mkdtempSync(join(tmpdir(), "offline-db-"));
    writeFileSync(join(root, "todo.config.yaml"), config);
    return root;
  };

  it("checks scan.offlineDb on disk", () => {
    const r = repo(withOfflineDb("{ path: .trivy-offline }"));
    expect(() => loadProjectConfig(r, {}, now)).toThrow(/scan\.offlineDb: \.trivy-offline\/db\/trivy\.db is missing/);
    mkdirSync(join(r, ".trivy-offline", "db"), { recursive: true });
    writeFileSync(join(r, ".trivy-offline", "db", "trivy.db"), "bolt");
    writeFileSync(join(r, ".trivy-offline", "db", "metadata.json"), meta({}));
    expect(loadProjectConfig(r, {}, now).scan.offlineDb?.path).toBe(".trivy-offline");
  });

  it("takes TODO_SCAN_SCANNERS over scan.scanners, and refuses an unknown scanner", () => {
    const r = repo(text);
    expect(loadProjectConfig(r, { TODO_SCAN_SCANNERS: "secret, misconfig" }, now).scan.scanners).toEqual(["secret", "misconfig"]);
    expect(loadProjectConfig(r, { TODO_SCAN_SCANNERS: " " }, now).scan.scanners).toEqual(["vuln", "secret", "misconfig"]);
    expect(() => loadProjectConfig(r, { TODO_SCAN_SCANNERS: "secret,vulns" }, now)).toThrow(/TODO_SCAN_SCANNERS .*"secret,vulns" must be a comma-separated list of vuln, secret, misconfig, license; unknown: vulns/);
  });
});

describe("what a scan says about its DB", () => {
  const config = parseProjectConfig(text);
  it("names the scanners' DB, so a vuln-less scan never reads as a full one", () => {
    expect(describeScanDb(withScanners(config, "secret,misconfig", "--scanners").scan.scanners, null)).toBe("none (vuln scanner not run)");
    expect(describeScanDb(["vuln", "secret"], null)).toBe("downloaded by Trivy at scan time");
    expect(describeScanDb(["vuln"], { path: ".trivy-offline", updatedAt: "2026-11-27T06:00:00Z" })).toBe("offline .trivy-offline, UpdatedAt 2026-11-27T06:00:00Z");
  });

  it("gives the run record the DB's UpdatedAt only when vuln ran on it", () => {
    const info = { path: ".trivy-offline", updatedAt: "2026-11-27T06:00:00Z" };
    expect(scanRecordOf(["vuln", "secret"], info)).toEqual({ scanners: ["vuln", "secret"], db: "offline .trivy-offline, UpdatedAt 2026-11-27T06:00:00Z", dbUpdatedAt: "2026-11-27T06:00:00Z" });
    expect(scanRecordOf(["secret", "misconfig"], info)).toEqual({ scanners: ["secret", "misconfig"], db: "none (vuln scanner not run)" });
  });
});
