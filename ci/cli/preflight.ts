// What the host must have before the pipeline can run, each missing piece
// named with the command that fixes it.
import { execa } from "execa";

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
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
      detail: `not found: install it with \`curl -fsSL https://dl.dagger.io/dagger/install.sh | DAGGER_VERSION=${version} BIN_DIR=$HOME/.local/bin sh\` (pinned to v${version}); on a closed network, run an engine built from Dagger's source and set DAGGER_CLI to its CLI (README: "A local Dagger engine")`,
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
export async function findEngine(localContainer: string | undefined, env: NodeJS.ProcessEnv = process.env): Promise<Check> {
  const set = env._EXPERIMENTAL_DAGGER_RUNNER_HOST;
  if (set) return { name: "engine", ok: true, detail: `${set} (_EXPERIMENTAL_DAGGER_RUNNER_HOST)` };
  if (localContainer) {
    const r = await probe("docker", ["inspect", "-f", "{{.State.Running}}", localContainer], env);
    if (r.ok && r.out === "true") {
      env._EXPERIMENTAL_DAGGER_RUNNER_HOST = `docker-container://${localContainer}`;
      return { name: "engine", ok: true, detail: `local engine in container ${localContainer}` };
    }
  }
  return { name: "engine", ok: true, detail: "the CLI starts the official engine image (needs registry.dagger.io; on a closed network start a local engine first)" };
}

export async function checkMinikube(profile = "minikube", env?: NodeJS.ProcessEnv): Promise<Check> {
  const r = await probe("minikube", ["status", "--output", "json", "--profile", profile], env);
  if (r.missing) return { name: "minikube", ok: false, detail: "not found: install Minikube (https://minikube.sigs.k8s.io/docs/start/), or deploy to the default ephemeral k3s cluster with `npm run pipeline:deploy`" };
  if (!r.ok || !/"Host":\s*"Running"/.test(r.out)) return { name: "minikube", ok: false, detail: `profile ${profile} is not running: start it with \`minikube start --profile ${profile} --cpus 2 --memory 4096\`` };
  return { name: "minikube", ok: true, detail: `profile ${profile} running` };
}

export function formatChecks(checks: readonly Check[]): string {
  return checks.map((c) => `${c.ok ? "✓" : "✗"} ${c.name}: ${c.detail}`).join("\n");
}
