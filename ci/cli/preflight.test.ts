// Preflight messages on a machine without the tools (an empty PATH is such a machine).
import { describe, expect, it } from "vitest";
import { checkContainerRuntime, checkDagger, checkMinikube, daggerCli, findEngine, formatChecks } from "./preflight.js";

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

describe("findEngine", () => {
  it("keeps an engine named by _EXPERIMENTAL_DAGGER_RUNNER_HOST", async () => {
    const env = { ...bare, _EXPERIMENTAL_DAGGER_RUNNER_HOST: "tcp://engine.example.com:1234" };
    expect((await findEngine("todo-dagger-engine", env)).detail).toBe("tcp://engine.example.com:1234 (_EXPERIMENTAL_DAGGER_RUNNER_HOST)");
  });

  it("without a running local engine, says the CLI will need the official engine image", async () => {
    const env: NodeJS.ProcessEnv = { ...bare };
    const check = await findEngine("todo-dagger-engine", env);
    expect(check.detail).toMatch(/official engine image .*closed network/);
    expect(env._EXPERIMENTAL_DAGGER_RUNNER_HOST).toBeUndefined();
  });

  it("uses $DAGGER_CLI when set", () => {
    expect(daggerCli({ DAGGER_CLI: "/opt/dagger/bin/dagger" })).toBe("/opt/dagger/bin/dagger");
    expect(daggerCli({})).toBe("dagger");
  });
});
