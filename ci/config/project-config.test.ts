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

  it("accepts image names behind a host:port/ registry, and rejects tags or schemes in them", () => {
    const local = parseProjectConfig(text.replace(/image: node$/m, "image: 127.0.0.1:5000/node").replace(/image: golang$/m, "image: registry.example.com/mirror/golang"));
    expect(local.bases.build.image).toBe("127.0.0.1:5000/node");
    expect(local.pipelineImages.golang.image).toBe("registry.example.com/mirror/golang");
    expect(() => parseProjectConfig(text.replace(/image: node$/m, "image: node:22"))).toThrow(/bases\.build\.image: must be an image name/);
    expect(() => parseProjectConfig(text.replace(/image: golang$/m, "image: http://127.0.0.1:5000/golang"))).toThrow(/pipelineImages\.golang\.image: must be an image name/);
  });

  it("takes the Debian mirror from the machine's apt sources, not from the config", () => {
    const withMirror = text.replace(/debianSuite: bookworm$/m, "debianSuite: bookworm\n    debianMirror: http://deb.debian.org/debian");
    expect(() => parseProjectConfig(withMirror)).toThrow(/bases\.localPackages: Unrecognized key.*debianMirror/);
  });
});
