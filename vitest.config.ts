// Every suite of the repository, run by `npm test`. Each part owns a project
// config beside its code; this file lists them (a missing one is an error,
// so a suite cannot silently drop out) and orders the heavy ones: on two
// cores the browser and image suites run after the rest, one group at a time.
import { defineConfig } from "vitest/config";

// The global setup lets PostgreSQL (run as `postgres` when we are root) reach
// its binaries in a private checkout such as `mktemp -d`.
const project = (config: string, groupOrder: number) => ({
  extends: config,
  test: { sequence: { groupOrder }, globalSetup: [`${import.meta.dirname}/scripts/vitest-global-setup.ts`] },
});

export default defineConfig({
  test: {
    projects: [
      project("./ci/vitest.config.ts", 0),
      project("./helm/vitest.config.ts", 0),
      project("./backend/vitest.config.ts", 0),
      project("./frontend/vitest.config.ts", 0),
      project("./frontend/vitest.e2e.config.ts", 1),
      project("./docker/vitest.config.ts", 2),
    ],
  },
});
