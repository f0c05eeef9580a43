// Where no dagger CLI is found, `npm run pipeline:*` gets the pinned one
// itself, as @dagger.io/dagger does for connect() (its downloader is not
// exported, so the idea is reused, not the code): the release archive for this
// platform from Dagger's release URL, its sha256 checked against the release's
// checksums.txt, the `dagger` binary cached per version and used from there.
import { createHash } from "node:crypto";
import { accessSync, constants, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { delimiter, join } from "node:path";
import { gunzipSync } from "node:zlib";

/** Dagger's release URL; set this variable to a mirror (or a test server) holding `<version>/dagger_v<version>_<os>_<arch>.tar.gz` and `<version>/checksums.txt`. */
export const DAGGER_DOWNLOAD_ENV = "TODO_DAGGER_DOWNLOAD_URL";
export const DAGGER_RELEASES = "https://dl.dagger.io/dagger/releases";

export class DaggerDownloadError extends Error {}

/** The archive name Dagger publishes for a platform (Node's names → Go's). */
export function daggerArchiveName(version: string, platform: string = process.platform, arch: string = process.arch): string {
  const os = { linux: "linux", darwin: "darwin" }[platform];
  const goArch = { x64: "amd64", arm64: "arm64", arm: "armv7" }[arch];
  if (!os || !goArch) throw new DaggerDownloadError(`no dagger CLI archive is published for ${platform}/${arch} that this pipeline can unpack`);
  return `dagger_v${version}_${os}_${goArch}.tar.gz`;
}

/** `$XDG_CACHE_HOME/todo-pipeline/dagger` (else `~/.cache/…`); the CLI lives in `<version>/dagger` under it. */
export function daggerCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.XDG_CACHE_HOME || join(env.HOME || homedir(), ".cache"), "todo-pipeline", "dagger");
}

/** An executable named `name` on the PATH of `env`, without running it. */
export function onPath(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const dir of (env.PATH ?? "").split(delimiter)) {
    if (!dir) continue;
    const file = join(dir, name);
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** The file named `wanted` (by its last path element) in a tar archive: ustar, with GNU long names and PAX paths. */
export function fileFromTar(tar: Buffer, wanted: string): Buffer | undefined {
  let longName: string | undefined;
  for (let at = 0; at + 512 <= tar.length; ) {
    const header = tar.subarray(at, at + 512);
    if (header.every((b) => b === 0)) return undefined;
    const field = (start: number, length: number) => header.subarray(start, start + length).toString("utf8").replace(/\0.*$/s, "");
    const size = Number.parseInt(field(124, 12).trim() || "0", 8);
    const type = field(156, 1) || "0";
    const prefix = field(345, 155);
    const name = longName ?? (prefix ? `${prefix}/${field(0, 100)}` : field(0, 100));
    const body = tar.subarray(at + 512, at + 512 + size);
    at += 512 + Math.ceil(size / 512) * 512;
    longName = undefined;
    if (type === "L") longName = body.toString("utf8").replace(/\0.*$/s, "");
    else if (type === "x") longName = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(body.toString("utf8"))?.[1];
    else if ((type === "0" || type === "7") && name.split("/").at(-1) === wanted) return Buffer.from(body);
  }
  return undefined;
}

async function get(url: string, timeoutMs: number): Promise<Buffer> {
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    throw new DaggerDownloadError(`${url} cannot be reached (${cause?.code ?? cause?.message ?? (err as Error).message})`);
  }
  if (!response.ok) throw new DaggerDownloadError(`${url} answered ${response.status} ${response.statusText}`);
  return Buffer.from(await response.arrayBuffer());
}

export interface DownloadOptions {
  version: string;
  /** Default: $TODO_DAGGER_DOWNLOAD_URL, else Dagger's release URL. */
  baseUrl?: string;
  cacheDir?: string;
  platform?: string;
  arch?: string;
  /** For checksums.txt, which comes first: an unreachable server is known within this time. */
  timeoutMs?: number;
  /** For the archive (tens of MB). */
  archiveTimeoutMs?: number;
}

/**
 * The pinned dagger CLI: from the cache when there, else downloaded, its
 * archive's sha256 checked against checksums.txt, and cached. Throws a
 * DaggerDownloadError naming what went wrong; nothing is cached then.
 */
export async function downloadDaggerCli(options: DownloadOptions): Promise<{ path: string; downloaded: boolean }> {
  const { version } = options;
  const dir = join(options.cacheDir ?? daggerCacheDir(), version);
  const bin = join(dir, "dagger");
  if (existsSync(bin)) return { path: bin, downloaded: false };
  const base = (options.baseUrl || process.env[DAGGER_DOWNLOAD_ENV] || DAGGER_RELEASES).replace(/\/+$/, "");
  const archive = daggerArchiveName(version, options.platform, options.arch);
  const sumsUrl = `${base}/${version}/checksums.txt`;
  const sums = (await get(sumsUrl, options.timeoutMs ?? 10_000)).toString("utf8");
  const expected = sums
    .split("\n")
    .map((line) => line.trim().split(/\s+/))
    .find(([, file]) => file?.replace(/^\*/, "") === archive)?.[0]
    ?.toLowerCase();
  if (!expected || !/^[0-9a-f]{64}$/.test(expected)) throw new DaggerDownloadError(`${sumsUrl} has no sha256 for ${archive}`);
  const archiveUrl = `${base}/${version}/${archive}`;
  const bytes = await get(archiveUrl, options.archiveTimeoutMs ?? 300_000);
  const actual = createHash("sha256").update(bytes).digest("hex");
  if (actual !== expected) {
    throw new DaggerDownloadError(`refused ${archiveUrl}: its sha256 is ${actual}, but ${sumsUrl} says ${expected} (a damaged or tampered download; nothing was cached)`);
  }
  let cli: Buffer | undefined;
  try {
    cli = fileFromTar(gunzipSync(bytes), "dagger");
  } catch (err) {
    throw new DaggerDownloadError(`${archiveUrl} is not a readable .tar.gz (${(err as Error).message})`);
  }
  if (!cli) throw new DaggerDownloadError(`${archiveUrl} holds no file named dagger`);
  // Written beside its final place and renamed, so a second run never sees half a binary.
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  const tmp = mkdtempSync(join(dir, ".download-"));
  try {
    writeFileSync(join(tmp, "dagger"), cli, { mode: 0o755 });
    renameSync(join(tmp, "dagger"), bin);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return { path: bin, downloaded: true };
}

/**
 * Before the preflight: with no $DAGGER_CLI and no `dagger` on PATH, gets the
 * pinned CLI (cache or download) and sets env.DAGGER_CLI to it. When that
 * fails, says why and leaves env alone, so the preflight's checklist names how
 * to install dagger (on a closed network: a local engine and its CLI).
 */
export async function provideDaggerCli(version: string, env: NodeJS.ProcessEnv = process.env, options: Partial<DownloadOptions> = {}, log: (line: string) => void = (line) => console.error(line)): Promise<string | undefined> {
  if (env.DAGGER_CLI || onPath("dagger", env)) return undefined;
  const opts: DownloadOptions = { cacheDir: daggerCacheDir(env), baseUrl: env[DAGGER_DOWNLOAD_ENV] || DAGGER_RELEASES, ...options, version };
  // Tens of MB: say what is happening before it starts.
  if (!existsSync(join(opts.cacheDir!, version, "dagger"))) log(`no dagger CLI found: fetching the pinned v${version} from ${opts.baseUrl}…`);
  try {
    const { path, downloaded } = await downloadDaggerCli(opts);
    if (downloaded) log(`  sha256 checked against checksums.txt; cached as ${path}`);
    env.DAGGER_CLI = path;
    return path;
  } catch (err) {
    if (!(err instanceof DaggerDownloadError)) throw err;
    log(`  could not fetch it: ${err.message}`);
    return undefined;
  }
}
