// For tests that check which files of the repository a container or the
// module's source gets: path patterns as the engine reads them, and what a
// file imports. Not part of the module (dagger.json leaves ci/test-support out).
import { existsSync, readFileSync, statSync } from "node:fs";
import { join, posix } from "node:path";
import { REPO_ROOT } from "../config/load.js";

/**
 * A Directory.filter, dagger.json or .dockerignore pattern as a RegExp over
 * repository-relative paths (a directory covers its subtree).
 */
export function globToRegExp(pattern: string): RegExp {
  const body = pattern
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*\*\//g, "\u0000")
    .replace(/\*\*/g, ".*")
    .replace(/\*/g, "[^/]*")
    .replace(/\?/g, "[^/]")
    .replace(/\u0000/g, "(?:.*/)?");
  return new RegExp(`^${body}(?:/.*)?$`);
}

/** Relative imports reachable from `entries`, repository-relative (a target that is no file is kept as written). */
export function importClosure(entries: string[]): string[] {
  const seen = new Set<string>();
  const queue = [...entries];
  while (queue.length) {
    const rel = queue.pop()!;
    if (seen.has(rel)) continue;
    seen.add(rel);
    let text: string;
    try {
      text = readFileSync(join(REPO_ROOT, rel), "utf8");
    } catch {
      continue; // the caller reports it as a file outside its set
    }
    for (const m of text.matchAll(/(?:from|import)\s*\(?\s*"(\.{1,2}\/[^"]+)"/g)) {
      const target = posix.normalize(posix.join(posix.dirname(rel), m[1]!));
      const candidates = [target.replace(/\.js$/, ".ts"), target, `${target}.ts`, `${target}.tsx`, `${target}/index.ts`];
      queue.push(candidates.find((c) => existsSync(join(REPO_ROOT, c)) && statSync(join(REPO_ROOT, c)).isFile()) ?? target);
    }
  }
  return [...seen];
}
