import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    name: "backend",
    root: import.meta.dirname,
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 120_000,
  },
});
