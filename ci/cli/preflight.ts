// What the host must have before the pipeline can run, each missing piece
// named with the command that fixes it.
import { execa } from "execa";

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
  /** Could not be told from here (shown as ?): does not stop the run. */
  unknown?: boolean;
}

async function probe(cmd: string, args: string[], env?: NodeJS.ProcessEnv) {
  const r = await execa(cmd, args, { reject: false, ...(env ? { env, extendEnv: false } : {}) });
  return { ok: !r.failed, out: `${r.stdout}`.trim(), missing: r.code === "ENOENT" };
}

/** The dagger CLI to run: $DAGGER_CLI (e.g. one built from source for a local engine), else `dagger` on PATH. */
export const daggerCli = (env: NodeJS.ProcessEnv = process.env) => env.DAGGER_CLI || "dagger";

export async function checkDagger(version: string, env?: NodeJS.ProcessEnv): Promise<Check> {
  const r = await probe(daggerCli(env ?? process.env), ["version"], env);
  if (r.missing)
    return {
      name: "dagger CLI",
      ok: false,
      detail: `not found: install it with \`curl -fsSL https://dl.dagger.io/dagger/install.sh | DAGGER_VERSION=${version} BIN_DIR=$HOME/.local/bin sh\` (pinned to v${version}); on a closed network, serve Dagger's release files from a mirror (TODO_DAGGER_DOWNLOAD_URL) or set DAGGER_CLI to a dagger CLI you have (README: "A local Dagger engine")`,
    };
  if (!r.out.includes(`v${version}`)) return { name: "dagger CLI", ok: false, detail: `found "${r.out}", but this repository pins v${version}: install that version so runs replay bit for bit` };
  return { name: "dagger CLI", ok: true, detail: r.out };
}

export async function checkContainerRuntime(env?: NodeJS.ProcessEnv): Promise<Check> {
  for (const runtime of ["docker", "podman", "nerdctl"]) {
    const r = await probe(runtime, ["info"], env);
    if (r.ok) return { name: "container runtime", ok: true, detail: runtime };
  }
  return { name: "container runtime", ok: false, detail: "no running docker, podman or nerdctl: the Dagger engine runs in one. Start Docker (or `sudo dockerd &` on Linux) and retry" };
}

/**
 * Which engine the CLI will use: _EXPERIMENTAL_DAGGER_RUNNER_HOST if set; else
 * a running container named `localContainer` (a local engine), which is then
 * put into `env` for every later call; else the CLI starts the official engine
 * image, which needs its registry.
 */
export async function findEngine(
  localContainer: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
  version?: string,
  { engineRegistry = DAGGER_ENGINE_REGISTRY, warn = (l: string) => console.warn(l) }: { engineRegistry?: string; warn?: (line: string) => void } = {},
): Promise<Check> {
  const set = env._EXPERIMENTAL_DAGGER_RUNNER_HOST;
  const local = set?.match(/^docker-container:\/\/(.+)$/)?.[1];
  if (set) {
    // A local engine named directly: its GC settings matter as much.
    if (local) await warnAboutEngineGc(local, env, warn);
    return { name: "engine", ok: true, detail: `${set} (_EXPERIMENTAL_DAGGER_RUNNER_HOST)` };
  }
  if (localContainer) {
    const r = await probe("docker", ["inspect", "-f", LOCAL_ENGINE_INSPECT, localContainer], env);
    const check = r.ok ? judgeLocalEngine(localContainer, r.out, version) : undefined;
    if (check?.ok) {
      env._EXPERIMENTAL_DAGGER_RUNNER_HOST = `docker-container://${localContainer}`;
      await warnAboutEngineGc(localContainer, env, warn);
    }
    if (check) return check;
  }
  return officialEngine(env, version, engineRegistry);
}

/** Where the CLI pulls its official engine image, registry.dagger.io/engine:v<version>, when no engine is named. */
export const DAGGER_ENGINE_REGISTRY = "https://registry.dagger.io/v2/";

/** A registry answers at all (any HTTP status: an anonymous /v2/ usually gets 401). */
export async function registryAnswers(url: string, timeoutMs = 3_000): Promise<boolean> {
  return fetch(url, { signal: AbortSignal.timeout(timeoutMs) }).then(
    async (r) => (await r.body?.cancel(), true),
    () => false,
  );
}

/** The official engine image: ✓ when Docker has it or its registry answers, else unknown (a proxy only Docker knows may still reach it). */
async function officialEngine(env: NodeJS.ProcessEnv, version: string | undefined, engineRegistry: string): Promise<Check> {
  const image = `registry.dagger.io/engine:v${version ?? "<version>"}`;
  if (version && (await probe("docker", ["image", "inspect", "--format", "{{.Id}}", image], env)).ok) return { name: "engine", ok: true, detail: `the CLI starts the official engine image ${image}, already in Docker` };
  if (await registryAnswers(engineRegistry)) return { name: "engine", ok: true, detail: `the CLI starts the official engine image ${image} (${new URL(engineRegistry).host} answers)` };
  return {
    name: "engine",
    ok: true,
    unknown: true,
    detail: `unknown: the CLI would start the official engine image ${image}, but ${new URL(engineRegistry).host} cannot be reached from here. On a closed network, mirror that image into your registry and name the mirror in engine.image (todo.config.yaml) or TODO_ENGINE_IMAGE, or start a local engine first (README: "A local Dagger engine")`,
  };
}

export const LOCAL_ENGINE_INSPECT = "{{.State.Running}} {{.Config.Image}} {{.State.ExitCode}} {{.State.OOMKilled}}";

/** The state of a local engine container, from `docker inspect -f LOCAL_ENGINE_INSPECT`. */
export function parseLocalEngine(inspected: string): { running: boolean; image: string; exitCode: string; oomKilled: boolean } {
  const [running, image = "", exitCode = "", oomKilled] = inspected.trim().split(" ");
  return { running: running === "true", image, exitCode, oomKilled: oomKilled === "true" };
}

/**
 * Why a stopped engine container did not shut down cleanly, from `docker inspect -f LOCAL_ENGINE_INSPECT`.
 * The engine marks its cache clean only when it exits on SIGTERM; after a kill it wipes the cache when it starts.
 */
export function engineKilled(inspected: string): string | undefined {
  const { running, exitCode, oomKilled } = parseLocalEngine(inspected);
  if (running) return undefined;
  return oomKilled ? "it ran out of memory and was killed" : exitCode === "137" ? "it was killed (exit 137)" : undefined;
}

/** A local engine container, from `docker inspect -f LOCAL_ENGINE_INSPECT`; its image is tagged with the Dagger release it was built from. */
export function judgeLocalEngine(container: string, inspected: string, version?: string): Check {
  const { running, image } = parseLocalEngine(inspected);
  if (version && !image.endsWith(`:v${version}`)) {
    return { name: "engine", ok: false, detail: `local engine container ${container} runs ${image}, but this repository pins Dagger v${version}: rebuild the engine at v${version} (README: "A local Dagger engine"), or remove the container to use the official engine` };
  }
  if (!running) {
    const killed = engineKilled(inspected);
    const cold = killed ? ` (${killed}: Dagger discards the cache of an engine that did not shut down cleanly, so the next run starts cold; stop it with \`docker stop -t 60 ${container}\`)` : "";
    return { name: "engine", ok: false, detail: `local engine container ${container} is stopped${cold}: \`docker start ${container}\`, or remove it to use the official engine` };
  }
  return { name: "engine", ok: true, detail: `local engine in container ${container}` };
}

/** Where a Dagger engine container reads its configuration, and where it keeps its cache. */
export const ENGINE_JSON_PATH = "/etc/dagger/engine.json";
export const ENGINE_STATE_DIR = "/var/lib/dagger";
const DF_MARKER = "--- df ---";

/** Reads the running engine's engine.json and the free space where it keeps its cache; warns in one line where GC would prune the cache. */
export async function warnAboutEngineGc(container: string, env: NodeJS.ProcessEnv, warn: (line: string) => void): Promise<void> {
  const r = await probe("docker", ["exec", container, "sh", "-c", `cat ${ENGINE_JSON_PATH} 2>/dev/null; echo '${DF_MARKER}'; df -Pk ${ENGINE_STATE_DIR}`], env);
  if (!r.ok) return;
  const [engineJson = "", df = ""] = r.out.split(DF_MARKER);
  const disk = parseDf(df);
  const line = disk ? judgeEngineGc(engineJson, disk) : undefined;
  if (line) warn(`! engine GC: ${container}: ${line}`);
}

export interface DiskState {
  totalBytes: number;
  freeBytes: number;
}

/** `df -Pk DIR` → the file system's size and what is available, in bytes. */
export function parseDf(out: string): DiskState | undefined {
  const row = out.trim().split("\n").at(-1)?.trim().split(/\s+/);
  const [total, available] = [Number(row?.[1]), Number(row?.[3])];
  return row && row.length >= 6 && Number.isFinite(total) && Number.isFinite(available) && total > 0 ? { totalBytes: total * 1024, freeBytes: available * 1024 } : undefined;
}

const UNITS: Record<string, number> = { "": 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4, p: 1024 ** 5 };

/** An engine.json disk space (512000000, "512MB", "20GB", "10%") in bytes, as the engine reads it (units of 1024); undefined when unset or unreadable. */
export function parseDiskSpace(value: unknown, totalBytes: number): number | undefined {
  if (typeof value === "number") return value > 0 ? value : undefined;
  if (typeof value !== "string" || !value.trim()) return undefined;
  const pct = value.trim().match(/^(\d+)%$/);
  if (pct) return Number(pct[1]) > 0 ? (totalBytes * Number(pct[1])) / 100 : undefined;
  const m = value.trim().match(/^(\d+(?:\.\d+)?)\s*([kKmMgGtTpP]?)[iI]?[bB]?$/);
  return m ? Number(m[1]) * UNITS[m[2]!.toLowerCase()]! || undefined : undefined;
}

const fmtBytes = (b: number) => (b >= 1024 ** 3 ? `${(b / 1024 ** 3).toFixed(1)} GiB` : `${Math.round(b / 1024 ** 2)} MiB`);
const GC_FIX = 'set gc.reservedSpace, gc.minFreeSpace and gc.maxUsedSpace in the engine\'s engine.json to fit this disk (e.g. "gc": {"reservedSpace": "20GB", "minFreeSpace": "5GB", "maxUsedSpace": "40GB"}), then restart the engine with docker stop/start, never docker rm -f';

/**
 * Whether the engine's garbage collector would prune the cache on this disk,
 * as one line naming the engine.json setting; undefined when it would not.
 * Without a gc space the engine keeps 20 % of the disk free (and reserves 10 %):
 * on a disk with less free than that it prunes nearly everything after each session.
 */
export function judgeEngineGc(engineJson: string, disk: DiskState): string | undefined {
  let gc: Record<string, unknown> = {};
  try {
    const parsed = engineJson.trim() ? (JSON.parse(engineJson) as { gc?: Record<string, unknown> }) : {};
    gc = parsed.gc ?? {};
  } catch {
    return `its engine.json is not JSON, so the default GC applies; ${GC_FIX}`;
  }
  if (gc.enabled === false) return undefined;
  // Policies of one's own: their effect is not judged here.
  if (Array.isArray(gc.policies) && gc.policies.length) return undefined;
  const free = disk.freeBytes;
  const freePct = Math.round((free / disk.totalBytes) * 100);
  const space = {
    reservedSpace: parseDiskSpace(gc.reservedSpace, disk.totalBytes),
    minFreeSpace: parseDiskSpace(gc.minFreeSpace, disk.totalBytes),
    maxUsedSpace: parseDiskSpace(gc.maxUsedSpace, disk.totalBytes),
  };
  if (space.reservedSpace === undefined && space.minFreeSpace === undefined && space.maxUsedSpace === undefined) {
    if (free < disk.totalBytes * 0.2) return `engine.json sets no gc space and the disk has ${freePct} % free (${fmtBytes(free)}), under the default gc.minFreeSpace of 20 %: the engine prunes most of its cache after each session; ${GC_FIX}`;
    return undefined;
  }
  if (space.minFreeSpace !== undefined && space.minFreeSpace > free)
    return `gc.minFreeSpace (${fmtBytes(space.minFreeSpace)}) is more than the disk has free (${fmtBytes(free)}, ${freePct} %): the engine prunes its cache down to gc.reservedSpace after each session; free disk space, or ${GC_FIX}`;
  if (space.reservedSpace !== undefined && space.reservedSpace > free)
    return `gc.reservedSpace (${fmtBytes(space.reservedSpace)}) is more than the disk has free (${fmtBytes(free)}, ${freePct} %): the cache cannot grow to what gc.reservedSpace keeps, and gc.minFreeSpace/gc.maxUsedSpace prune the rest; ${GC_FIX}`;
  return undefined;
}

export async function checkMinikube(profile = "minikube", env?: NodeJS.ProcessEnv): Promise<Check> {
  const r = await probe("minikube", ["status", "--output", "json", "--profile", profile], env);
  if (r.missing) return { name: "minikube", ok: false, detail: "not found: install Minikube (https://minikube.sigs.k8s.io/docs/start/), or deploy to the default ephemeral k3s cluster with `npm run pipeline:deploy`" };
  if (!r.ok || !/"Host":\s*"Running"/.test(r.out)) return { name: "minikube", ok: false, detail: `profile ${profile} is not running: start it with \`minikube start --profile ${profile} --cpus 2 --memory 4096\`` };
  return { name: "minikube", ok: true, detail: `profile ${profile} running` };
}

export function formatChecks(checks: readonly Check[]): string {
  return checks.map((c) => `${c.unknown ? "?" : c.ok ? "✓" : "✗"} ${c.name}: ${c.detail}`).join("\n");
}

const MANIFEST_TYPES = [
  "application/vnd.oci.image.index.v1+json",
  "application/vnd.docker.distribution.manifest.list.v2+json",
  "application/vnd.oci.image.manifest.v1+json",
  "application/vnd.docker.distribution.manifest.v2+json",
].join(", ");

/** `host[:port][/path]/name:tag` → the registry's base URL path parts. */
function splitRef(ref: string, registry: string): { name: string; tag: string } {
  const rest = ref.slice(registry.length + 1);
  const at = rest.lastIndexOf(":");
  return { name: rest.slice(0, at), tag: rest.slice(at + 1) };
}

/** https when the registry answers /v2/ over it, else http when that answers; null when neither does. */
export async function registryScheme(registry: string, timeoutMs = 5_000): Promise<"http" | "https" | null> {
  const host = registry.split("/")[0];
  for (const scheme of ["https", "http"] as const) {
    const r = await fetch(`${scheme}://${host}/v2/`, { signal: AbortSignal.timeout(timeoutMs) }).catch(() => undefined);
    if (r && (r.ok || r.status === 401)) return scheme;
  }
  return null;
}

/**
 * Air-gapped mode: the registry answers, and holds every image the command
 * will pull (`refs`, as imageRef makes them). HTTPS first, then plain HTTP
 * (a local registry such as Debian's docker-registry serves HTTP).
 */
export async function checkRegistryImages(registry: string, refs: readonly string[], timeoutMs = 5_000): Promise<Check> {
  const [host, ...path] = registry.split("/");
  const scheme = await registryScheme(registry, timeoutMs);
  const base = scheme ? `${scheme}://${host}/v2/${path.length ? `${path.join("/")}/` : ""}` : undefined;
  if (!base) return { name: "registry", ok: false, detail: `${registry} does not answer (GET /v2/ over https and http): start it (\`npm run images:local-registry\` builds and serves one), or unset TODO_REGISTRY / registry: to pull the pinned upstream images` };
  const missing: string[] = [];
  for (const ref of refs) {
    const { name, tag } = splitRef(ref, registry);
    const r = await fetch(`${base}${name}/manifests/${tag}`, { method: "HEAD", headers: { accept: MANIFEST_TYPES }, signal: AbortSignal.timeout(timeoutMs) }).catch(() => undefined);
    if (r?.status === 404) missing.push(ref);
  }
  if (missing.length) return { name: "registry", ok: false, detail: `${registry} lacks ${missing.join(", ")}: \`npm run images:local-registry\` builds and pushes them (TODO_REGISTRY=${registry})` };
  return { name: "registry", ok: true, detail: `${registry} holds the ${refs.length} images this run pulls` };
}

export { imagesPulledBy } from "../images/registry.js";
