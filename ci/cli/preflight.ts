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

export async function checkDagger(version: string, env?: NodeJS.ProcessEnv): Promise<Check> {
  const r = await probe("dagger", ["version"], env);
  if (r.missing) return { name: "dagger CLI", ok: false, detail: `not found: install it with \`curl -fsSL https://dl.dagger.io/dagger/install.sh | DAGGER_VERSION=${version} BIN_DIR=$HOME/.local/bin sh\` (pinned to v${version})` };
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

export async function checkMinikube(profile = "minikube", env?: NodeJS.ProcessEnv): Promise<Check> {
  const r = await probe("minikube", ["status", "--output", "json", "--profile", profile], env);
  if (r.missing) return { name: "minikube", ok: false, detail: "not found: install Minikube (https://minikube.sigs.k8s.io/docs/start/), or deploy to the default ephemeral k3s cluster with `npm run pipeline:deploy`" };
  if (!r.ok || !/"Host":\s*"Running"/.test(r.out)) return { name: "minikube", ok: false, detail: `profile ${profile} is not running: start it with \`minikube start --profile ${profile} --cpus 2 --memory 4096\`` };
  return { name: "minikube", ok: true, detail: `profile ${profile} running` };
}

export function formatChecks(checks: readonly Check[]): string {
  return checks.map((c) => `${c.ok ? "✓" : "✗"} ${c.name}: ${c.detail}`).join("\n");
}
