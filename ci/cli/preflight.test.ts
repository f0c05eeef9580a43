// Preflight messages on a machine without the tools (an empty PATH is such a machine).
import { type ChildProcess, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer as createHttpServer } from "node:http";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkContainerRuntime, checkDagger, checkMinikube, checkRegistryImages, daggerCli, findEngine, formatChecks, imagesPulledBy, judgeEngineGc, judgeLocalEngine, parseDf, parseDiskSpace } from "./preflight.js";

const bare = { PATH: "/nonexistent" };

/** A URL on a local port nothing listens on. */
async function closedUrl() {
  const server = createHttpServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}/v2/`;
}

describe("preflight", () => {
  it("names each missing tool and how to get it", async () => {
    const checks = [await checkDagger("0.21.9", bare), await checkContainerRuntime(bare), await checkMinikube("minikube", bare)];
    expect(checks.map((c) => c.ok)).toEqual([false, false, false]);
    const text = formatChecks(checks);
    expect(text).toContain("✗ dagger CLI: not found: install it with");
    expect(text).toContain("DAGGER_VERSION=0.21.9");
    expect(text).toContain("✗ container runtime: no running docker, podman or nerdctl");
    expect(text).toContain("✗ minikube: not found: install Minikube");
  });
});

describe("findEngine", () => {
  it("keeps an engine named by _EXPERIMENTAL_DAGGER_RUNNER_HOST", async () => {
    const env = { ...bare, _EXPERIMENTAL_DAGGER_RUNNER_HOST: "tcp://engine.example.com:1234" };
    expect((await findEngine("todo-dagger-engine", env)).detail).toBe("tcp://engine.example.com:1234 (_EXPERIMENTAL_DAGGER_RUNNER_HOST)");
  });

  it("without a running local engine, says the CLI will need the official engine image", async () => {
    const env: NodeJS.ProcessEnv = { ...bare };
    const check = await findEngine("todo-dagger-engine", env, "0.21.9", { engineRegistry: await closedUrl() });
    expect(check.detail).toMatch(/official engine image .*closed network/);
    expect(env._EXPERIMENTAL_DAGGER_RUNNER_HOST).toBeUndefined();
  });

  it("marks the official engine ✓ when its registry answers (a local stand-in answering 401, as registry.dagger.io does)", async () => {
    const server = createHttpServer((_, res) => {
      res.statusCode = 401;
      res.end();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/v2/`;
    try {
      const check = await findEngine(undefined, { ...bare }, "0.21.9", { engineRegistry: url });
      expect(check).toEqual({ name: "engine", ok: true, detail: `the CLI starts the official engine image registry.dagger.io/engine:v0.21.9 (${new URL(url).host} answers)` });
      expect(formatChecks([check])).toMatch(/^✓ engine/);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("marks it unknown (?), not ✓, with what to do, when its registry cannot be reached; the run is not stopped", async () => {
    const url = await closedUrl();
    const check = await findEngine(undefined, { ...bare }, "0.21.9", { engineRegistry: url });
    expect(check).toMatchObject({ name: "engine", ok: true, unknown: true });
    expect(formatChecks([check])).toBe(
      `? engine: unknown: the CLI would start the official engine image registry.dagger.io/engine:v0.21.9, but ${new URL(url).host} cannot be reached from here. On a closed network, mirror that image into your registry and name the mirror in engine.image (todo.config.yaml) or TODO_ENGINE_IMAGE, or start a local engine first (README: "A local Dagger engine")`,
    );
  });

  it("uses $DAGGER_CLI when set", () => {
    expect(daggerCli({ DAGGER_CLI: "/opt/dagger/bin/dagger" })).toBe("/opt/dagger/bin/dagger");
    expect(daggerCli({})).toBe("dagger");
  });
});

describe("the engine's garbage collector", () => {
  const GiB = 1024 ** 3;
  const disk = (totalGiB: number, freeGiB: number) => ({ totalBytes: totalGiB * GiB, freeBytes: freeGiB * GiB });
  const kept = JSON.stringify({ registries: {}, gc: { reservedSpace: "20GB", minFreeSpace: "5GB", maxUsedSpace: "40GB" } });

  it("reads disk spaces as the engine does: bytes, units of 1024, percentages of the disk", () => {
    expect(parseDiskSpace(512_000_000, 100 * GiB)).toBe(512_000_000);
    expect(parseDiskSpace("20GB", 100 * GiB)).toBe(20 * GiB);
    expect(parseDiskSpace("512MiB", 100 * GiB)).toBe(512 * 1024 ** 2);
    expect(parseDiskSpace("10%", 100 * GiB)).toBe(10 * GiB);
    expect(parseDiskSpace(undefined, 100 * GiB)).toBeUndefined();
    expect(parseDiskSpace("lots", 100 * GiB)).toBeUndefined();
  });

  it("reads df -Pk", () => {
    const out = "Filesystem     1024-blocks      Used Available Capacity Mounted on\n/dev/sda1        104857600  94371840  10485760      90% /var/lib/dagger\n";
    expect(parseDf(out)).toEqual({ totalBytes: 100 * GiB, freeBytes: 10 * GiB });
    expect(parseDf("df: /var/lib/dagger: No such file or directory")).toBeUndefined();
  });

  it("warns, naming the settings, when no gc is set and the disk has less than 20 % free", () => {
    const line = judgeEngineGc(JSON.stringify({ registries: {} }), disk(100, 19));
    expect(line).toMatch(/no gc space and the disk has 19 % free .* default gc\.minFreeSpace of 20 %: the engine prunes most of its cache/);
    for (const key of ["gc.reservedSpace", "gc.minFreeSpace", "gc.maxUsedSpace"]) expect(line).toContain(key);
    expect(line).not.toContain("\n");
    expect(judgeEngineGc("", disk(100, 19))).toMatch(/no gc space/);
    expect(judgeEngineGc(JSON.stringify({ registries: {} }), disk(100, 30))).toBeUndefined();
  });

  it("warns when gc.minFreeSpace or gc.reservedSpace is more than the disk has free", () => {
    expect(judgeEngineGc(kept, disk(100, 30))).toBeUndefined();
    expect(judgeEngineGc(kept, disk(100, 4))).toMatch(/^gc\.minFreeSpace \(5\.0 GiB\) is more than the disk has free \(4\.0 GiB, 4 %\)/);
    expect(judgeEngineGc(JSON.stringify({ gc: { reservedSpace: "20GB", maxUsedSpace: "40GB" } }), disk(100, 12))).toMatch(/^gc\.reservedSpace \(20\.0 GiB\) is more than the disk has free \(12\.0 GiB/);
    expect(judgeEngineGc(JSON.stringify({ gc: { minFreeSpace: "50%" } }), disk(100, 40))).toMatch(/^gc\.minFreeSpace \(50\.0 GiB\)/);
  });

  it("says nothing when GC is off or runs on policies of one's own, and flags an engine.json that is not JSON", () => {
    expect(judgeEngineGc(JSON.stringify({ gc: { enabled: false } }), disk(100, 1))).toBeUndefined();
    expect(judgeEngineGc(JSON.stringify({ gc: { policies: [{ all: true, keepDuration: "48h" }] } }), disk(100, 1))).toBeUndefined();
    expect(judgeEngineGc("{", disk(100, 50))).toMatch(/not JSON.*gc\.minFreeSpace/);
  });

  it("is read from the running engine container by findEngine, which warns in one line", async () => {
    const bin = mkdtempSync(join(tmpdir(), "fake-docker-"));
    try {
      // A docker that answers inspect (running, the pinned tag) and exec (engine.json without gc, a 90 % full disk).
      writeFileSync(
        join(bin, "docker"),
        `#!/bin/sh\ncase "$1" in\n inspect) echo "true todo-dagger-engine:v0.21.9";;\n exec) echo '{"registries":{}}'; echo '--- df ---'; echo 'Filesystem 1024-blocks Used Available Capacity Mounted'; echo '/dev/sda1 104857600 94371840 10485760 90% /var/lib/dagger';;\nesac\n`,
      );
      chmodSync(join(bin, "docker"), 0o755);
      const env: NodeJS.ProcessEnv = { PATH: `${bin}:/usr/bin:/bin` };
      const lines: string[] = [];
      const check = await findEngine("todo-dagger-engine", env, "0.21.9", { warn: (l) => lines.push(l) });
      expect(check.ok).toBe(true);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^! engine GC: todo-dagger-engine: engine\.json sets no gc space and the disk has 10 % free/);
    } finally {
      rmSync(bin, { recursive: true, force: true });
    }
  });
});

describe("judgeLocalEngine", () => {
  it("takes a running engine built at the pinned release", () => {
    expect(judgeLocalEngine("e", "true 172.17.0.1:5000/dagger-local/engine:v0.21.9\n", "0.21.9")).toEqual({ name: "engine", ok: true, detail: "local engine in container e" });
  });

  it("names a version mismatch and a stopped engine, each with its fix", () => {
    expect(judgeLocalEngine("e", "true localhost:5000/dagger-local/engine:v0.20.1", "0.21.9").detail).toMatch(/runs localhost:5000\/dagger-local\/engine:v0.20.1, but this repository pins Dagger v0.21.9: rebuild the engine at v0.21.9/);
    expect(judgeLocalEngine("e", "false registry.example.com/engine:v0.21.9", "0.21.9").detail).toMatch(/is stopped: `docker start e`/);
    expect(judgeLocalEngine("e", "false registry.example.com/engine:v0.21.9 0 false", "0.21.9").detail).toBe("local engine container e is stopped: `docker start e`, or remove it to use the official engine");
    expect(judgeLocalEngine("e", "false registry.example.com/engine:v0.21.9 137 false", "0.21.9").detail).toMatch(/is stopped \(it was killed \(exit 137\): Dagger discards the cache .* next run starts cold; stop it with `docker stop -t 60 e`\): `docker start e`/);
    expect(judgeLocalEngine("e", "false registry.example.com/engine:v0.21.9 137 true", "0.21.9").detail).toMatch(/it ran out of memory and was killed/);
  });
});

describe("imagesPulledBy", () => {
  it("asks for k3s only when deploying to k3s", () => {
    expect(imagesPulledBy("build")).toEqual(["bases.build", "bases.runtime"]);
    expect(imagesPulledBy("ci")).not.toContain("pipelineImages.k3s");
    expect(imagesPulledBy("deploy", "minikube")).not.toContain("pipelineImages.k3s");
    expect(imagesPulledBy("deploy", "k3s")).toContain("pipelineImages.k3s");
  });
});

// Debian's docker-registry (the one `npm run images:local-registry` serves) on a free port.
describe("checkRegistryImages, on a real registry", () => {
  const dir = mkdtempSync(join(tmpdir(), "preflight-registry-"));
  let registry: ChildProcess | undefined;
  let host = "";

  const freePort = () =>
    new Promise<number>((resolve) => {
      const server = createServer().listen(0, "127.0.0.1", () => {
        const { port } = server.address() as { port: number };
        server.close(() => resolve(port));
      });
    });

  /** Pushes a one-blob image through the registry API (what docker push does, minus layers). */
  async function push(name: string, tag: string) {
    const config = Buffer.from(JSON.stringify({ architecture: "amd64", os: "linux", rootfs: { type: "layers", diff_ids: [] } }));
    const digest = `sha256:${createHash("sha256").update(config).digest("hex")}`;
    const start = await fetch(`http://${host}/v2/${name}/blobs/uploads/`, { method: "POST" });
    const location = new URL(start.headers.get("location")!, `http://${host}`);
    location.searchParams.set("digest", digest);
    expect((await fetch(location, { method: "PUT", body: config, headers: { "content-type": "application/octet-stream" } })).status).toBe(201);
    const manifest = { schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json", config: { mediaType: "application/vnd.oci.image.config.v1+json", digest, size: config.length }, layers: [] };
    const put = await fetch(`http://${host}/v2/${name}/manifests/${tag}`, { method: "PUT", body: JSON.stringify(manifest), headers: { "content-type": manifest.mediaType } });
    expect(put.status).toBe(201);
  }

  beforeAll(async () => {
    const port = await freePort();
    host = `127.0.0.1:${port}`;
    const configFile = join(dir, "config.yml");
    writeFileSync(configFile, `version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: ${join(dir, "data")}\nhttp:\n  addr: ${host}\n`);
    registry = spawn("docker-registry", ["serve", configFile], { stdio: "ignore" });
    registry.on("error", () => undefined);
    for (let i = 0; i < 100; i++) {
      if (await fetch(`http://${host}/v2/`).then((r) => r.ok, () => false)) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error("docker-registry did not answer within 10 s: is Debian's docker-registry installed (scripts/setup/system-packages.sh)?");
  }, 20_000);

  afterAll(() => {
    registry?.kill();
    rmSync(dir, { recursive: true, force: true });
  });

  it("names the missing images and the command that pushes them, then passes once they are there", async () => {
    const refs = [`${host}/node:22-bookworm-slim`, `${host}/aquasec/trivy:0.68.2`];
    const before = await checkRegistryImages(host, refs);
    expect(before.ok).toBe(false);
    expect(before.detail).toBe(`${host} lacks ${refs.join(", ")}: \`npm run images:local-registry\` builds and pushes them (TODO_REGISTRY=${host})`);
    await push("node", "22-bookworm-slim");
    expect((await checkRegistryImages(host, refs)).detail).toBe(`${host} lacks ${refs[1]}: \`npm run images:local-registry\` builds and pushes them (TODO_REGISTRY=${host})`);
    await push("aquasec/trivy", "0.68.2");
    expect(await checkRegistryImages(host, refs)).toEqual({ name: "registry", ok: true, detail: `${host} holds the 2 images this run pulls` });
  });

  it("says a registry that does not answer is not running, and how to start one", async () => {
    const closed = `127.0.0.1:${await freePort()}`;
    const check = await checkRegistryImages(closed, [`${closed}/node:22`], 1_000);
    expect(check.ok).toBe(false);
    expect(check.detail).toMatch(/does not answer .*npm run images:local-registry/);
  });
});
