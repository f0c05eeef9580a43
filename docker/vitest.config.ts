// The image tests: the Dockerfiles built by a real Docker Engine with
// BuildKit, run against a real PostgreSQL. The global setup starts the engine
// and builds the local base images when they are missing (both idempotent), so
// `npm test` alone works on a machine with the system packages installed.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    name: "images",
    root: import.meta.dirname,
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/global-setup.ts"],
    // Cold image builds download npm packages and run next build: minutes, not seconds.
    testTimeout: 20 * 60_000,
    hookTimeout: 30 * 60_000,
    // Two cores: the files share one engine; building in parallel only slows each down.
    fileParallelism: false,
  },
});
