// Replaying a run: the record's commit in a temporary worktree, the same
// function and arguments, and the same pinned images, checked before running.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { type ProjectConfig, parseProjectConfig } from "../config/project-config.js";
import { IMAGE_KEYS, configImage, mirrorName } from "../images/registry.js";
import { type RunRecord, pinnedImages } from "../policies/run-record.js";

export interface ReproductionPlan {
  commit: string;
  worktree: string;
  /** The recorded function and its arguments (the revision comes from the commit). */
  fn: string;
  args: string[];
  /** Module arguments of the recorded run (e.g. --scanners), which win over this machine's overrides. */
  moduleArgs: string[];
  /** Pinned images whose digest at that commit differs from the record (empty when it replays bit for bit). */
  drift: string[];
}

export class ReproduceError extends Error {}

/** Recorded arguments that are the run's or the module's, not the function's. */
const NOT_FUNCTION_ARGS = new Set(["revision", "dirty", "scanners"]);

/** A recorded function's own arguments as dagger CLI flags. */
export function replayArgs(record: Pick<RunRecord, "args">): string[] {
  return Object.entries(record.args)
    .filter(([k]) => !NOT_FUNCTION_ARGS.has(k))
    .flatMap(([k, v]) => [`--${k}`, v]);
}

/** The module (constructor) arguments the recorded run had besides its revision: the scanners it ran. */
export function replayModuleArgs(record: Pick<RunRecord, "args">): string[] {
  return record.args.scanners ? ["--scanners", record.args.scanners] : [];
}

/** The registry an air-gapped run pulled a reference from: what precedes /<name>:<tag> of an image of the config. */
function registryOf(ref: string, config: ProjectConfig): string | undefined {
  for (const key of IMAGE_KEYS) {
    const i = configImage(config, key);
    const tail = `/${mirrorName(i.image)}:${i.tag}`;
    if (ref.endsWith(tail) && ref.length > tail.length) return ref.slice(0, -tail.length);
  }
  return undefined;
}

export async function planReproduction(record: RunRecord, repo: string): Promise<ReproductionPlan> {
  if (record.commit === "unknown") throw new ReproduceError("the record names no commit (the run was given no --revision); it cannot be replayed");
  const has = await execa("git", ["cat-file", "-e", `${record.commit}^{commit}`], { cwd: repo, reject: false });
  if (has.failed) throw new ReproduceError(`commit ${record.commit} is not in ${repo}: run \`git fetch origin ${record.commit}\` first`);
  const configText = (await execa("git", ["show", `${record.commit}:todo.config.yaml`], { cwd: repo })).stdout;
  const configAtCommit = parseProjectConfig(configText, `todo.config.yaml at ${record.commit.slice(0, 12)}`);
  const atCommit = pinnedImages(configAtCommit);
  const drift = Object.entries(record.images)
    .filter(([ref, digest]) => atCommit[ref] !== digest)
    .map(([ref, digest]) => {
      // Air-gapped runs record registry/name:tag → the digest the tag resolved to; no pin at the commit to compare.
      const registry = !(ref in atCommit) ? registryOf(ref, configAtCommit) : undefined;
      if (registry) return `${ref}: recorded ${digest}, pulled by tag from ${registry}: replay with TODO_REGISTRY=${registry} and check it still serves that digest`;
      return `${ref}: recorded ${digest}, at the commit ${atCommit[ref] ?? "absent"}`;
    });
  return { commit: record.commit, worktree: join(mkdtempSync(join(tmpdir(), "replay-")), "repo"), fn: record.function, args: replayArgs(record), moduleArgs: replayModuleArgs(record), drift };
}

export async function createWorktree(repo: string, plan: ReproductionPlan): Promise<void> {
  await execa("git", ["worktree", "add", "--detach", plan.worktree, plan.commit], { cwd: repo });
}

export async function removeWorktree(repo: string, plan: ReproductionPlan): Promise<void> {
  await execa("git", ["worktree", "remove", "--force", plan.worktree], { cwd: repo, reject: false });
}

/** A GitHub Actions run's record, through gh (artifact "run-record"). */
export async function downloadRecord(runId: string, dir: string): Promise<string> {
  const r = await execa("gh", ["run", "download", runId, "--name", "run-record", "--dir", dir], { reject: false });
  if (r.failed) throw new ReproduceError(r.code === "ENOENT" ? "gh is not installed: install the GitHub CLI, or download the run-record artifact and pass its path" : `gh run download ${runId} failed: ${r.stderr}`);
  return join(dir, "run-record.json");
}
