import { describe, expect, it } from "vitest";
import { parseGitProvenance } from "./git-provenance.js";

describe("parseGitProvenance", () => {
  const sha = "7598fdaab6559372be6c569b0b9db269bae93f7d";
  it("reads the commit, its time and origin without credentials", () => {
    expect(parseGitProvenance(`${sha}\n2026-12-06T21:44:02+00:00\nhttps://user:token@example.com/todo.git\n`)).toEqual({
      revision: sha,
      created: "2026-12-06T21:44:02+00:00",
      sourceUrl: "https://example.com/todo.git",
    });
  });
  it("leaves the URL empty without an origin, and refuses what is not a commit", () => {
    expect(parseGitProvenance(`${sha}\n2026-12-06T21:44:02+00:00\n`)?.sourceUrl).toBe("");
    expect(parseGitProvenance("fatal: your current branch 'main' does not have any commits yet\n")).toBeUndefined();
    expect(parseGitProvenance(`${sha}\nnot a time\n`)).toBeUndefined();
  });
});
