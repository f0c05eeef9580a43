// The steps that run a CLI of ci/ in the engine give it only part of ci/, so that an
// edit elsewhere does not rerun them; a file the CLI imports and the step leaves
// out would fail only there. Each list must hold its CLI's whole import closure.
import { describe, expect, it } from "vitest";
import { importClosure } from "../test-support/repo.js";
import { LINT_CHART_CODE } from "./chart.js";
import { SIZE_INPUTS } from "./size.js";

describe.each([
  { step: "lint-chart", cli: "ci/cli/lint-chart.ts", inputs: LINT_CHART_CODE },
  { step: "check-size", cli: "ci/cli/check-size.ts", inputs: SIZE_INPUTS },
])("$step's part of ci/", ({ cli, inputs }) => {
  const listed = (f: string) => inputs.some((p) => f === p || f.startsWith(`${p}/`));

  it("holds every file its CLI imports", () => {
    expect(importClosure([cli]).filter((f) => !listed(f))).toEqual([]);
  });

  it("leaves out the module, its steps and pipelines", () => {
    expect(["ci/src/index.ts", "ci/steps/chart.ts", "ci/steps/size.ts", "ci/pipelines/ci.ts"].filter(listed)).toEqual([]);
  });
});
