// Host-side Docker helpers shared by the image tests (docker/test) and the
// benchmark (bench/images.ts): build an app image the way the pipeline does
// (same Dockerfile, build arguments from todo.config.yaml), run, wait, save.
import { execFileSync, spawn } from "node:child_process";
import { get } from "node:http";
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT, loadProjectConfig } from "../../ci/config/load.js";
import type { AppName } from "../../ci/config/project-config.js";
import { imageBuildArgs, type ImageProvenance, withoutCredentials } from "../../ci/images/build-args.js";

/** Debian's 20.10 CLI has BuildKit built in; a newer CLI on PATH may need the buildx plugin. */
export const DOCKER = process.env.DOCKER ?? (existsSync("/usr/bin/docker") ? "/usr/bin/docker" : "docker");

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function run(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string; timeoutMs?: number } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: [opts.input === undefined ? "ignore" : "pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout?.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
    const timer = opts.timeoutMs ? setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs) : undefined;
    child.on("error", reject);
    child.on("close", (code) => {
      if (timer) clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
    if (child.stdin) {
      child.stdin.on("error", () => undefined); // a child that exits without reading its input is not our failure
      child.stdin.end(opts.input);
    }
  });
}

/** Runs docker and returns stdout; throws with the command and its stderr when it fails. */
export async function docker(args: string[], opts: Parameters<typeof run>[2] = {}): Promise<string> {
  const r = await run(DOCKER, args, opts);
  if (r.code !== 0) throw new Error(`docker ${args.join(" ")} failed (exit ${r.code}):\n${(r.stderr || r.stdout).trim().slice(-4000)}`);
  return r.stdout.trim();
}

/** Starts the engine and builds the local bases (both idempotent). */
export async function ensureEngineAndBases(): Promise<void> {
  for (const script of ["scripts/docker-engine.sh", "scripts/images/build-bases.sh"]) {
    const r = await run("bash", [join(REPO_ROOT, script)], { cwd: REPO_ROOT, timeoutMs: 15 * 60_000 });
    if (r.code !== 0) throw new Error(`${script} failed (exit ${r.code}):\n${(r.stderr + r.stdout).trim().slice(-3000)}`);
  }
}

async function git(args: string[]): Promise<string> {
  const r = await run("git", args, { cwd: REPO_ROOT });
  return r.code === 0 ? r.stdout.trim() : "";
}

/** Provenance from git: fixed per commit, so rebuilding the same commit can come entirely from the cache. */
export async function gitProvenance(): Promise<ImageProvenance> {
  const revision = (await git(["rev-parse", "HEAD"])) || "unknown";
  return {
    source: withoutCredentials(await git(["config", "--get", "remote.origin.url"])) || "local",
    revision,
    version: `0.0.0-${revision.slice(0, 12)}`,
    created: (await git(["log", "-1", "--format=%cI"])) || "1970-01-01T00:00:00Z",
  };
}

/**
 * A CA bundle for npm inside the build when the host reaches the registry
 * through a TLS-intercepting proxy; handed over as a BuildKit secret, so it is
 * in no layer.
 */
export function npmCaBundle(): string | undefined {
  const candidates = [process.env.NODE_EXTRA_CA_CERTS, "/etc/ssl/certs/ca-certificates.crt"];
  return candidates.find((f): f is string => !!f && existsSync(f));
}

export interface BuildStep {
  name: string;
  cached: boolean;
}

export interface BuildResult {
  tag: string;
  imageId: string;
  seconds: number;
  steps: BuildStep[];
  log: string;
}

/** Steps of a `--progress=plain` log and whether each came from the cache. */
export function parseBuildSteps(log: string): BuildStep[] {
  const names = new Map<string, string>();
  const cached = new Set<string>();
  for (const line of log.split("\n")) {
    const step = /^#(\d+) (\[[^\]]+\] .*)$/.exec(line);
    if (step && !names.has(step[1]!)) names.set(step[1]!, step[2]!);
    const hit = /^#(\d+) CACHED$/.exec(line);
    if (hit) cached.add(hit[1]!);
  }
  return [...names].filter(([, n]) => !/\] (FROM|load |resolve )|internal\]/.test(n)).map(([id, name]) => ({ name, cached: cached.has(id) }));
}

export async function buildImage(
  app: AppName,
  tag: string,
  opts: { context?: string; provenance?: ImageProvenance; localBases?: boolean; noCache?: boolean } = {},
): Promise<BuildResult> {
  const config = loadProjectConfig();
  const context = opts.context ?? REPO_ROOT;
  const provenance = opts.provenance ?? (await gitProvenance());
  const args = imageBuildArgs(config, app, provenance, { localBases: opts.localBases ?? true });
  const cmd = ["build", "--progress=plain", "-f", join(context, config.apps[app].dockerfile), "-t", tag];
  for (const [k, v] of Object.entries(args)) cmd.push("--build-arg", `${k}=${v}`);
  const ca = npmCaBundle();
  if (ca) cmd.push("--secret", `id=npm_ca,src=${ca}`);
  if (opts.noCache) cmd.push("--no-cache");
  cmd.push(context);
  const started = performance.now();
  const r = await run(DOCKER, cmd, { cwd: context, env: { ...process.env, DOCKER_BUILDKIT: "1" }, timeoutMs: 30 * 60_000 });
  const seconds = (performance.now() - started) / 1000;
  const log = r.stderr + r.stdout;
  if (r.code !== 0) throw new Error(`building ${app} image (${tag}) failed (exit ${r.code}); last lines:\n${log.trim().split("\n").slice(-40).join("\n")}`);
  const imageId = await docker(["image", "inspect", "-f", "{{.Id}}", tag]);
  return { tag, imageId, seconds, steps: parseBuildSteps(log), log };
}

export async function containerHealth(name: string): Promise<string> {
  return docker(["inspect", "-f", "{{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}} {{.State.Status}}", name]);
}

/** Waits until Docker reports the container healthy; throws with its logs when it turns unhealthy, exits or times out. */
export async function waitHealthy(name: string, timeoutMs = 120_000): Promise<number> {
  const started = performance.now();
  for (;;) {
    const [health, state] = (await containerHealth(name)).split(" ");
    if (health === "healthy") return performance.now() - started;
    if (health === "unhealthy" || state === "exited" || state === "dead" || performance.now() - started > timeoutMs) {
      const logs = await run(DOCKER, ["logs", "--tail", "60", name]);
      const probes = await run(DOCKER, ["inspect", "-f", "{{json .State.Health}}", name]);
      throw new Error(`container ${name} is ${health}/${state} after ${Math.round(performance.now() - started)} ms\nhealth: ${probes.stdout.trim().slice(0, 2000)}\nlogs:\n${(logs.stdout + logs.stderr).trim()}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** The host address of a published container port ("127.0.0.1:49153"). */
export async function publishedAddress(name: string, port: number): Promise<string> {
  const out = await docker(["port", name, `${port}/tcp`]);
  const first = out.split("\n").find((l) => l.startsWith("127.0.0.1:") || l.startsWith("0.0.0.0:")) ?? out.split("\n")[0]!;
  return first.replace(/^0\.0\.0\.0:/, "127.0.0.1:");
}

/**
 * Status of GET url, 0 when no answer within the timeout. node:http rather
 * than fetch: against a published port whose container is still starting,
 * fetch can leave a promise pending with no live handle, and Node then exits.
 */
export function httpStatus(url: string, timeoutMs = 2000): Promise<number> {
  return new Promise((resolve) => {
    const req = get(url, { timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on("timeout", () => req.destroy());
    req.on("error", () => resolve(0));
  });
}

/**
 * Copies the working tree's tracked and untracked-but-not-ignored files (a clean
 * clone plus work in progress) to dest, so a build sees one consistent state
 * while people keep editing. BuildKit's cache keys on content, so builds from
 * the copy share the cache with builds from the tree itself.
 */
export function snapshotWorkingTree(dest: string, source = REPO_ROOT): void {
  mkdirSync(dest, { recursive: true });
  if (existsSync(join(source, ".git"))) {
    const files = execFileSync("git", ["ls-files", "-co", "--exclude-standard", "-z"], { cwd: source, maxBuffer: 1 << 28 })
      .toString().split("\0").filter((f) => f && existsSync(join(source, f)));
    const archive = execFileSync("tar", ["-C", source, "--null", "-T", "-", "-cf", "-"], { input: files.join("\0"), maxBuffer: 1 << 30 });
    execFileSync("tar", ["-C", dest, "-xf", "-"], { input: archive, maxBuffer: 1 << 30 });
  } else {
    const archive = execFileSync("tar", ["-C", source, "--exclude=node_modules", "--exclude=.next", "--exclude=dist", "-cf", "-", "."], { maxBuffer: 1 << 30 });
    execFileSync("tar", ["-C", dest, "-xf", "-"], { input: archive, maxBuffer: 1 << 30 });
  }
}
