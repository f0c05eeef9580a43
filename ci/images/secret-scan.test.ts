import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { measureImageTarball } from "./measure.js";
import { createSecretScanner, formatSecretFindings } from "./secret-scan.js";

const dir = mkdtempSync(join(tmpdir(), "secret-scan-test-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");

/** A one-layer docker-archive holding the given files. */
function imageWith(name: string, files: Record<string, string | Buffer>): string {
  const root = join(dir, name, "layer");
  for (const [p, c] of Object.entries(files)) {
    mkdirSync(join(root, p, ".."), { recursive: true });
    writeFileSync(join(root, p), c);
  }
  const layer = execFileSync("tar", ["-C", root, "--sort=name", "-cf", "-", "."], { maxBuffer: 1 << 26 });
  const config = Buffer.from(JSON.stringify({ rootfs: { type: "layers", diff_ids: [`sha256:${sha(layer)}`] }, history: [{ created_by: "COPY . /app" }] }));
  const out = join(dir, name, "image");
  mkdirSync(join(out, "l"), { recursive: true });
  writeFileSync(join(out, "l/layer.tar"), layer);
  writeFileSync(join(out, "c.json"), config);
  writeFileSync(join(out, "manifest.json"), JSON.stringify([{ Config: "c.json", RepoTags: [`${name}:t`], Layers: ["l/layer.tar"] }]));
  execFileSync("tar", ["-C", out, "-cf", join(dir, `${name}.tar`), "."]);
  return join(dir, `${name}.tar`);
}

const pem = ["-----BEGIN", "PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7\n-----END", "PRIVATE KEY-----\n"].join(" ");

describe("createSecretScanner", () => {
  it("finds secret files by name and secret values by content, in one pass with the measurement", async () => {
    const tarball = imageWith("leaky", {
      "app/.env": "DATABASE_URL=postgres://u:p@h/db\n",
      "app/.env.production": "X=1\n",
      "app/certs/server.key": "x",
      "root/.ssh/id_ed25519": "x",
      "app/.npmrc": "//registry.example.com/:_authToken=abc\n",
      "app/dist/config.js": `export const k = ${JSON.stringify(pem)};`,
      "app/dist/aws.js": `const id = "${"AKIA"}ABCDEFGHIJKLMNOP";`,
      "app/dist/gh.js": `const t = "ghp_${"a".repeat(36)}";`,
      "app/dist/run.js": "const s = 'the-run-secret-123';",
      "app/dist/ok.js": "export const ok = true; // mentions PRIVATE KEY and .env in prose only",
      // How jose checks its input: the bare header is no key.
      "app/dist/jose.js": `if (s.indexOf(${JSON.stringify(["-----BEGIN", "PRIVATE KEY-----"].join(" "))}) !== 0) throw new TypeError("pkcs8");`,
      "app/dist/escaped.js": `const k = ${JSON.stringify(pem)};`.replace(/\n/g, "\\n"),
    });
    const scanner = createSecretScanner({ literals: ["the-run-secret-123"] });
    const measured = await measureImageTarball(tarball, scanner);
    expect(measured.layers).toHaveLength(1);
    const found = scanner.findings().map((f) => `${f.path}: ${f.rule}`).sort();
    expect(found).toEqual([
      "app/.env.production: dotenv file",
      "app/.env: dotenv file",
      "app/.npmrc: credentials file",
      "app/certs/server.key: private key file",
      "app/dist/aws.js: AWS access key id",
      "app/dist/config.js: private key",
      "app/dist/escaped.js: private key",
      "app/dist/gh.js: GitHub token",
      "app/dist/run.js: a secret value used by this run",
      "root/.ssh/id_ed25519: SSH private key",
    ]);
    expect(formatSecretFindings(scanner.findings())).toContain("layer 1: app/.env (dotenv file)");
  });

  it("passes a clean image and honours decided exemptions", async () => {
    const tarball = imageWith("clean", {
      "app/server.js": "console.log('hi')",
      "etc/ssl/certs/ca-certificates.crt": "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
      "app/node_modules/x/test/fixture.pem": "x",
    });
    const scanner = createSecretScanner({ allowPaths: [/^app\/node_modules\/x\/test\//] });
    await measureImageTarball(tarball, scanner);
    expect(scanner.findings()).toEqual([]);
  });

  it("checks names but not contents of files over the content limit", async () => {
    const tarball = imageWith("big", { "app/blob.bin": Buffer.concat([Buffer.alloc(5000), Buffer.from(pem)]) });
    const small = createSecretScanner({ maxContentBytes: 1000 });
    await measureImageTarball(tarball, small);
    expect(small.findings()).toEqual([]);
    const large = createSecretScanner();
    await measureImageTarball(tarball, large);
    expect(large.findings().map((f) => f.rule)).toEqual(["private key"]);
  });
});
