// A stand-in for a Kubernetes API server, for what needs a cluster and cannot
// have one here: it speaks the real REST protocol over a real socket (version,
// discovery, namespaced Secrets with label selectors), enough for helm's
// `lookup` and its release storage during `helm install|upgrade --dry-run=server`.
// It records every request so tests can see what helm asked for.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface StoredSecret {
  name: string;
  namespace: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  /** base64 values, as the API returns them. */
  data: Record<string, string>;
  type?: string;
}

const GROUPS: Record<string, { group: string; version: string; resources: [string, string, boolean][] }> = {
  "/api/v1": {
    group: "",
    version: "v1",
    resources: [
      ["secrets", "Secret", true], ["configmaps", "ConfigMap", true], ["services", "Service", true], ["serviceaccounts", "ServiceAccount", true],
      ["pods", "Pod", true], ["persistentvolumeclaims", "PersistentVolumeClaim", true], ["namespaces", "Namespace", false],
    ],
  },
  "/apis/apps/v1": { group: "apps", version: "v1", resources: [["deployments", "Deployment", true], ["statefulsets", "StatefulSet", true]] },
  "/apis/networking.k8s.io/v1": { group: "networking.k8s.io", version: "v1", resources: [["ingresses", "Ingress", true], ["networkpolicies", "NetworkPolicy", true]] },
  "/apis/policy/v1": { group: "policy", version: "v1", resources: [["poddisruptionbudgets", "PodDisruptionBudget", true]] },
  "/apis/autoscaling/v2": { group: "autoscaling", version: "v2", resources: [["horizontalpodautoscalers", "HorizontalPodAutoscaler", true]] },
};

export class FakeKubeApi {
  readonly requests: string[] = [];
  private server?: Server;
  constructor(private readonly secrets: StoredSecret[] = [], private readonly kubeVersion = "1.33.0") {}

  async start(): Promise<{ kubeconfig: string }> {
    this.server = createServer((req, res) => this.handle(req, res));
    await new Promise<void>((r) => this.server!.listen(0, "127.0.0.1", r));
    const port = (this.server.address() as AddressInfo).port;
    const dir = mkdtempSync(join(tmpdir(), "fake-kube-"));
    const kubeconfig = join(dir, "kubeconfig");
    writeFileSync(
      kubeconfig,
      [
        "apiVersion: v1",
        "kind: Config",
        `clusters: [{name: fake, cluster: {server: "http://127.0.0.1:${port}"}}]`,
        "users: [{name: fake, user: {token: fake-token}}]",
        "contexts: [{name: fake, context: {cluster: fake, user: fake}}]",
        "current-context: fake",
        "",
      ].join("\n"),
      { mode: 0o600 },
    );
    return { kubeconfig };
  }

  async stop(): Promise<void> {
    await new Promise((r) => this.server?.close(r));
  }

  private send(res: ServerResponse, code: number, body: unknown): void {
    res.writeHead(code, { "content-type": "application/json" }).end(JSON.stringify(body));
  }

  private notFound(res: ServerResponse, what: string): void {
    this.send(res, 404, { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message: `${what} not found`, reason: "NotFound", code: 404 });
  }

  private secretJson(s: StoredSecret) {
    return { apiVersion: "v1", kind: "Secret", metadata: { name: s.name, namespace: s.namespace, labels: s.labels ?? {}, annotations: s.annotations ?? {} }, type: s.type ?? "Opaque", data: s.data };
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? "/", "http://fake");
    this.requests.push(`${req.method} ${url.pathname}${url.search}`);
    const [major, minor] = this.kubeVersion.split(".");
    if (req.method !== "GET") return this.send(res, 405, { kind: "Status", apiVersion: "v1", status: "Failure", reason: "MethodNotAllowed", code: 405, message: "this fake API is read-only" });
    if (url.pathname === "/version") {
      return this.send(res, 200, { major, minor, gitVersion: `v${this.kubeVersion}`, gitCommit: "fake", gitTreeState: "clean", buildDate: "2025-04-23T00:00:00Z", goVersion: "go1.24", compiler: "gc", platform: "linux/amd64" });
    }
    if (url.pathname === "/api") return this.send(res, 200, { kind: "APIVersions", versions: ["v1"], serverAddressByClientCIDRs: [{ clientCIDR: "0.0.0.0/0", serverAddress: "127.0.0.1" }] });
    if (url.pathname === "/apis") {
      const groups = Object.values(GROUPS).filter((g) => g.group !== "");
      return this.send(res, 200, {
        kind: "APIGroupList",
        apiVersion: "v1",
        groups: groups.map((g) => ({ name: g.group, versions: [{ groupVersion: `${g.group}/${g.version}`, version: g.version }], preferredVersion: { groupVersion: `${g.group}/${g.version}`, version: g.version } })),
      });
    }
    const group = GROUPS[url.pathname];
    if (group) {
      return this.send(res, 200, {
        kind: "APIResourceList",
        apiVersion: "v1",
        groupVersion: group.group ? `${group.group}/${group.version}` : group.version,
        resources: group.resources.map(([name, kind, namespaced]) => ({ name, singularName: kind.toLowerCase(), namespaced, kind, verbs: ["create", "delete", "get", "list", "patch", "update", "watch"] })),
      });
    }
    const list = /^\/api\/v1\/namespaces\/([^/]+)\/secrets$/.exec(url.pathname);
    if (list) {
      const selector = Object.fromEntries((url.searchParams.get("labelSelector") ?? "").split(",").filter(Boolean).map((kv) => kv.split("=") as [string, string]));
      const items = this.secrets.filter((s) => s.namespace === list[1] && Object.entries(selector).every(([k, v]) => s.labels?.[k] === v));
      return this.send(res, 200, { kind: "SecretList", apiVersion: "v1", metadata: { resourceVersion: "1" }, items: items.map((s) => this.secretJson(s)) });
    }
    const one = /^\/api\/v1\/namespaces\/([^/]+)\/secrets\/([^/]+)$/.exec(url.pathname);
    if (one) {
      const s = this.secrets.find((x) => x.namespace === one[1] && x.name === one[2]);
      return s ? this.send(res, 200, this.secretJson(s)) : this.notFound(res, `secrets "${one[2]}"`);
    }
    // Any other namespaced object (e.g. helm checking for existing resources): absent.
    return this.notFound(res, url.pathname);
  }
}
