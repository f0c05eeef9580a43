// The Dockerfiles repeat a few facts of todo.config.yaml as ARG defaults (so a
// plain `docker build` works); these tests keep them equal to the config.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT, loadProjectConfig } from "../../ci/config/load.js";
import { dockerfileArgDefaults, imageBuildArgs, upstreamBaseRef } from "../../ci/images/build-args.js";

const config = loadProjectConfig();
const provenance = { source: "s", revision: "r", version: "v", created: "c" };

for (const app of ["backend", "frontend"] as const) {
  const path = config.apps[app].dockerfile;
  const text = readFileSync(join(REPO_ROOT, path), "utf8");
  const defaults = dockerfileArgDefaults(text);

  describe(`${path}`, () => {
    it("defaults every build argument the pipeline passes to the value todo.config.yaml gives it", () => {
      const args = imageBuildArgs(config, app, provenance);
      for (const key of ["PORT", "HEALTH_PATH", "UID", "GID"]) expect(`${key}=${defaults.get(key)}`).toBe(`${key}=${args[key]}`);
      for (const key of ["SOURCE", "REVISION", "VERSION", "CREATED"]) expect(defaults.has(key), key).toBe(true);
    });

    it("defaults its base images to the digests pinned in bases:", () => {
      expect(defaults.get(config.bases.build.arg)).toBe(upstreamBaseRef(config, "build"));
      expect(defaults.get(config.bases.runtime.arg)).toBe(upstreamBaseRef(config, "runtime"));
      const froms = [...text.matchAll(/^FROM\s+(\S+)/gm)].map((m) => m[1]!);
      // Every stage starts from an ARG base or an earlier stage: no unpinned image sneaks in.
      const stages = [...text.matchAll(/^FROM\s+\S+\s+AS\s+(\S+)/gim)].map((m) => m[1]!);
      for (const from of froms) expect([`\${${config.bases.build.arg}}`, `\${${config.bases.runtime.arg}}`, ...stages]).toContain(from);
    });

    it("runs as the configured numeric user, checks health with node in exec form, and labels from build arguments", () => {
      expect(text).toMatch(/^USER \$\{UID\}:\$\{GID\}$/m);
      expect(text).toMatch(/^EXPOSE \$\{PORT\}$/m);
      expect(text).toMatch(/^HEALTHCHECK [^\n]*\\\n\s+CMD \["\/nodejs\/bin\/node", "\/app\/healthcheck\.mjs"\]$/m);
      for (const label of ["source", "revision", "version", "created"]) {
        expect(text).toContain(`org.opencontainers.image.${label}="\${${label.toUpperCase()}}"`);
      }
      // The last stage is the runtime: FROM the runtime base, with no RUN (it has no shell).
      const runtime = text.slice(text.lastIndexOf("\nFROM "));
      expect(runtime).toMatch(new RegExp(`^\\nFROM \\$\\{${config.bases.runtime.arg}\\}`));
      expect(runtime).not.toMatch(/^RUN /m);
    });

    it("has a Dockerfile-specific ignore file that admits no secrets, tests or build output", () => {
      const ignore = readFileSync(join(REPO_ROOT, `${path}.dockerignore`), "utf8");
      expect(ignore).toMatch(/^\*$/m); // allow-list: everything is out unless named
      expect(ignore).toMatch(/^\*\*\/\.env\*$/m);
      expect(ignore).toMatch(/^\*\*\/\*\.pem$/m);
      expect(ignore).toMatch(new RegExp(`^${app}/node_modules$`, "m"));
    });
  });
}
