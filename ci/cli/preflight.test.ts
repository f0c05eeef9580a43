// Preflight messages on a machine without the tools (an empty PATH is such a machine).
import { describe, expect, it } from "vitest";
import { checkContainerRuntime, checkDagger, checkMinikube, formatChecks } from "./preflight.js";

const bare = { PATH: "/nonexistent" };

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
