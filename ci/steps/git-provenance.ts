// The labels pipeline:* passes as --revision, --created and --source-url, read
// in the engine from the checkout's git metadata when a plain `dagger call`
// passes none: the same commit builds the same images, so the same content
// tags and digests, from every entry point.
import { type Container, type Directory, ExistsType, ReturnType } from "@dagger.io/dagger";
import { withoutCredentials } from "../images/build-args.js";

export interface GitProvenance {
  revision: string;
  /** The commit time, RFC 3339 (git's %cI), as the host CLI passes it. */
  created: string;
  /** remote.origin.url without credentials; "" when there is no origin. */
  sourceUrl: string;
}

const GIT_DIR = "/checkout.git";
/** Prints HEAD's commit, its commit time and origin's URL, one per line (the URL line may be absent). */
const SCRIPT = `git -c safe.directory='*' --git-dir ${GIT_DIR} log -1 --format='%H%n%cI' && { git -c safe.directory='*' --git-dir ${GIT_DIR} config --get remote.origin.url || true; }`;

/** The output of SCRIPT, or undefined when it is not a commit and a time. Pure. */
export function parseGitProvenance(stdout: string): GitProvenance | undefined {
  const [revision = "", created = "", url = ""] = stdout.trim().split("\n").map((l) => l.trim());
  if (!/^[0-9a-f]{40}([0-9a-f]{24})?$/.test(revision) || Number.isNaN(Date.parse(created))) return undefined;
  return { revision, created, sourceUrl: withoutCredentials(url) };
}

/**
 * HEAD's provenance from `checkout` (the constructor's git argument), read with
 * git in `tools`; undefined when the checkout has no .git directory (an export,
 * a worktree's .git file) or no commit yet.
 */
export async function gitProvenance(checkout: Directory | undefined, tools: Container): Promise<GitProvenance | undefined> {
  if (!checkout || !(await checkout.exists(".git", { expectedType: ExistsType.DirectoryType }))) return undefined;
  const run = tools.withMountedDirectory(GIT_DIR, checkout.directory(".git")).withExec(["sh", "-c", SCRIPT], { expect: ReturnType.Any });
  return (await run.exitCode()) === 0 ? parseGitProvenance(await run.stdout()) : undefined;
}
