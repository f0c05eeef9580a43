// The Helm chart's tests: real helm (versions.helm) on helm/todo-app, every
// rendered manifest checked offline against Kubernetes' OpenAPI schemas and the
// chart policies in ci/policies/chart.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    name: "chart",
    root: import.meta.dirname,
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
