import { describe, expect, it } from "vitest";
import { contentTag, kubectlLogsArgs, minikubeImageLoadArgs } from "./kubectl.js";

describe("cluster command lines", () => {
  it("loads a tarball into a Minikube profile", () => {
    expect(minikubeImageLoadArgs("/tmp/backend.tar", "todo")).toEqual(["image", "load", "/tmp/backend.tar", "--profile", "todo"]);
  });
  it("reads the previous run's last log lines", () => {
    expect(kubectlLogsArgs({ pod: "p", container: "backend", namespace: "todo", previous: true, tail: 10 })).toEqual(["logs", "p", "-c", "backend", "-n", "todo", "--previous", "--tail", "10"]);
  });
  it("tags by content and refuses what is not a digest", () => {
    expect(contentTag("sha256:" + "ab".repeat(32))).toBe("sha-abababababab");
    expect(() => contentTag("latest")).toThrow(/not a sha256 digest/);
  });
});
