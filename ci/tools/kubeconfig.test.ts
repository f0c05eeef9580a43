import { describe, expect, it } from "vitest";
import { KubeconfigError, apiServerOf, deployClusterArgs, loopbackApiServer, targetOfKubeconfig } from "./kubeconfig.js";

const kubeconfig = (server: string, current = "local") => `apiVersion: v1
kind: Config
current-context: ${current}
contexts:
  - name: local
    context: { cluster: local, user: admin }
  - name: remote
    context: { cluster: remote, user: admin }
clusters:
  - name: local
    cluster: { server: "${server}" }
  - name: remote
    cluster: { server: "https://k8s.example.com:6443" }
users:
  - name: admin
    user: {}
`;

describe("kubeconfig", () => {
  it("finds the current context's API server, or a named one", () => {
    expect(apiServerOf(kubeconfig("https://127.0.0.1:6443")).href).toBe("https://127.0.0.1:6443/");
    expect(apiServerOf(kubeconfig("https://127.0.0.1:6443"), "remote").host).toBe("k8s.example.com:6443");
  });

  it("says when the API server is on loopback, which the engine's containers must reach through a tunnel", () => {
    expect(loopbackApiServer(kubeconfig("https://127.0.0.1:39999"))).toEqual({ host: "127.0.0.1", port: 39999 });
    expect(loopbackApiServer(kubeconfig("https://localhost:8443"))).toEqual({ host: "127.0.0.1", port: 8443 });
    expect(loopbackApiServer(kubeconfig("https://[::1]:6443"))).toEqual({ host: "::1", port: 6443 });
    expect(loopbackApiServer(kubeconfig("https://127.0.0.1:6443"), "remote")).toBeUndefined();
    expect(loopbackApiServer(kubeconfig("https://192.168.49.2:8443"))).toBeUndefined();
  });

  it("names what is missing", () => {
    expect(() => apiServerOf(kubeconfig("https://127.0.0.1:6443", "nope"))).toThrow(/no context "nope" \(has: local, remote\)/);
    expect(() => apiServerOf("kind: Config\n")).toThrow(KubeconfigError);
    expect(() => apiServerOf("kind: Config\n")).toThrow(/--context/);
    expect(() => apiServerOf(": : :")).toThrow(/not valid YAML/);
  });

  it("gives deploy the file, the context and a tunnel only for a loopback API server", () => {
    expect(deployClusterArgs("/k/config", kubeconfig("https://127.0.0.1:6443"))).toEqual(["--kubeconfig", "file:/k/config", "--kube-api", "tcp://127.0.0.1:6443"]);
    expect(deployClusterArgs("/k/config", kubeconfig("https://192.168.49.2:8443"), "local")).toEqual(["--kubeconfig", "file:/k/config", "--context", "local"]);
  });

  it("takes the deploy target from the kubeconfig's context, or names the targets to choose from", () => {
    const targets = { k3s: {}, minikube: { context: "minikube" }, local: { context: "local" } };
    expect(targetOfKubeconfig(targets, kubeconfig("https://127.0.0.1:6443"))).toBe("local");
    expect(() => targetOfKubeconfig(targets, kubeconfig("https://127.0.0.1:6443"), "remote")).toThrow(
      'no deploy target is for the kubeconfig\'s context "remote": pass --target NAME (one of k3s, minikube (context minikube), local (context local)',
    );
    expect(() => targetOfKubeconfig({ a: { context: "local" }, b: { context: "local" } }, kubeconfig("https://127.0.0.1:6443"))).toThrow("deploy targets a and b both name context");
    expect(() => targetOfKubeconfig(targets, "current-context: [")).toThrow(KubeconfigError);
  });
});
