import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../config/load.js";
import { cacheStateOf } from "./cache.js";
import { SUITE_NAMES, TEST_COMMON_FILES, TEST_SUITES, type TestSuite, ranInThisCall, stamped, suiteCommand } from "./test.js";
import { IN_TOOLBOX_ENV, LOCKFILES, TOOLBOX_IGNORES } from "./toolbox.js";
import { globToRegExp, importClosure } from "../test-support/repo.js";

function repoFiles(dir = REPO_ROOT, prefix = ""): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    if (["node_modules", ".git", ".next", "dist", "runs", ".data"].includes(e.name)) return [];
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    return e.isDirectory() ? repoFiles(join(dir, e.name), rel) : [rel];
  });
}

/** The files a suite's container gets, as suiteSources selects them (common files, then its own). */
function suiteFiles(files: string[], suite: TestSuite): Set<string> {
  const inc = suite.include?.map(globToRegExp);
  const exc = [...TOOLBOX_IGNORES, ...suite.exclude].map(globToRegExp);
  const own = files.filter((f) => (!inc || inc.some((re) => re.test(f))) && !exc.some((re) => re.test(f)));
  return new Set([...TEST_COMMON_FILES.filter((f) => files.includes(f)), ...own]);
}

// The file sets are checked in a checkout; inside a suite's container only that suite's files exist.
describe.skipIf(!!process.env[IN_TOOLBOX_ENV])("the test suites' file sets", () => {
  const files = repoFiles();
  const sets = Object.fromEntries(SUITE_NAMES.map((n) => [n, suiteFiles(files, TEST_SUITES[n])]));
  const readers = (f: string) => SUITE_NAMES.filter((n) => sets[n]!.has(f));
  // The vitest project a test file belongs to (by the projects' configs' roots and include globs).
  const projectOf = (f: string) => (/^backend\/test\/.*\.test\.ts$/.test(f) ? "backend" : /^helm\/test\/.*\.test\.ts$/.test(f) ? "chart" : /^frontend\/src\/.*\.test\.tsx?$/.test(f) ? "frontend" : /^ci\/.*\.test\.ts$/.test(f) ? "ci" : undefined);
  const runners = (f: string) => readers(f).filter((n) => (TEST_SUITES[n].projects as string[]).includes(projectOf(f)!));

  it("give every test file of the four projects to exactly one suite", () => {
    const tests = files.filter((f) => projectOf(f));
    expect(tests.length).toBeGreaterThan(50);
    const wrong = tests.map((f) => [f, runners(f)] as const).filter(([, r]) => r.length !== 1);
    expect(wrong).toEqual([]);
  });

  it("hold every file their tests import (statically)", () => {
    for (const n of SUITE_NAMES) {
      const own = [...sets[n]!].filter((f) => runners(f).includes(n));
      const missing = importClosure(own).filter((f) => !sets[n]!.has(f));
      expect([n, missing]).toEqual([n, []]);
    }
  });

  it("read no prose or benchmark: editing them reruns no suite", () => {
    for (const f of ["README.md", "backend/README.md", "frontend/README.md", "docker/README.md", "helm/README.md", "bench/pipeline.ts", ".ci/run"]) expect([f, readers(f)]).toEqual([f, []]);
  });

  it("keep the apps apart: backend code is read by the backend suite alone, frontend code by the frontend suite", () => {
    const backend = files.filter((f) => f.startsWith("backend/src/"));
    const frontend = files.filter((f) => f.startsWith("frontend/src/"));
    expect(backend.length).toBeGreaterThan(5);
    for (const f of backend) expect([f, readers(f)]).toEqual([f, ["backend"]]);
    for (const f of frontend) expect([f, readers(f)]).toEqual([f, ["frontend"]]);
  });

  it("give the chart to the chart suite and the pipeline suite (the doctor and lint-chart are tested on it) only", () => {
    expect(readers("helm/todo-app/values.yaml")).toEqual(["pipeline", "chart"]);
  });

  it("install from lockfiles that exist", () => {
    for (const f of LOCKFILES) expect([f, files.includes(f)]).toEqual([f, true]);
    for (const f of TEST_COMMON_FILES) expect([f, files.includes(f)]).toEqual([f, true]);
  });
});

describe("a suite's command", () => {
  it("runs its vitest projects, stamped with its start and end", () => {
    expect(suiteCommand(TEST_SUITES.backend)).toEqual(["npx", "vitest", "run", "--maxWorkers=150%", "--project", "backend", "--project", "ci"]);
    const cmd = stamped(["npx", "vitest", "run"]);
    expect(cmd.slice(0, 2)).toEqual(["sh", "-c"]);
    expect(cmd.slice(3)).toEqual(["sh", "npx", "vitest", "run"]);
    expect(cmd[2]).toContain("exit $rc");
  });

  it("tells a run in this call from a cached one by the exec's own start time", () => {
    expect(ranInThisCall("1000500 1060500", 1_000_000)).toEqual({ ran: true, startedMs: 1_000_500, seconds: 60 });
    expect(ranInThisCall("900000 990000\n", 1_000_000)).toEqual({ ran: false, startedMs: 900_000, seconds: 90 });
    expect(ranInThisCall("", 1_000_000)).toBeUndefined();
    expect(cacheStateOf(1_000_200, 1_000_000)).toBe("miss");
    expect(cacheStateOf(900_000, 1_000_000)).toBe("hit");
  });
});
