// Image tarballs in both formats, assembled with GNU tar and gzip exactly as
// `docker save` and OCI exporters lay them out, then measured.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync, linkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { ImageTarballError, measureImageTarball } from "./measure.js";

const dir = mkdtempSync(join(tmpdir(), "measure-test-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const sha = (b: Buffer) => `sha256:${createHash("sha256").update(b).digest("hex")}`;

/** A layer tar of the given files (symlinks as "->target", hard links as "=>target"). */
function layer(name: string, files: Record<string, string | number>): Buffer {
  const root = join(dir, "layers", name);
  mkdirSync(root, { recursive: true });
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(root, path, ".."), { recursive: true });
    if (typeof content === "string" && content.startsWith("->")) symlinkSync(content.slice(2), join(root, path));
    else if (typeof content === "string" && content.startsWith("=>")) linkSync(join(root, content.slice(2)), join(root, path));
    else writeFileSync(join(root, path), typeof content === "number" ? Buffer.alloc(content, 7) : content);
  }
  return execFileSync("tar", ["-C", root, "--sort=name", "--format=pax", "-cf", "-", "."], { maxBuffer: 1 << 26 });
}

const base = layer("base", { "nodejs/bin/node": 300_000, "etc/passwd": "root:x:0:0::/:/sbin/nologin\n", "lib/libc.so.6": "->libc-2.36.so", "lib/libc-2.36.so": 40_000 });
const app = layer("app", { "app/dist/server.js": 12_345, "app/node_modules/pg/index.js": 2_000, "app/copy.js": "=>app/dist/server.js" });
const small = layer("small", { "app/package.json": '{"name":"x"}' });
const layers = [base, app, small];
// Expected: file sizes + symlink target length, hard link not again.
const expected = [300_000 + 28 + "libc-2.36.so".length + 40_000, 12_345 + 2_000, 12];

const history = [
  { created_by: "ADD rootfs /" },
  { created_by: "WORKDIR /app", empty_layer: true },
  { created_by: "COPY /out/dist /app/dist # buildkit" },
  { created_by: "ENV NODE_ENV=production", empty_layer: true },
  { created_by: "COPY package.json /app/" },
];
const config = Buffer.from(JSON.stringify({
  architecture: "amd64", os: "linux",
  config: { Labels: { "org.opencontainers.image.revision": "abc123" } },
  rootfs: { type: "layers", diff_ids: layers.map(sha) },
  history,
}));

function outerTar(name: string, files: Record<string, Buffer>): string {
  const root = join(dir, name);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(root, path, ".."), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  const file = join(dir, `${name}.tar`);
  execFileSync("tar", ["-C", root, "--sort=name", "-cf", file, "."]);
  return file;
}

function dockerArchive(name = "docker", configBytes = config, layerBlobs = layers): string {
  const files: Record<string, Buffer> = { [`${sha(configBytes).slice(7)}.json`]: configBytes };
  const names = layerBlobs.map((l, i) => `${sha(l).slice(7)}/layer.tar`.replace(/^/, i < 0 ? "" : ""));
  layerBlobs.forEach((l, i) => (files[names[i]!] = l));
  files["manifest.json"] = Buffer.from(JSON.stringify([{ Config: `${sha(configBytes).slice(7)}.json`, RepoTags: ["todo-backend:test"], Layers: names }]));
  return outerTar(name, files);
}

function ociLayout(name: string, compress: boolean): string {
  const blobs: Record<string, Buffer> = {};
  const put = (b: Buffer) => ((blobs[`blobs/sha256/${sha(b).slice(7)}`] = b), sha(b));
  const stored = layers.map((l) => (compress ? gzipSync(l) : l));
  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json",
    config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: put(config), size: config.length },
    layers: stored.map((b) => ({ mediaType: `application/vnd.oci.image.layer.v1.tar${compress ? "+gzip" : ""}`, digest: put(b), size: b.length })),
  }));
  // A multi-platform index inside the layout's index, as exporters write it.
  const arm = Buffer.from(JSON.stringify({ schemaVersion: 2, config: { digest: put(Buffer.from("{}")) }, layers: [] }));
  const inner = Buffer.from(JSON.stringify({
    schemaVersion: 2, mediaType: "application/vnd.oci.image.index.v1+json",
    manifests: [
      { mediaType: "application/vnd.oci.image.manifest.v1+json", digest: put(arm), size: arm.length, platform: { os: "linux", architecture: "arm64" } },
      { mediaType: "application/vnd.oci.image.manifest.v1+json", digest: put(manifest), size: manifest.length, platform: { os: "linux", architecture: "amd64" } },
    ],
  }));
  const index = Buffer.from(JSON.stringify({
    schemaVersion: 2,
    manifests: [{ mediaType: "application/vnd.oci.image.index.v1+json", digest: put(inner), size: inner.length, annotations: { "org.opencontainers.image.ref.name": "todo-backend:oci" } }],
  }));
  return outerTar(name, { ...blobs, "index.json": index, "oci-layout": Buffer.from('{"imageLayoutVersion":"1.0.0"}') });
}

describe("measureImageTarball", () => {
  it("measures a docker save tarball layer by layer: file bytes, symlink targets, hard links once", async () => {
    const m = await measureImageTarball(dockerArchive());
    expect(m.format).toBe("docker-archive");
    expect(m.tags).toEqual(["todo-backend:test"]);
    expect(m.layers.map((l) => l.bytes)).toEqual(expected);
    expect(m.layers.map((l) => l.symlinkBytes)).toEqual(["libc-2.36.so".length, 0, 0]);
    expect(m.totalBytes).toBe(expected.reduce((a, b) => a + b));
    expect(m.layers.map((l) => l.diffId)).toEqual(layers.map(sha));
    expect(m.layers.map((l) => l.tarBytes)).toEqual(layers.map((l) => l.length));
    expect(m.layers.map((l) => l.createdBy)).toEqual(["ADD rootfs /", "COPY /out/dist /app/dist # buildkit", "COPY package.json /app/"]);
    expect(m.layers[0]!.largestFiles[0]).toEqual({ path: "nodejs/bin/node", bytes: 300_000 });
    expect(m.labels["org.opencontainers.image.revision"]).toBe("abc123");
    expect(m.configDigest).toBe(sha(config));
  });

  for (const compress of [true, false]) {
    it(`reads an OCI layout with ${compress ? "gzip" : "uncompressed"} layers behind a nested index to the same numbers`, async () => {
      const m = await measureImageTarball(ociLayout(`oci-${compress}`, compress));
      expect(m.format).toBe("oci-layout");
      expect(m.tags).toEqual(["todo-backend:oci"]);
      expect(m.layers.map((l) => l.bytes)).toEqual(expected);
      expect(m.layers.map((l) => l.diffId)).toEqual(layers.map(sha));
      expect(m.layers[0]!.storedBytes).toBe(compress ? gzipSync(base).length : base.length);
      expect(m.configDigest).toBe(sha(config));
    });
  }

  it("hands every layer entry, and the content asked for, to a scanner", async () => {
    const seen: string[] = [];
    let passwd = "";
    await measureImageTarball(dockerArchive("scan"), {
      onFile: (i, e) => (seen.push(`${i}:${e.path}`), e.path.endsWith("passwd")),
      onFileData: (_i, _e, chunk) => (passwd += Buffer.from(chunk).toString()),
    });
    expect(seen).toContain("1:./app/dist/server.js");
    expect(passwd).toContain("root:x:0:0");
  });

  it("refuses a tarball whose layer does not match its diffID", async () => {
    const tampered = Buffer.from(JSON.stringify({ ...JSON.parse(config.toString()), rootfs: { diff_ids: [sha(base), sha(small), sha(app)] } }));
    await expect(measureImageTarball(dockerArchive("tampered", tampered))).rejects.toThrow(/layer 2 unpacks to .* config says .*corrupt/);
  });

  it("explains what it expected of a file that is no image tarball", async () => {
    const notImage = outerTar("not-image", { "hello.txt": Buffer.from("hi") });
    await expect(measureImageTarball(notImage)).rejects.toThrow(/neither manifest.json \(docker save\) nor index.json/);
    const gz = join(dir, "img.tar.gz");
    writeFileSync(gz, gzipSync(Buffer.alloc(1024)));
    await expect(measureImageTarball(gz)).rejects.toThrow(/gzip-compressed; decompress it first/);
    await expect(measureImageTarball(join(dir, "missing.tar"))).rejects.toThrow(ImageTarballError);
    const random = join(dir, "random.bin");
    writeFileSync(random, Buffer.alloc(2048, 0x41));
    await expect(measureImageTarball(random)).rejects.toThrow(/not a tar archive/);
  });

  it("asks which image when a docker save tarball holds several", async () => {
    const root = join(dir, "multi");
    const file = dockerArchive("multi");
    const manifest = [
      { Config: `${sha(config).slice(7)}.json`, RepoTags: ["a:1"], Layers: layers.map((l) => `${sha(l).slice(7)}/layer.tar`) },
      { Config: `${sha(config).slice(7)}.json`, RepoTags: ["b:2"], Layers: layers.map((l) => `${sha(l).slice(7)}/layer.tar`) },
    ];
    writeFileSync(join(root, "manifest.json"), JSON.stringify(manifest));
    execFileSync("tar", ["-C", root, "-cf", file, "."]);
    await expect(measureImageTarball(file)).rejects.toThrow(/holds 2 images \(a:1; b:2\)/);
    expect((await measureImageTarball(file, { image: "b:2" })).tags).toEqual(["b:2"]);
    await expect(measureImageTarball(file, { image: "c:3" })).rejects.toThrow(/no image tagged c:3/);
  });

  it("recognises a layer written again from the same files by its contentDigest, and not one with a changed byte", async () => {
    const root = join(dir, "layers", "base");
    // As an engine writes a layer again from its snapshot: no "./" prefix nor root entry, other header format and times.
    const rewritten = execFileSync("tar", ["-C", root, "--sort=name", "--format=gnu", "--mtime=2020-01-01", "-cf", "-", "etc", "lib", "nodejs"]);
    const changedRoot = join(dir, "layers", "base-changed");
    execFileSync("cp", ["-a", root, changedRoot]);
    writeFileSync(join(changedRoot, "etc/passwd"), "root:x:0:0::/:/sbin/nologon\n");
    const changed = execFileSync("tar", ["-C", changedRoot, "--sort=name", "--format=pax", "-cf", "-", "."]);
    const digests = async (name: string, blob: Buffer) => {
      const cfg = Buffer.from(JSON.stringify({ rootfs: { type: "layers", diff_ids: [sha(blob)] } }));
      const [l] = (await measureImageTarball(dockerArchive(name, cfg, [blob]), { contentDigests: true })).layers;
      return { diffId: l!.diffId, contentDigest: l!.contentDigest };
    };
    const [original, again, other] = [await digests("cd-original", base), await digests("cd-again", rewritten), await digests("cd-changed", changed)];
    expect(again.diffId).not.toBe(original.diffId);
    expect(again.contentDigest).toBe(original.contentDigest);
    expect(other.contentDigest).not.toBe(original.contentDigest);
    expect((await measureImageTarball(dockerArchive("cd-plain"))).layers[0]!.contentDigest).toBeUndefined();
  });

  it("refuses a truncated tarball", async () => {
    const file = dockerArchive("trunc");
    execFileSync("truncate", ["-s", "2000", file]);
    await expect(measureImageTarball(file)).rejects.toThrow(/truncated|no manifest|neither/);
  });
});

// The CLI check-size runs inside the engine (ci/steps/size.ts): one JSON line either way.
describe("ci/cli/check-size.ts", () => {
  const cli = join(import.meta.dirname, "..", "cli", "check-size.ts");
  const tsx = join(import.meta.dirname, "..", "node_modules", ".bin", "tsx");
  const run = (...args: string[]) => JSON.parse(execFileSync(tsx, [cli, ...args], { encoding: "utf8" }).trim().split("\n").at(-1)!);
  const baseConfig = Buffer.from(JSON.stringify({ architecture: "amd64", os: "linux", rootfs: { type: "layers", diff_ids: [sha(base)] }, history: [history[0]] }));

  it("prints the verdict of an image over its base against the budget", () => {
    const v = run(dockerArchive("cli-image"), dockerArchive("cli-base", baseConfig, [base]), "todo-backend", "400000", "14000");
    expect(v).toMatchObject({ ok: false, name: "todo-backend", addedBytes: expected[1]! + expected[2]!, baseLayerCount: 1 });
    expect(v.failures).toEqual([expect.stringMatching(/^added over base 14\.4 kB is over the budget of 14\.0 kB/)]);
  });

  it("accepts a base whose layer the engine wrote again from the same files (another diffID)", () => {
    const rewritten = execFileSync("tar", ["-C", join(dir, "layers", "base"), "--sort=name", "--format=gnu", "-cf", "-", "etc", "lib", "nodejs"]);
    const rewrittenConfig = Buffer.from(JSON.stringify({ ...JSON.parse(config.toString()), rootfs: { type: "layers", diff_ids: [rewritten, app, small].map(sha) } }));
    const v = run(dockerArchive("cli-rehydrated", rewrittenConfig, [rewritten, app, small]), dockerArchive("cli-base2", baseConfig, [base]), "todo-backend", "400000", "15000");
    expect(v).toMatchObject({ ok: true, baseLayerCount: 1, addedBytes: expected[1]! + expected[2]! });
  });

  it("prints the error when the image is not built on the base, and exits 2 on wrong arguments", () => {
    const otherBase = Buffer.from(JSON.stringify({ architecture: "amd64", os: "linux", rootfs: { type: "layers", diff_ids: [sha(small)] } }));
    expect(run(dockerArchive("cli-image2"), dockerArchive("cli-other", otherBase, [small]), "todo-backend", "1", "1").error).toMatch(/todo-backend is not built on the given base: base layer 1/);
    expect(() => execFileSync(tsx, [cli, "only-one"], { stdio: "pipe" })).toThrow(/usage: check-size\.ts/);
  });
});
