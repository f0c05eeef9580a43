// Re-resolving the pinned base image digests: which references to check, and
// the verdict once a registry has answered. Pure; the resolving is done by the
// caller (scripts/images/verify-digests.ts on a host, a container elsewhere).
import type { ProjectConfig } from "../config/project-config.js";

export interface PinnedBase {
  /** Key under bases: ("build", "runtime"). */
  key: string;
  /** image:tag, what a registry is asked for. */
  ref: string;
  digest: string;
  digestFrom: string;
}

export function pinnedBases(config: ProjectConfig): PinnedBase[] {
  return (["build", "runtime"] as const).map((key) => {
    const b = config.bases[key];
    return { key, ref: `${b.image}:${b.tag}`, digest: b.digest, digestFrom: b.digestFrom };
  });
}

export type Resolution = { digest: string } | { error: string };

export interface DigestVerdict {
  ok: boolean;
  /** True when some reference could not be resolved at all (no registry, no tool). */
  unresolved: boolean;
  lines: string[];
}

export function digestVerdict(pinned: PinnedBase[], resolved: Map<string, Resolution>): DigestVerdict {
  const lines: string[] = [];
  let ok = true;
  let unresolved = false;
  for (const p of pinned) {
    const r = resolved.get(p.ref);
    if (!r || "error" in r) {
      ok = false;
      unresolved = true;
      lines.push(`? bases.${p.key}: ${p.ref} could not be resolved: ${r && "error" in r ? r.error : "not asked"}`);
    } else if (r.digest !== p.digest) {
      ok = false;
      lines.push(
        `✗ bases.${p.key}: ${p.ref} is now ${r.digest}, pinned ${p.digest}. The tag moved: review the new image, then set bases.${p.key}.digest ` +
          `(and digestFrom) in todo.config.yaml and the Dockerfiles' ARG defaults to the new digest.`,
      );
    } else {
      lines.push(`✓ bases.${p.key}: ${p.ref}@${p.digest}`);
    }
  }
  return { ok, unresolved, lines };
}
