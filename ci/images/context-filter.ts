// The build context of each image as include/exclude patterns, derived from
// its Dockerfile-specific ignore file (an allow-list: "*", then "!path" for
// what enters, then exclusions inside those). The Docker CLI applies that file
// itself; for builders that may not (Dagger's Directory.dockerBuild), the
// pipeline can narrow the source first with Directory.filter({ include, exclude }),
// whose patterns follow the same .dockerignore syntax. Pure.

export interface ContextFilter {
  include: string[];
  exclude: string[];
}

export class ContextFilterError extends Error {}

export function contextFilter(dockerignore: string, source = "Dockerfile.dockerignore"): ContextFilter {
  const lines = dockerignore.split(/\r?\n/).map((l) => l.trim()).filter((l) => l && !l.startsWith("#"));
  if (lines[0] !== "*") {
    throw new ContextFilterError(`${source} must start with "*" (an allow-list), so that only named paths enter the context`);
  }
  const include: string[] = [];
  const exclude: string[] = [];
  for (const line of lines.slice(1)) {
    if (line.startsWith("!")) include.push(line.slice(1).replace(/\/$/, ""));
    else exclude.push(line.replace(/\/$/, ""));
  }
  if (include.length === 0) throw new ContextFilterError(`${source} admits nothing: add "!path" lines for what the build reads`);
  return { include, exclude };
}

/** Whether a context-relative path enters the context (for checks; builders apply the patterns themselves). */
export function admits(filter: ContextFilter, path: string, matches: (path: string, pattern: string) => boolean): boolean {
  const under = (pattern: string) => matches(path, pattern) || matches(path, `${pattern}/**`);
  return filter.include.some(under) && !filter.exclude.some(under);
}
