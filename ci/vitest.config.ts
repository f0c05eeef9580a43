import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    name: "ci",
    root: import.meta.dirname,
    include: ["**/*.test.ts"],
    exclude: ["node_modules/**", "sdk/**"],
    // Some suites start the real backend on PGlite in beforeAll: seconds idle, more on a loaded 2-core machine.
    hookTimeout: 60_000,
  },
});
