import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { parseProjectConfig } from "../config/project-config.js";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "../config/load.js";
import { ENGINE_GC, engineJson, engineRunArgs, engineStartFailure } from "./engine-start.js";
import { registryScheme } from "./preflight.js";

describe("starting a mirrored engine image", () => {
  it("gives it the air-gapped registry over plain HTTP only when that is how it answers, and a GC that keeps the cache", () => {
    expect(engineJson("registry.example.com:5000/mirror", "http")).toEqual({ gc: ENGINE_GC, registries: { "registry.example.com:5000": { http: true, insecure: true } } });
    expect(engineJson("registry.example.com", "https")).toEqual({ gc: ENGINE_GC });
    expect(engineJson(null, "https")).toEqual({ gc: ENGINE_GC });
  });

  it("runs it privileged, its state on a named volume (kept across restarts), engine.json read-only", () => {
    expect(engineRunArgs({ name: "e", image: "r/dagger/engine:v0.21.9", configFile: "/c/engine.json", extra: ["--runtime", "x"] })).toEqual([
      "run", "-d", "--name", "e", "--privileged", "-v", "e-state:/var/lib/dagger", "-v", "/c/engine.json:/etc/dagger/engine.json:ro", "--runtime", "x", "r/dagger/engine:v0.21.9",
    ]);
  });

  it("says why docker run failed, not docker's closing help line, with the fix", () => {
    const caps = "docker: Error response from daemon: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: unable to apply caps: operation not permitted: unknown\n\nRun 'docker run --help' for more information\n";
    expect(engineStartFailure("r/engine:v1", "e", caps)).toMatch(/^could not start r\/engine:v1 as e: Error response from daemon: .*unable to apply caps.* \(this host's capability bounding set .* TODO_ENGINE_RUN_ARGS="--runtime <name>"\)$/);
    const missing = "Unable to find image 'r/engine:v1' locally\ndocker: Error response from daemon: manifest for r/engine:v1 not found: manifest unknown: manifest unknown.\nSee 'docker run --help'.\n";
    expect(engineStartFailure("r/engine:v1", "e", missing)).toMatch(/: Error response from daemon: manifest for r\/engine:v1 not found.* \(is the image in your registry under that name and tag\?\)$/);
  });

  it("finds a plain-HTTP registry by asking it, and none where nothing answers", async () => {
    const server = createServer((_, res) => res.writeHead(200).end("{}"));
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    try {
      expect(await registryScheme(`127.0.0.1:${(server.address() as AddressInfo).port}/mirror`)).toBe("http");
    } finally {
      server.close();
    }
    expect(await registryScheme("127.0.0.1:1", 1_000)).toBeNull();
  });

  it("takes engine.image only with a tag or digest", () => {
    const text = readFileSync(join(REPO_ROOT, "todo.config.yaml"), "utf8");
    const withImage = (image: string) => text.replace(/^  image: null$/m, `  image: ${image}`);
    expect(withImage("x")).not.toBe(text);
    expect(parseProjectConfig(withImage("registry.example.com:5000/dagger/engine:v0.21.9")).engine?.image).toBe("registry.example.com:5000/dagger/engine:v0.21.9");
    expect(() => parseProjectConfig(withImage("registry.example.com/dagger/engine"))).toThrow(/tag or digest/);
  });
});
