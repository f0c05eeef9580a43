import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../config/load.js";
import { IN_TOOLBOX_ENV, TOOLBOX_IGNORES } from "./toolbox.js";

const named = TOOLBOX_IGNORES.filter((p) => !p.includes("*"));
const present = () => named.filter((p) => existsSync(join(REPO_ROOT, p)));

describe("the toolbox's source", () => {
  if (process.env[IN_TOOLBOX_ENV]) {
    it("(in the toolbox) has none of the ignored paths: editing them reruns no step", () => {
      expect(present()).toEqual([]);
    });
  } else {
    it("(in a checkout) ignores paths that exist: a renamed file would silently rerun every step on each edit", () => {
      expect(present()).toEqual(named);
    });
  }

  it("keeps the prose a suite reads (ci/doctor/README.md is checked against the rules)", () => {
    expect(existsSync(join(REPO_ROOT, "ci/doctor/README.md"))).toBe(true);
  });
});
