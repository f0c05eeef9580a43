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
export async function findEngine(localContainer: string | undefined, env: NodeJS.ProcessEnv = process.env, version?: string, engineRegistry = DAGGER_ENGINE_REGISTRY): Promise<Check> {
  const set = env._EXPERIMENTAL_DAGGER_RUNNER_HOST;
  if (set) return { name: "engine", ok: true, detail: `${set} (_EXPERIMENTAL_DAGGER_RUNNER_HOST)` };
  if (localContainer) {
    const r = await probe("docker", ["inspect", "-f", LOCAL_ENGINE_INSPECT, localContainer], env);
    const check = r.ok ? judgeLocalEngine(localContainer, r.out, version) : undefined;
    if (check?.ok) env._EXPERIMENTAL_DAGGER_RUNNER_HOST = `docker-container://${localContainer}`;
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

export const LOCAL_ENGINE_INSPECT = "{{.State.Running}} {{.Config.Image}}";

/** A local engine container, from `docker inspect -f LOCAL_ENGINE_INSPECT`; its image is tagged with the Dagger release it was built from. */
export function judgeLocalEngine(container: string, inspected: string, version?: string): Check {
  const [running, image = ""] = inspected.trim().split(" ");
  if (version && !image.endsWith(`:v${version}`)) {
    return { name: "engine", ok: false, detail: `local engine container ${container} runs ${image}, but this repository pins Dagger v${version}: rebuild the engine at v${version} (README: "A local Dagger engine"), or remove the container to use the official engine` };
  }
  if (running !== "true") return { name: "engine", ok: false, detail: `local engine container ${container} is stopped: \`docker start ${container}\`, or remove it to use the official engine` };
  return { name: "engine", ok: true, detail: `local engine in container ${container}` };
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

/**
 * Air-gapped mode: the registry answers, and holds every image the command
 * will pull (`refs`, as imageRef makes them). HTTPS first, then plain HTTP
 * (a local registry such as Debian's docker-registry serves HTTP).
 */
export async function checkRegistryImages(registry: string, refs: readonly string[], timeoutMs = 5_000): Promise<Check> {
  const [host, ...path] = registry.split("/");
  let base: string | undefined;
  for (const scheme of ["https", "http"]) {
    const r = await fetch(`${scheme}://${host}/v2/`, { signal: AbortSignal.timeout(timeoutMs) }).catch(() => undefined);
    if (r && (r.ok || r.status === 401)) {
      base = `${scheme}://${host}/v2/${path.length ? `${path.join("/")}/` : ""}`;
      break;
    }
  }
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
