// PostgreSQL in a private checkout, as root: the server runs as the postgres
// user, which cannot traverse a 0700 directory above node_modules. The
// binaries are run from a copy of their own instead, and no directory outside
// the checkout changes mode (scripts/postgres-binaries.ts).
import { chmodSync, cpSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { startPostgres } from "../../scripts/dev-postgres.js";
import { othersCanTraverse, packageNativeDir, postgresBinaries } from "../../scripts/postgres-binaries.js";

const root = process.getuid?.() === 0;
const made: string[] = [];
/** A directory of this test's own under the temp dir, with the given mode. */
function temp(mode: number): string {
  const dir = mkdtempSync(join(tmpdir(), "todo-pg-private-"));
  made.push(dir);
  chmodSync(dir, mode);
  return dir;
}
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

const modes = (paths: string[]) => Object.fromEntries(paths.map((p) => [p, (statSync(p).mode & 0o7777).toString(8)]));

describe.runIf(root)("PostgreSQL binaries in a private checkout, as root", () => {
  it("runs a copy staged under a traversable directory, and changes no directory above the checkout", { timeout: 120_000 }, async () => {
    const checkout = temp(0o700); // like a `mktemp -d` clone
    const native = join(checkout, "native");
    cpSync(packageNativeDir().dir, native, { recursive: true, verbatimSymlinks: true });
    const stageRoot = temp(0o755);
    expect(othersCanTraverse(join(native, "bin"))).toBe(false);
    const watched = [checkout, tmpdir(), stageRoot];
    const before = modes(watched);

    const binaries = postgresBinaries({ nativeDir: native, version: `test-${process.pid}`, stageRoot });
    expect(binaries.stagedFrom).toBe(native);
    expect(binaries.postgres.startsWith(stageRoot)).toBe(true);
    expect(othersCanTraverse(binaries.postgres)).toBe(true);
    // Staged once: a second call reuses the copy.
    expect(postgresBinaries({ nativeDir: native, version: `test-${process.pid}`, stageRoot })).toEqual(binaries);

    // The postgres user really runs it: initdb, start, a query, stop.
    const server = await startPostgres({ dataDir: join(stageRoot, "data"), persistent: false, binaries });
    try {
      const client = new pg.Client({ connectionString: server.url });
      await client.connect();
      expect((await client.query("SELECT current_user AS u")).rows[0].u).toBe("postgres");
      await client.end();
    } finally {
      await server.stop();
    }
    expect(modes(watched)).toEqual(before);
    expect(before[checkout]).toBe("700");
  });

  it("refuses with the fixes named when the temp directory is private too, and changes nothing", async () => {
    const checkout = temp(0o700);
    const privateTmp = temp(0o700);
    const native = join(checkout, "native");
    cpSync(join(packageNativeDir().dir, "bin"), join(native, "bin"), { recursive: true });
    const before = modes([checkout, privateTmp]);
    expect(() => postgresBinaries({ nativeDir: native, version: "test", stageRoot: privateTmp })).toThrow(/cannot reach its binaries.*Set TMPDIR.*DATABASE_URL.*non-root/s);
    expect(modes([checkout, privateTmp])).toEqual(before);
  });
});
