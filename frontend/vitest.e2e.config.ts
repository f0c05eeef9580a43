// Browser tests: Debian's Chromium driven by playwright-core against the real
// stack (PostgreSQL, backend, the frontend's standalone production build),
// started once by e2e/global-setup.ts.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    name: "e2e",
    root: import.meta.dirname,
    environment: "node",
    include: ["e2e/**/*.e2e.test.ts"],
    globalSetup: ["e2e/global-setup.ts"],
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
