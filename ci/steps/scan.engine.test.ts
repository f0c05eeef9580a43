// The scan step on a real Dagger engine, through the SDK's connection (no
// module load): the gate must fail an image with a planted private key, pass
// the same image without it, and, given an offline DB with a planted advisory
// (scripts/trivy-test-db), fail on that advisory without any download.
// Opt-in, as it needs an engine and minutes:
//   source /work/dagger-local/env.sh   # or any engine the dagger CLI reaches
//   TODO_ENGINE_TESTS=1 TODO_REGISTRY=172.17.0.1:5000 npx vitest run ci/steps/scan.engine.test.ts
import { execFileSync } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Container, connection, dag } from "@dagger.io/dagger";
import { describe, expect, it } from "vitest";
import { REPO_ROOT, loadProjectConfig, offlineDbFilesOnDisk } from "../config/load.js";
import { checkOfflineDb } from "../config/offline-db.js";
import { type ProjectConfig, withScanners } from "../config/project-config.js";
import { imageRef } from "../images/registry.js";
import { type ScanDb, ScanSetupError, scanImage } from "./scan.js";

const enabled = process.env.TODO_ENGINE_TESTS === "1";
const today = new Date().toISOString().slice(0, 10);
const onEngine = (fn: () => Promise<void>) => connection(fn, { LogOutput: process.env.TODO_ENGINE_LOG ? process.stderr : undefined });

/** The runtime base our images start from, with an npm package Trivy sees (bytes 3.1.2, as in the backend). */
function base(config: ProjectConfig): Container {
  return dag
    .container()
    .from(imageRef(config, "bases.runtime"))
    .withNewFile("/app/node_modules/bytes/package.json", JSON.stringify({ name: "bytes", version: "3.1.2", license: "MIT" }))
    .withNewFile("/app/package.json", JSON.stringify({ name: "planted", version: "0.0.0", dependencies: { bytes: "3.1.2" } }));
}

describe.skipIf(!enabled)(`scan step on the engine${enabled ? "" : " (skipped: needs a Dagger engine and TODO_ENGINE_TESTS=1; test:engine runs it)"}`, () => {
  const config = withScanners(loadProjectConfig(), "secret,misconfig", "test");

  it("fails an image with a planted private key and passes it without", async () => {
    // A fresh key, never a real one: made for this test, gone with it.
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048, privateKeyEncoding: { type: "pkcs8", format: "pem" }, publicKeyEncoding: { type: "spki", format: "pem" } });
    await onEngine(async () => {
      const [planted, clean] = await Promise.all([
        scanImage(config, "planted", base(config).withNewFile("/app/config/deploy-key.pem", privateKey), today),
        scanImage(config, "clean", base(config), today),
      ]);
      expect(planted.verdict.passed).toBe(false);
      expect(planted.verdict.blocking.map((f) => `${f.kind} ${f.id} ${f.severity} ${f.target}`)).toEqual(["secret private-key HIGH /app/config/deploy-key.pem"]);
      expect(planted.scanners).toEqual(["secret", "misconfig"]);
      expect(planted.db).toBe("none (vuln scanner not run)");
      expect(clean.verdict.passed).toBe(true);
    });
  }, 600_000);

  it("refuses vuln without a DB in air-gapped mode, naming both fixes", async () => {
    const airGapped = { ...withScanners(config, "vuln,secret", "test"), registry: config.registry ?? "registry.invalid" };
    await onEngine(async () => {
      await expect(scanImage(airGapped, "any", base(config), today)).rejects.toThrow(ScanSetupError);
      await expect(scanImage(airGapped, "any", base(config), today)).rejects.toThrow(/supply one as scan\.offlineDb.*or drop vuln from scan\.scanners/);
    });
  }, 120_000);

  // Needs Go and the module proxy (or its cache) for scripts/trivy-test-db's one dependency.
  const go = (() => {
    try {
      execFileSync("go", ["version"], { stdio: "ignore" });
      return true;
    } catch {
      return false;
    }
  })();
  it.skipIf(!go)(`fails on a planted HIGH advisory from an offline DB, with no download${go ? "" : " (skipped: go is not on PATH to build scripts/trivy-test-db)"}`, async () => {
    const dir = mkdtempSync(join(tmpdir(), "trivy-test-db-"));
    try {
      execFileSync("go", ["run", ".", "-out", dir, "-package", "bytes", "-id", "CVE-0000-0001", "-severity", "HIGH"], { cwd: join(REPO_ROOT, "scripts", "trivy-test-db"), stdio: "inherit" });
      const info = checkOfflineDb({ path: dir, maxAgeDays: 1 }, offlineDbFilesOnDisk(dir), new Date());
      const withVuln = withScanners(config, "vuln,secret", "test");
      await onEngine(async () => {
        const db: ScanDb = { dir: dag.host().directory(dir), info };
        const r = await scanImage(withVuln, "planted-advisory", base(config), today, db);
        expect(r.verdict.blocking.map((f) => `${f.kind} ${f.id} ${f.severity} ${f.what} → ${f.fixedVersion}`)).toEqual(["vulnerability CVE-0000-0001 HIGH bytes 3.1.2 → 999.0.0"]);
        expect(r.db).toBe(`offline ${dir}, UpdatedAt ${info.updatedAt}`);
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 600_000);
});
