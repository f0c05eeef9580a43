import { describe, expect, it } from "vitest";
import { KubeconfigError, apiServerOf, deployClusterArgs, loopbackApiServer, targetOfKubeconfig, withInlinedFiles } from "./kubeconfig.js";

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

  it("inlines the files a kubeconfig names, which the engine's containers cannot read", () => {
    const text = `apiVersion: v1
kind: Config
current-context: minikube
contexts: [{ name: minikube, context: { cluster: minikube, user: minikube } }]
clusters: [{ name: minikube, cluster: { server: "https://192.168.49.2:8443", certificate-authority: /home/u/.minikube/ca.crt } }]
users: [{ name: minikube, user: { client-certificate: profiles/minikube/client.crt, client-key: profiles/minikube/client.key } }]
`;
    const files: Record<string, string> = { "/home/u/.minikube/ca.crt": "CA", "profiles/minikube/client.crt": "CERT", "profiles/minikube/client.key": "KEY" };
    const out = withInlinedFiles(text, (p) => Buffer.from(files[p] ?? "")) ?? "";
    expect(out).toContain(`certificate-authority-data: ${Buffer.from("CA").toString("base64")}`);
    expect(out).toContain(`client-key-data: ${Buffer.from("KEY").toString("base64")}`);
    expect(out).not.toMatch(/certificate-authority:|client-certificate:|client-key:/);
    expect(apiServerOf(out).host).toBe("192.168.49.2:8443");
    expect(withInlinedFiles(kubeconfig("https://127.0.0.1:6443"), () => Buffer.from(""))).toBeUndefined();
  });
});
