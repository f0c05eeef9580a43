import { describe, expect, it } from "vitest";
import { expandVars, finalStage, lineage, parseDockerfile, runCommand } from "./dockerfile.js";
import { exposedPorts, finalUser } from "./links.js";

describe("parseDockerfile", () => {
  const text = [
    "# syntax=docker/dockerfile:1", // 1
    "ARG BASE=node:22@sha256:" + "a".repeat(64), // 2
    "ARG NOBASE", // 3
    "FROM ${BASE} AS build", // 4
    "ENV APP_PORT=8080", // 5
    "RUN npm ci \\", // 6
    "  # a comment inside the continuation", // 7
    "  && npm run build", // 8
    "FROM build AS test", // 9
    "RUN <<EOF", // 10
    "npm test", // 11
    "EOF", // 12
    "FROM $NOBASE AS other", // 13
    "FROM build", // 14
    "ARG PORT=${APP_PORT}", // 15
    "EXPOSE ${PORT}/tcp 9090", // 16
    "USER 10001", // 17
    'CMD ["node", "server.js"]', // 18
  ].join("\n");
  const df = parseDockerfile("Dockerfile", text);

  it("reads stages with their first line, name and parent", () => {
    expect(df.stages.map((s) => [s.from.line, s.name ?? null, s.parent?.name ?? null, s.base])).toEqual([
      [4, "build", null, `node:22@sha256:${"a".repeat(64)}`],
      [9, "test", "build", "build"],
      [13, "other", null, ""],
      [14, null, "build", "build"],
    ]);
    expect(df.stages[2]!.baseUnresolved).toBe(true);
    expect(df.stages[0]!.baseUnresolved).toBe(false);
  });

  it("joins continuation lines (dropping comment lines) and keeps the first line number", () => {
    const run = df.stages[0]!.instructions.find((i) => i.keyword === "RUN")!;
    expect(run.line).toBe(6);
    expect(runCommand(run)).toBe("npm ci  && npm run build");
  });

  it("keeps heredoc bodies and skips their lines", () => {
    const run = df.stages[1]!.instructions[0]!;
    expect(run.heredocs).toEqual(["npm test"]);
    expect(runCommand(run)).toContain("npm test");
    expect(df.stages[2]!.from.line).toBe(13);
  });

  it("substitutes ARG and inherited ENV values (EXPOSE ${PORT} from ARG PORT=${APP_PORT})", () => {
    expect(exposedPorts(df)).toEqual([
      { port: 8080, line: 16 },
      { port: 9090, line: 16 },
    ]);
    expect(finalUser(df)).toEqual({ user: "10001", line: 17 });
    expect(lineage(finalStage(df)!).map((s) => s.index)).toEqual([3, 0]);
  });

  it("expands ${X:-default} and ${X:+alt}, and reports unresolved names", () => {
    const vars = new Map([["A", "1"]]);
    expect(expandVars("${A:-x}${B:-y}${A:+z}${B:+w}", vars)).toEqual({ value: "1yz", unresolved: false });
    expect(expandVars("$B", vars)).toEqual({ value: "", unresolved: true });
  });

  it("honours the escape directive", () => {
    const win = parseDockerfile("Dockerfile", "# escape=`\nFROM scratch\nRUN echo a `\n  b\nUSER 1");
    expect(runCommand(win.stages[0]!.instructions[0]!)).toBe("echo a  b");
    expect(win.stages[0]!.instructions[1]!.line).toBe(5);
  });
});
