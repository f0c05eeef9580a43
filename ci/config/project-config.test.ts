import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT, loadProjectConfig } from "./load.js";
import { ProjectConfigError, parseProjectConfig } from "./project-config.js";

const text = readFileSync(join(REPO_ROOT, "todo.config.yaml"), "utf8");

describe("todo.config.yaml", () => {
  it("loads and names both apps with distinct ports", () => {
    const config = loadProjectConfig();
    expect(config.apps.backend.health.readiness).toBe("/ready");
    expect(config.apps.backend.port).not.toBe(config.apps.frontend.port);
  });

  it("rejects a duplicate key instead of letting the later one win", () => {
    expect(() => parseProjectConfig(`${text}\nchart: {path: x, release: y, namespace: z}\n`)).toThrow(/not valid YAML.*[Dd]uplicate|Map keys must be unique/);
  });

  it("names the bad key and the rule when a value is wrong", () => {
    const bad = text.replace(/port: 8000/, "port: 70000");
    expect(() => parseProjectConfig(bad)).toThrow(ProjectConfigError);
    expect(() => parseProjectConfig(bad)).toThrow(/apps\.backend\.port/);
  });

  it("requires a reason and an expiry on every ignored finding", () => {
    const bad = text.replace(/ignore: \[\]/, 'ignore: [{ id: CVE-2026-1, reason: "", expires: soon }]');
    expect(() => parseProjectConfig(bad)).toThrow(/scan\.ignore\.0\.reason[\s\S]*scan\.ignore\.0\.expires/);
  });

  it("refuses a default deploy target that is not defined", () => {
    const bad = text.replace(/defaultTarget: k3s/, "defaultTarget: kind");
    expect(() => parseProjectConfig(bad)).toThrow(/defaultTarget "kind"/);
  });
});
