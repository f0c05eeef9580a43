// The pinned dagger CLI fetched by the pipeline, against a local HTTP server
// that serves a release like Dagger's: an archive holding a fake `dagger`, and
// checksums.txt.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { type Server, createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DaggerDownloadError, daggerArchiveName, daggerCacheDir, downloadDaggerCli, fileFromTar, provideDaggerCli } from "./dagger-download.js";
import { checkDagger } from "./preflight.js";

const version = "0.21.9";
const platform = { platform: "linux", arch: "x64" };
const archiveName = `dagger_v${version}_linux_amd64.tar.gz`;
const work = mkdtempSync(join(tmpdir(), "dagger-download-"));

/** A .tar.gz made by the system's tar, holding LICENSE and a `dagger` script that prints a version like the real CLI. */
function makeArchive(dir: string, extra: string[] = [], format = "gnu"): Buffer {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "LICENSE"), "Apache-2.0\n");
  writeFileSync(join(dir, "dagger"), `#!/bin/sh\necho "dagger v${version} (fake) linux/amd64"\n`);
  chmodSync(join(dir, "dagger"), 0o755);
  const file = join(dir, "..", `${dir.split("/").at(-1)}.tar.gz`);
  execFileSync("tar", ["-czf", file, `--format=${format}`, "-C", dir, "LICENSE", ...extra, "dagger"]);
  return readFileSync(file);
}

const sha256 = (b: Buffer) => createHash("sha256").update(b).digest("hex");

let server: Server;
let base = "";
const requests: string[] = [];
const archive = makeArchive(join(work, "release"));
/** What the server says the archive's sha256 is, per test. */
let published = sha256(archive);

beforeAll(async () => {
  server = createServer((req, res) => {
    requests.push(req.url ?? "");
    if (req.url === `/releases/${version}/checksums.txt`) {
      res.end(`${"0".repeat(64)}  dagger_v${version}_darwin_arm64.tar.gz\n${published}  ${archiveName}\n`);
    } else if (req.url === `/releases/${version}/${archiveName}`) {
      res.end(archive);
    } else {
      res.statusCode = 404;
      res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}/releases`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  rmSync(work, { recursive: true, force: true });
});

describe("downloadDaggerCli", () => {
  it("downloads the platform's archive, checks its sha256, caches the CLI, and uses the cache the second time", async () => {
    published = sha256(archive);
    const cacheDir = join(work, "cache-ok");
    requests.length = 0;
    const first = await downloadDaggerCli({ version, baseUrl: base, cacheDir, ...platform });
    expect(first).toEqual({ path: join(cacheDir, version, "dagger"), downloaded: true });
    expect(requests).toEqual([`/releases/${version}/checksums.txt`, `/releases/${version}/${archiveName}`]);
    expect(statSync(first.path).mode & 0o777).toBe(0o755);
    expect(execFileSync(first.path).toString()).toContain(`dagger v${version}`);
    expect(readdirSync(join(cacheDir, version))).toEqual(["dagger"]);

    requests.length = 0;
    expect(await downloadDaggerCli({ version, baseUrl: base, cacheDir, ...platform })).toEqual({ path: first.path, downloaded: false });
    expect(requests).toEqual([]);
  });

  it("refuses an archive whose sha256 is not the published one, naming both, and caches nothing", async () => {
    published = "ab".repeat(32);
    const cacheDir = join(work, "cache-bad");
    const err = await downloadDaggerCli({ version, baseUrl: base, cacheDir, ...platform }).catch((e: unknown) => e);
    published = sha256(archive);
    expect(err).toBeInstanceOf(DaggerDownloadError);
    expect((err as Error).message).toBe(
      `refused ${base}/${version}/${archiveName}: its sha256 is ${sha256(archive)}, but ${base}/${version}/checksums.txt says ${"ab".repeat(32)} (a damaged or tampered download; nothing was cached)`,
    );
    expect(existsSync(join(cacheDir, version))).toBe(false);
  });

  it("says so when checksums.txt has no line for the platform's archive", async () => {
    const err = await downloadDaggerCli({ version, baseUrl: base, cacheDir: join(work, "cache-arm"), platform: "linux", arch: "arm64" }).catch((e: unknown) => e);
    expect((err as Error).message).toBe(`${base}/${version}/checksums.txt has no sha256 for dagger_v${version}_linux_arm64.tar.gz`);
  });

  it("names the archive for each platform Dagger publishes, and refuses the others", () => {
    expect(daggerArchiveName(version, "linux", "x64")).toBe(archiveName);
    expect(daggerArchiveName(version, "darwin", "arm64")).toBe(`dagger_v${version}_darwin_arm64.tar.gz`);
    expect(() => daggerArchiveName(version, "win32", "x64")).toThrow(DaggerDownloadError);
  });
});

describe("fileFromTar", () => {
  it("finds a file past a GNU long name and in a PAX archive", () => {
    const deep = `${"d".repeat(60)}/${"e".repeat(60)}`;
    for (const format of ["gnu", "pax"]) {
      const dir = join(work, `long-${format}`);
      mkdirSync(join(dir, deep), { recursive: true });
      writeFileSync(join(dir, deep, "notes.txt"), "x".repeat(700));
      const tar = execFileSync("gzip", ["-dc"], { input: makeArchive(dir, [deep], format) });
      expect(fileFromTar(tar, "notes.txt")?.toString()).toBe("x".repeat(700));
      expect(fileFromTar(tar, "dagger")?.toString()).toContain(`dagger v${version}`);
      expect(fileFromTar(tar, "missing")).toBeUndefined();
    }
  });
});

describe("provideDaggerCli", () => {
  const closedUrl = async () => {
    const s = createServer();
    await new Promise<void>((resolve) => s.listen(0, "127.0.0.1", resolve));
    const { port } = s.address() as { port: number };
    await new Promise((resolve) => s.close(resolve));
    return `http://127.0.0.1:${port}/releases`;
  };

  it("with no dagger on PATH, fetches the pinned CLI into the user's cache and points DAGGER_CLI at it; the preflight then finds it", async () => {
    const home = join(work, "home-ok");
    const env: NodeJS.ProcessEnv = { PATH: "/nonexistent", HOME: home, TODO_DAGGER_DOWNLOAD_URL: base };
    const lines: string[] = [];
    const path = await provideDaggerCli(version, env, platform, (l) => lines.push(l));
    expect(path).toBe(join(home, ".cache", "todo-pipeline", "dagger", version, "dagger"));
    expect(daggerCacheDir(env)).toBe(join(home, ".cache", "todo-pipeline", "dagger"));
    expect(env.DAGGER_CLI).toBe(path);
    expect(lines).toEqual([`no dagger CLI found: fetching the pinned v${version} from ${base}…`, `  sha256 checked against checksums.txt; cached as ${path}`]);
    expect(await checkDagger(version, env)).toMatchObject({ ok: true, detail: expect.stringContaining(`v${version}`) });

    // The next run takes it from the cache, silently.
    const next: NodeJS.ProcessEnv = { ...env, DAGGER_CLI: undefined };
    lines.length = 0;
    requests.length = 0;
    expect(await provideDaggerCli(version, next, platform, (l) => lines.push(l))).toBe(path);
    expect([lines, requests]).toEqual([[], []]);
    expect(next.DAGGER_CLI).toBe(path);
  });

  it("does nothing when DAGGER_CLI is set or dagger is on PATH", async () => {
    const bin = join(work, "bin");
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, "dagger"), "#!/bin/sh\n", { mode: 0o755 });
    requests.length = 0;
    for (const env of [{ PATH: bin, HOME: work, TODO_DAGGER_DOWNLOAD_URL: base }, { PATH: "/nonexistent", DAGGER_CLI: "/opt/dagger", HOME: work, TODO_DAGGER_DOWNLOAD_URL: base }]) {
      expect(await provideDaggerCli(version, env, platform, () => undefined)).toBeUndefined();
    }
    expect(requests).toEqual([]);
  });

  it("on a server that cannot be reached, says why and leaves the checklist naming how to install dagger", async () => {
    const url = await closedUrl();
    const env: NodeJS.ProcessEnv = { PATH: "/nonexistent", HOME: join(work, "home-closed"), TODO_DAGGER_DOWNLOAD_URL: url };
    const lines: string[] = [];
    expect(await provideDaggerCli(version, env, platform, (l) => lines.push(l))).toBeUndefined();
    expect(env.DAGGER_CLI).toBeUndefined();
    expect(lines).toEqual([`no dagger CLI found: fetching the pinned v${version} from ${url}…`, `  could not fetch it: ${url}/${version}/checksums.txt cannot be reached (ECONNREFUSED)`]);
    const check = await checkDagger(version, env);
    expect(check.ok).toBe(false);
    expect(check.detail).toMatch(/^not found: install it with .*DAGGER_VERSION=0\.21\.9.*closed network/);
  });
});
