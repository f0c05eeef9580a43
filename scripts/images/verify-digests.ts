// `npm run images:verify-digests`: asks a registry what each pinned base tag
// resolves to now and fails when it differs from the digest in todo.config.yaml.
// Needs a reachable registry and one of: crane, or docker with buildx.
// Exit codes: 0 all match, 1 a digest differs, 2 some tag could not be resolved.
import { loadProjectConfig } from "../../ci/config/load.js";
import { digestVerdict, pinnedBases, type Resolution } from "../../ci/images/digests.js";
import { DOCKER, run } from "./docker.js";

async function resolve(ref: string): Promise<Resolution> {
  const errors: string[] = [];
  const crane = await run("crane", ["digest", ref]).catch((e: Error) => ({ code: -1, stdout: "", stderr: e.message }));
  if (crane.code === 0 && /^sha256:[0-9a-f]{64}$/.test(crane.stdout.trim())) return { digest: crane.stdout.trim() };
  errors.push(`crane: ${(crane.stderr || crane.stdout).trim().split("\n")[0] || `exit ${crane.code}`}`);
  const buildx = await run(DOCKER, ["buildx", "imagetools", "inspect", ref]).catch((e: Error) => ({ code: -1, stdout: "", stderr: e.message }));
  const m = /^Digest:\s+(sha256:[0-9a-f]{64})$/m.exec(buildx.stdout);
  if (buildx.code === 0 && m) return { digest: m[1]! };
  errors.push(`docker buildx: ${(buildx.stderr || buildx.stdout).trim().split("\n")[0] || `exit ${buildx.code}`}`);
  return { error: errors.join("; ") };
}

const pinned = pinnedBases(loadProjectConfig());
const resolved = new Map<string, Resolution>();
for (const p of pinned) resolved.set(p.ref, await resolve(p.ref));
const verdict = digestVerdict(pinned, resolved);
for (const line of verdict.lines) console.log(line);
if (verdict.unresolved) {
  console.error("Some base tags could not be resolved: this needs a reachable registry and crane or docker buildx on PATH.");
}
process.exit(verdict.ok ? 0 : verdict.unresolved ? 2 : 1);
