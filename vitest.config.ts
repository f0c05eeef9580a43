// Every suite of the repository, run by `npm test`. Each part owns a project
// config beside its code; this file only gathers them.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    projects: ["*/vitest.config.ts", "*/vitest.*.config.ts"],
  },
});
