// The README lists every rule with one example finding (what the issue asks the note to carry).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, it } from "vitest";
import { RULES } from "./rules/index.js";

it("README's rules table has one row per rule, with severity and an example finding at file:line", () => {
  const readme = readFileSync(join(import.meta.dirname, "README.md"), "utf8");
  for (const r of RULES) {
    const row = readme.split("\n").find((l) => l.startsWith(`| \`${r.id}\` |`));
    expect(row, r.id).toBeDefined();
    expect(row).toMatch(new RegExp(`^\\| \`${r.id}\` \\| ${r.severity} \\| .+ \\| \`[^\`]+:\\d+\` .+ \\|$`));
  }
});
