// `npm run images:verify-digests` end to end. No registry is reachable here,
// so a stand-in `crane` on PATH answers as a registry would (its real command
// line: `crane digest <ref>` prints the digest).
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { REPO_ROOT, loadProjectConfig } from "../../ci/config/load.js";
import { run } from "../../scripts/images/docker.js";

const config = loadProjectConfig();
const dir = mkdtempSync(join(tmpdir(), "verify-digests-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function fakeCrane(answers: Record<string, string | null>): void {
  const cases = Object.entries(answers)
    .map(([ref, digest]) => (digest ? `  "${ref}") echo ${digest} ;;` : `  "${ref}") echo "GET https://registry/v2/: UNAUTHORIZED" >&2; exit 1 ;;`))
    .join("\n");
  writeFileSync(join(dir, "crane"), `#!/bin/sh\n[ "$1" = digest ] || exit 64\ncase "$2" in\n${cases}\n  *) exit 65 ;;\nesac\n`);
  chmodSync(join(dir, "crane"), 0o755);
}

async function verify() {
  return run("npx", ["--no-install", "tsx", "scripts/images/verify-digests.ts"], {
    cwd: REPO_ROOT,
    env: { ...process.env, PATH: `${dir}:${process.env.PATH}`, DOCKER: join(dir, "no-docker") },
  });
}

const build = `${config.bases.build.image}:${config.bases.build.tag}`;
const runtime = `${config.bases.runtime.image}:${config.bases.runtime.tag}`;

describe("images:verify-digests", () => {
  it("passes when every tag still resolves to its pinned digest", async () => {
    fakeCrane({ [build]: config.bases.build.digest, [runtime]: config.bases.runtime.digest });
    const r = await verify();
    expect(r.stdout).toContain(`✓ bases.build: ${build}@${config.bases.build.digest}`);
    expect(r.code).toBe(0);
  });

  it("fails naming the moved tag, the new digest and what to update", async () => {
    const moved = `sha256:${"ab".repeat(32)}`;
    fakeCrane({ [build]: config.bases.build.digest, [runtime]: moved });
    const r = await verify();
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`✗ bases.runtime: ${runtime} is now ${moved}, pinned ${config.bases.runtime.digest}`);
    expect(r.stdout).toContain("set bases.runtime.digest");
  });

  it("says it could not check, distinctly from a mismatch, when no registry answers", async () => {
    fakeCrane({ [build]: null, [runtime]: null });
    const r = await verify();
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/\? bases\.build: .* could not be resolved: crane: GET .*UNAUTHORIZED/);
    expect(r.stderr).toContain("needs a reachable registry");
  });
});
