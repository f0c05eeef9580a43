import { describe, expect, it } from "vitest";
import { REPO_ROOT, loadProjectConfig } from "../config/load.js";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { imageBuildArgs, localBaseRef, provenanceLabels, withoutCredentials } from "./build-args.js";
import { imageRef } from "./registry.js";

describe("withoutCredentials", () => {
  it("drops a user or token from a repository URL before it becomes an image label", () => {
    expect(withoutCredentials("https://x-access-token:ghs_abc123@github.com/acme/todo.git")).toBe("https://github.com/acme/todo.git");
    expect(withoutCredentials("https://ci@git.example.com/acme/todo")).toBe("https://git.example.com/acme/todo");
  });

  it("keeps URLs without credentials, and scp-style remotes, as they are", () => {
    expect(withoutCredentials("https://github.com/acme/todo.git")).toBe("https://github.com/acme/todo.git");
    expect(withoutCredentials("git@github.com:acme/todo.git")).toBe("git@github.com:acme/todo.git");
    expect(withoutCredentials("")).toBe("");
  });
});

describe("imageBuildArgs", () => {
  const config = loadProjectConfig(REPO_ROOT, {});
  const provenance = { source: "", revision: "unknown", version: "0.0.0", created: "1970-01-01T00:00:00Z" };
  const { build, runtime } = config.bases;

  it("builds on the bases the caller pinned, so a moved registry tag changes the build's arguments", () => {
    const mirrored = { ...config, registry: "registry.test:5000" };
    const pinned = { build: `registry.test:5000/node:22@sha256:${"a".repeat(64)}`, runtime: `registry.test:5000/rt:latest@sha256:${"b".repeat(64)}` };
    const args = imageBuildArgs(mirrored, "backend", provenance, { baseRefs: pinned });
    expect([args[build.arg], args[runtime.arg]]).toEqual([pinned.build, pinned.runtime]);
    expect(imageBuildArgs(mirrored, "backend", provenance)[runtime.arg]).toBe(imageRef(mirrored, "bases.runtime"));
  });

  it("uses the local stand-ins when asked, whatever else is given", () => {
    const args = imageBuildArgs(config, "frontend", provenance, { localBases: true, baseRefs: { build: "x", runtime: "y" } });
    expect(args[runtime.arg]).toBe(localBaseRef(config, "runtime"));
  });
});

describe("provenanceLabels", () => {
  const config = loadProjectConfig(REPO_ROOT, {});
  const provenance = { source: "https://example.test/todo", revision: "a".repeat(40), version: "0.0.0-aaaaaaaaaaaa", created: "2026-01-02T03:04:05Z" };
  const byArg: Record<string, string> = { SOURCE: provenance.source, REVISION: provenance.revision, VERSION: provenance.version, CREATED: provenance.created };

  for (const app of ["backend", "frontend"] as const) {
    it(`sets on the bare ${app} image exactly the labels its Dockerfile takes from the provenance arguments, which the bare build leaves out`, () => {
      const dockerfile = readFileSync(join(REPO_ROOT, config.apps[app].dockerfile), "utf8");
      const fromArgs = Object.fromEntries([...dockerfile.matchAll(/(org\.opencontainers\.image\.\w+)="\$\{(SOURCE|REVISION|VERSION|CREATED)\}"/g)].map((m) => [m[1]!, byArg[m[2]!]!]));
      expect(provenanceLabels(provenance)).toEqual(fromArgs);
      const bare = imageBuildArgs(config, app, null);
      expect(Object.keys(byArg).filter((arg) => arg in bare)).toEqual([]);
      expect(imageBuildArgs(config, app, provenance)).toMatchObject(byArg);
    });
  }
});
