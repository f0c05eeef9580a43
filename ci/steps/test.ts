// test: the repository's suites that need no Docker Engine or browser, one
// cached step per suite, each in the toolbox with only the files it reads.
//
// Why one container per suite, fed through Directory.filter: on the engine a
// directory's cache identity is its content only when it comes from the host or
// from `filter`/`directory` of such a directory. `Container.withDirectory(path,
// source, { exclude })` is keyed by the whole `source`, so before this split an
// edit to README.md (excluded there) still gave the test container a new
// identity, and `npm ci` and all four vitest projects ran again (issue 17).
//
// Layers, each reused until its own inputs change:
//   toolboxTools (no repository file) → the manifests and lockfiles → npm ci
//   (ci/ and the root workspaces) → TEST_COMMON_FILES → the suite's files → vitest.
// The browser suite (Chromium) and the image suite (Docker Engine) stay on the host: `npm test`.
import { type Container, type Directory, dag } from "@dagger.io/dagger";
import type { ProjectConfig } from "../config/project-config.js";
import { imageRef } from "../images/registry.js";
import { cacheStateOf } from "./cache.js";
import { IN_TOOLBOX_ENV, TOOLBOX_IGNORES, installDependencies, toolboxTools } from "./toolbox.js";

/** What every suite's vitest needs besides its own files: the root config names every project's config. */
export const TEST_COMMON_FILES = [
  "package.json",
  "package-lock.json",
  "tsconfig.json",
  "todo.config.yaml",
  "vitest.config.ts",
  "ci/vitest.config.ts",
  "ci/tsconfig.json",
  "helm/vitest.config.ts",
  "backend/vitest.config.ts",
  "frontend/vitest.config.ts",
  "frontend/vitest.e2e.config.ts",
  "docker/vitest.config.ts",
  "scripts/vitest-global-setup.ts",
  "scripts/postgres-binaries.ts",
] as const;

export interface TestSuite {
  /** The vitest projects it runs (names in the projects' configs). */
  projects: string[];
  /** Paths it reads (Directory.filter include; a directory includes its subtree), besides TEST_COMMON_FILES. */
  include?: string[];
  /** Paths left out of `include` (or of the whole repository when include is absent), besides TOOLBOX_IGNORES, which every suite leaves out. */
  exclude: string[];
  /** Runs against a PostgreSQL service (the backend suite's "real server"). */
  postgres?: boolean;
  /** What it covers, for `dagger call test --help`, the step table and the run record. */
  about: string;
}

/**
 * The suites, each a step `test-<name>`. Their file sets are disjoint where the
 * code is: a backend change reruns `test-backend` alone, a frontend change
 * `test-frontend`, a chart change `test-chart` and `test-pipeline` (the
 * delivery doctor and lint-chart are tested on our chart).
 */
export const TEST_SUITES = {
  backend: {
    projects: ["backend", "ci"],
    // ci/tools/smoke.test.ts runs the pipeline's HTTP smoke test against the real backend: it is a
    // backend test by what it reads, so it runs here (ci/ holds nothing else in this step).
    include: ["backend", "scripts/dev-postgres.ts", "ci/config/load.ts", "ci/config/offline-db.ts", "ci/config/project-config.ts", "ci/images/registry.ts", "ci/tools/smoke.ts", "ci/tools/smoke.test.ts"],
    exclude: [],
    postgres: true,
    about: "backend API, MCP tools and agents on PGlite and PostgreSQL, and the pipeline's smoke test against it",
  },
  frontend: {
    projects: ["frontend"],
    include: ["frontend", "scripts/dev-postgres.ts"],
    exclude: ["frontend/e2e"],
    about: "frontend components and units (happy-dom)",
  },
  pipeline: {
    projects: ["ci"],
    // Everything but the apps' code and the prose: the module, the doctor, the CLIs, scripts, chart, Dockerfiles.
    exclude: ["backend", "frontend", "docker/test", "ci/tools/smoke.test.ts"],
    about: "the Dagger module's steps and policies, the host CLI and the delivery doctor",
  },
  chart: {
    projects: ["chart"],
    include: ["helm", "docker", "ci/config", "ci/doctor", "ci/images", "ci/policies", "ci/tools"],
    exclude: ["ci/**/*.test.ts", "ci/doctor/fixtures", "docker/test"],
    about: "the Helm chart: helm lint and template over the values matrix, schemas, chart policies",
  },
} satisfies Record<string, TestSuite>;

export type SuiteName = keyof typeof TEST_SUITES;
export const SUITE_NAMES = Object.keys(TEST_SUITES) as SuiteName[];

export function isSuiteName(name: string): name is SuiteName {
  return (SUITE_NAMES as string[]).includes(name);
}

/** The files one suite's container gets: TEST_COMMON_FILES, then its own (content-addressed: see the header). */
export function suiteSources(source: Directory, suite: TestSuite): Directory[] {
  return [
    source.filter({ include: [...TEST_COMMON_FILES] }),
    source.filter({ ...(suite.include ? { include: suite.include } : {}), exclude: [...TOOLBOX_IGNORES, ...suite.exclude] }),
  ];
}

/** Where the suite's exec writes when it started and ended (ms since the epoch): the cache signal. */
export const RAN_AT_FILE = "/tmp/todo-step-ran-at";

/**
 * The command run for a suite, wrapped so that its start and end times land in
 * RAN_AT_FILE. Read back after the step, they tell whether the exec ran in this
 * call (start ≥ the step's start) or its result came from the engine's cache
 * (the times of the run that produced it).
 */
export function stamped(args: string[]): string[] {
  return ["sh", "-c", `s=$(date +%s%3N); "$@"; rc=$?; echo "$s $(date +%s%3N)" > ${RAN_AT_FILE}; exit $rc`, "sh", ...args];
}

/**
 * More test files at once than cores: the suites wait on servers, PostgreSQL, helm and
 * child processes more than they compute (vitest's default, cores - 1, is one on two
 * cores). Measured on 2 cores: backend 47 s → 33 s, ci 88 s → 58 s.
 */
export const SUITE_MAX_WORKERS = "150%";

export function suiteCommand(suite: TestSuite): string[] {
  return ["npx", "vitest", "run", `--maxWorkers=${SUITE_MAX_WORKERS}`, ...suite.projects.flatMap((p) => ["--project", p])];
}

/** The dependencies of every suite: one container, shared by all of them (same inputs, computed once). */
export function testDependencies(source: Directory, config: ProjectConfig): Container {
  return installDependencies(toolboxTools(config), source, { workspaces: true });
}

// The PostgreSQL service's password: the service lives only inside this step's
// network and its data is thrown away, so it is a fixed, public value in plain
// variables. (A setSecret made here is keyed by this module's source: the suite
// would run again after any edit under ci/.)
const POSTGRES_PASSWORD = "todo-test-postgres";

export function suiteContainer(source: Directory, config: ProjectConfig, name: SuiteName): Container {
  const suite: TestSuite = TEST_SUITES[name];
  let c = testDependencies(source, config);
  for (const files of suiteSources(source, suite)) c = c.withDirectory("/repo", files);
  c = c.withEnvVariable("REPO_ROOT", "/repo").withEnvVariable(IN_TOOLBOX_ENV, "1");
  if (suite.postgres) {
    const postgres = dag
      .container()
      .from(imageRef(config, "pipelineImages.postgres"))
      .withEnvVariable("POSTGRES_PASSWORD", POSTGRES_PASSWORD)
      .withEnvVariable("POSTGRES_DB", "todo")
      .withExposedPort(5432)
      .asService();
    c = c.withServiceBinding("postgres", postgres).withEnvVariable("TEST_PGPASSWORD", POSTGRES_PASSWORD).withEnvVariable("TEST_DATABASE_HOST", "postgres");
  }
  return c.withExec(stamped(suiteCommand(suite)));
}

/** Whether a step's exec ran in this call, from RAN_AT_FILE's "start end" and the step's start. */
export function ranInThisCall(stamp: string, stepStartedMs: number, slackMs = 1_000): { ran: boolean; startedMs: number; seconds: number } | undefined {
  const m = stamp.trim().match(/^(\d+) (\d+)$/);
  if (!m) return undefined;
  const [start, end] = [Number(m[1]), Number(m[2])];
  return { ran: cacheStateOf(start, stepStartedMs, slackMs) === "miss", startedMs: start, seconds: (end - start) / 1000 };
}

const withoutColours = (output: string) => output.replace(/\x1b\[[0-9;]*m/g, "");

/** vitest's "Tests  N failed | N passed (N)" line, without the label; "" when the output has none. */
export function vitestSummary(output: string): string {
  return withoutColours(output).match(/^\s*Tests\s+(.*)$/m)?.[1]?.trim() ?? "";
}

/**
 * What a failed test run's output says, in one line for the step table: the
 * vitest summary, then each failing test (file > describe > test). Falls back
 * to `fallback` when the output holds no vitest summary (e.g. npm ci failed).
 */
export function testFailureSummary(output: string, fallback: string): string {
  const text = withoutColours(output);
  const summary = vitestSummary(text);
  if (!/\d+ failed/.test(summary)) return fallback;
  const failing = [...new Set([...text.matchAll(/^\s*FAIL\s+(?:\S+\s+)?(\S+\.test\.\w+\b.*)$/gm)].map((m) => m[1]!.trim()))];
  return [`vitest: ${summary.replace(/\s*\(\d+\)$/, "")}`, ...failing].join("; ");
}
