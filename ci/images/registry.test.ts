import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT, loadProjectConfig } from "../config/load.js";
import { ProjectConfigError, parseProjectConfig } from "../config/project-config.js";
import { IMAGE_KEYS, digestOf, imageRef, mirrorName, normalizedImageName, pushRegistry, recordedImages, withRegistry } from "./registry.js";

const text = readFileSync(join(REPO_ROOT, "todo.config.yaml"), "utf8");
const upstream = withRegistry(parseProjectConfig(text), "none", "test");
const mirrored = withRegistry(upstream, "172.17.0.1:5000", "test");
const D = (c: string) => `sha256:${c.repeat(64)}`;

describe("imageRef", () => {
  it("without a registry: the pinned upstream image:tag@digest of every key", () => {
    expect(imageRef(upstream, "bases.build")).toBe(`node:22-bookworm-slim@${upstream.bases.build.digest}`);
    expect(imageRef(upstream, "bases.runtime")).toBe(`gcr.io/distroless/nodejs22-debian12:latest@${upstream.bases.runtime.digest}`);
    for (const key of IMAGE_KEYS) expect(imageRef(upstream, key)).toMatch(/^[^@]+:[\w.-]+@sha256:[0-9a-f]{64}$/);
  });

  it("with a registry: <registry>/<name without its upstream host>:<tag>, no digest", () => {
    expect(imageRef(mirrored, "bases.build")).toBe("172.17.0.1:5000/node:22-bookworm-slim");
    expect(imageRef(mirrored, "bases.runtime")).toBe("172.17.0.1:5000/distroless/nodejs22-debian12:latest");
    expect(imageRef(mirrored, "pipelineImages.golang")).toBe(`172.17.0.1:5000/golang:${upstream.pipelineImages.golang.tag}`);
    expect(imageRef(mirrored, "pipelineImages.trivy")).toBe(`172.17.0.1:5000/aquasec/trivy:${upstream.pipelineImages.trivy.tag}`);
    expect(imageRef(mirrored, "pipelineImages.k3s")).toBe(`172.17.0.1:5000/rancher/k3s:${upstream.pipelineImages.k3s.tag}`);
    expect(imageRef(mirrored, "pipelineImages.postgres")).toBe(`172.17.0.1:5000/postgres:${upstream.pipelineImages.postgres.tag}`);
    expect(imageRef(withRegistry(upstream, "registry.example.com/mirror", "test"), "bases.build")).toBe("registry.example.com/mirror/node:22-bookworm-slim");
  });

  it("strips only a registry host from the name", () => {
    expect(mirrorName("node")).toBe("node");
    expect(mirrorName("aquasec/trivy")).toBe("aquasec/trivy");
    expect(mirrorName("gcr.io/distroless/nodejs22-debian12")).toBe("distroless/nodejs22-debian12");
    expect(mirrorName("127.0.0.1:5000/node")).toBe("node");
    expect(mirrorName("localhost/team/node")).toBe("team/node");
  });

  it("pushes a deploy's images to the chosen registry, else the air-gapped one, never for k3s or with none", () => {
    expect(pushRegistry("local", undefined, null)).toBeNull();
    expect(pushRegistry("local", undefined, "172.17.0.1:5000")).toBe("172.17.0.1:5000");
    expect(pushRegistry("k3s", undefined, "172.17.0.1:5000")).toBeNull();
    expect(pushRegistry("minikube", "registry.example.com/team", null)).toBe("registry.example.com/team");
    expect(pushRegistry("local", "none", "172.17.0.1:5000")).toBeNull();
    expect(() => pushRegistry("local", "http://x", null)).toThrow(/--image-registry/);
  });

  it("normalizes a short name the way the kubelet asks containerd for it", () => {
    expect(normalizedImageName("todo-backend:sha-0123456789ab")).toBe("docker.io/library/todo-backend:sha-0123456789ab");
    expect(normalizedImageName("team/app:1")).toBe("docker.io/team/app:1");
    expect(normalizedImageName("docker.io/library/node:22")).toBe("docker.io/library/node:22");
    expect(normalizedImageName("172.17.0.1:5000/todo-backend:sha-1")).toBe("172.17.0.1:5000/todo-backend:sha-1");
    expect(normalizedImageName("localhost/app:1")).toBe("localhost/app:1");
  });
});

describe("the registry setting", () => {
  it("an override wins over the file; empty is no override; none means upstream", () => {
    const fileSet = { ...upstream, registry: "mirror.example.com:5000" };
    expect(withRegistry(fileSet, undefined, "X").registry).toBe("mirror.example.com:5000");
    expect(withRegistry(fileSet, " ", "X").registry).toBe("mirror.example.com:5000");
    expect(withRegistry(fileSet, "none", "X").registry).toBeNull();
    expect(withRegistry(upstream, "localhost:5000", "X").registry).toBe("localhost:5000");
  });

  it("TODO_REGISTRY in the environment overrides registry: when the config is loaded on the host", () => {
    expect(loadProjectConfig(REPO_ROOT, { TODO_REGISTRY: "172.17.0.1:5000" }).registry).toBe("172.17.0.1:5000");
    expect(loadProjectConfig(REPO_ROOT, { TODO_REGISTRY: "none" }).registry).toBeNull();
  });

  it.each(["http://172.17.0.1:5000", "172.17.0.1:5000/", "mirror", "Registry.example.com/Upper", "host:port", "a b:5000"])("rejects %s with an error naming the key and the rule", (bad) => {
    expect(() => loadProjectConfig(REPO_ROOT, { TODO_REGISTRY: bad })).toThrow(ProjectConfigError);
    expect(() => loadProjectConfig(REPO_ROOT, { TODO_REGISTRY: bad })).toThrow(/^TODO_REGISTRY \(overrides registry in todo\.config\.yaml\): .* must be a registry host\[:port\]/);
    expect(() => parseProjectConfig(text.replace(/^registry: null$/m, `registry: "${bad}"`))).toThrow(/^\s*registry: must be a registry host\[:port\]/m);
  });

  it("accepts a registry in the file", () => {
    expect(parseProjectConfig(text.replace(/^registry: null$/m, "registry: 172.17.0.1:5000")).registry).toBe("172.17.0.1:5000");
    expect(parseProjectConfig(text.replace(/^registry: null$/m, "")).registry).toBeNull();
  });
});

describe("recordedImages", () => {
  it("records the pins without a registry, asking nothing", async () => {
    const asked: string[] = [];
    const images = await recordedImages(upstream, IMAGE_KEYS, async (ref) => (asked.push(ref), D("0")));
    expect(asked).toEqual([]);
    expect(images["node:22-bookworm-slim"]).toBe(upstream.bases.build.digest);
    expect(Object.keys(images)).toHaveLength(IMAGE_KEYS.length);
  });

  it("records the digest each tag resolved to with a registry, and a failure as unresolved", async () => {
    const images = await recordedImages(mirrored, ["bases.build", "pipelineImages.k3s"], async (ref) => {
      if (ref.includes("k3s")) throw new Error("manifest unknown\nmore");
      return digestOf(`${ref}@${D("a")}`);
    });
    expect(images).toEqual({
      "172.17.0.1:5000/node:22-bookworm-slim": D("a"),
      [`172.17.0.1:5000/rancher/k3s:${upstream.pipelineImages.k3s.tag}`]: expect.stringMatching(/^unresolved: manifest unknown \(.*npm run images:local-registry/),
    });
  });

  it("digestOf refuses a reference without a digest", () => {
    expect(() => digestOf("172.17.0.1:5000/node:22")).toThrow(/no digest/);
  });
});
