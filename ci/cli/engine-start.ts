// Closed networks the usual way: a site mirrors Dagger's published engine image
// into its own registry and names it in engine.image (or TODO_ENGINE_IMAGE).
// When no engine runs, pipeline:* starts that image as engine.localContainer,
// with an engine.json that names the air-gapped registry and keeps the cache
// (Dagger's default GC prunes almost everything on a disk with < 20 % free),
// and the CLI then connects to it like to any local engine.
import { mkdirSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { type Check, LOCAL_ENGINE_INSPECT, parseLocalEngine, registryScheme } from "./preflight.js";

export const ENGINE_IMAGE_ENV = "TODO_ENGINE_IMAGE";
export const ENGINE_RUN_ARGS_ENV = "TODO_ENGINE_RUN_ARGS";

/** A cache the engine keeps: at most maxUsedSpace, pruned only when less than minFreeSpace is free. */
export const ENGINE_GC = { reservedSpace: "20GB", minFreeSpace: "5GB", maxUsedSpace: "40GB" } as const;

/** The engine.json of a started engine: the registry (plain HTTP when it serves no HTTPS) and the GC setting. */
export function engineJson(registry: string | null, scheme: "http" | "https"): Record<string, unknown> {
  const host = registry?.split("/")[0];
  return {
    gc: ENGINE_GC,
    ...(host && scheme === "http" ? { registries: { [host]: { http: true, insecure: true } } } : {}),
  };
}

/** `docker run` for the engine: privileged (it runs containers), its state on a named volume, engine.json mounted. */
export function engineRunArgs(o: { name: string; image: string; configFile: string; extra?: readonly string[] }): string[] {
  return ["run", "-d", "--name", o.name, "--privileged", "-v", `${o.name}-state:/var/lib/dagger`, "-v", `${o.configFile}:/etc/dagger/engine.json:ro`, ...(o.extra ?? []), o.image];
}

/** Why `docker run` of the engine failed, from its stderr (docker ends it with a "Run 'docker run --help'" line), and the fix. */
export function engineStartFailure(image: string, name: string, stderr: string): string {
  const lines = stderr.split("\n").map((l) => l.trim()).filter((l) => l && !/^Run 'docker run --help'/.test(l) && !/^See 'docker run --help'/.test(l));
  const why = (lines.find((l) => /^docker: /.test(l)) ?? lines.at(-1) ?? "docker run failed").replace(/^docker: /, "");
  const fix = /unable to apply caps|operation not permitted/.test(why)
    ? `this host's capability bounding set lacks one that --privileged grants (some VMs drop CAP_SYS_RESOURCE): give dockerd a runtime that leaves it out and name it in ${ENGINE_RUN_ARGS_ENV}="--runtime <name>"`
    : /manifest unknown|not found|pull access denied/.test(why)
      ? `is the image in your registry under that name and tag?`
      : `extra docker run options go in ${ENGINE_RUN_ARGS_ENV}`;
  return `could not start ${image} as ${name}: ${why} (${fix})`;
}

/**
 * Starts the configured engine image when no engine runs yet (a stopped
 * container of that name is started again: its cache is kept). undefined
 * when there is nothing to start (no image configured, or a runner host set).
 */
export async function ensureEngine(o: { image: string | undefined; name: string; registry: string | null; env: NodeJS.ProcessEnv }): Promise<Check | undefined> {
  if (!o.image || o.env._EXPERIMENTAL_DAGGER_RUNNER_HOST) return undefined;
  const inspect = await execa("docker", ["inspect", "-f", LOCAL_ENGINE_INSPECT, o.name], { reject: false });
  const { running, image } = parseLocalEngine(String(inspect.stdout));
  if (inspect.exitCode === 0 && image !== o.image) {
    return { name: "engine", ok: false, detail: `container ${o.name} runs ${image}, not engine.image ${o.image}: stop and remove it (docker stop -t 60 ${o.name} && docker rm ${o.name}; its cache volume stays), then run again` };
  }
  if (running) return undefined;
  if (inspect.exitCode === 0) {
    const start = await execa("docker", ["start", o.name], { reject: false });
    return start.exitCode === 0 ? { name: "engine", ok: true, detail: `started the stopped engine ${o.name}` } : { name: "engine", ok: false, detail: `docker start ${o.name} failed: ${String(start.stderr).trim()}` };
  }
  const scheme = o.registry ? await registryScheme(o.registry) : "https";
  const dir = join(homedir(), ".cache", "todo-pipeline", "engines", o.name);
  mkdirSync(dir, { recursive: true });
  const configFile = join(dir, "engine.json");
  writeFileSync(configFile, `${JSON.stringify(engineJson(o.registry, scheme ?? "https"), null, 2)}\n`);
  const extra = (o.env[ENGINE_RUN_ARGS_ENV] ?? "").split(/\s+/).filter(Boolean);
  const run = await execa("docker", engineRunArgs({ name: o.name, image: o.image, configFile, extra }), { reject: false });
  if (run.exitCode !== 0) {
    // docker run leaves the container created when it cannot start it; the next run must not start that one with the old options.
    await execa("docker", ["rm", "-f", o.name], { reject: false });
    return { name: "engine", ok: false, detail: engineStartFailure(o.image, o.name, String(run.stderr)) };
  }
  return { name: "engine", ok: true, detail: `started ${o.image} as ${o.name} (engine.json: ${configFile})` };
}
