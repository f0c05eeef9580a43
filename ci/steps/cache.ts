// Whether a step did work in this call or its result came from the engine's
// cache, from a real signal rather than from its duration.
//
// The probe is an exec keyed on the step's result (a container's rootfs, a
// file): it writes the time it ran. The engine reuses a cached exec only when
// its inputs have the same identity, so the probe's time is older than this
// step exactly when the step's result is one the engine had computed before.
// (Probe and step run on the same host clock; the probe itself is the only
// work it adds, a `date` in the build base, milliseconds.)
import { type Container, type Directory, type File, dag } from "@dagger.io/dagger";
import type { ProjectConfig } from "../config/project-config.js";
import { imageRef } from "../images/registry.js";

export type CacheState = "hit" | "miss";

/** "hit" when the probe's recorded time precedes the step's start (with slack for clock granularity). */
export function cacheStateOf(probeMs: number, stepStartedMs: number, slackMs = 1_000): CacheState {
  return probeMs >= stepStartedMs - slackMs ? "miss" : "hit";
}

export async function probeCache(config: ProjectConfig, result: Container | Directory | File, stepStartedMs: number): Promise<CacheState | undefined> {
  try {
    let probe = dag.container().from(imageRef(config, "bases.build"));
    probe = "rootfs" in result ? probe.withMountedDirectory("/probe", result.rootfs()) : "entries" in result ? probe.withMountedDirectory("/probe", result) : probe.withMountedFile("/probe", result);
    const text = await probe.withExec(["sh", "-c", "date +%s%3N > /tmp/probed-at"]).file("/tmp/probed-at").contents();
    const ms = Number(text.trim());
    return Number.isFinite(ms) && ms > 0 ? cacheStateOf(ms, stepStartedMs) : undefined;
  } catch {
    return undefined;
  }
}
