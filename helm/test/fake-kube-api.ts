// A stand-in for a Kubernetes API server, for what needs a cluster and cannot
// have one here. It speaks the real REST protocol over a real socket: version
// and discovery, and create/get/list/update/patch/delete/watch of namespaced
// objects in memory (JSON, plus the protobuf Secrets helm keeps releases in),
// pod logs. Enough for the real helm's install, upgrade (with `lookup`),
// rollback, test and uninstall. It is not a scheduler: nothing runs, pods
// created by `helm test` report Succeeded at once, and Deployments never become
// ready (so no --wait). Every request is recorded for the tests to inspect.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decodeSecret } from "./kube-protobuf.js";

export interface StoredSecret {
  name: string;
  namespace: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  /** base64 values, as the API returns them. */
  data: Record<string, string>;
  type?: string;
}

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

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

/** RFC 7386 JSON merge patch; strategic-merge directives ($patch, $setElementOrder) are dropped. */
function mergePatch(target: unknown, patch: unknown): unknown {
  if (typeof patch !== "object" || patch === null || Array.isArray(patch)) return patch;
  const out: Obj = typeof target === "object" && target !== null && !Array.isArray(target) ? { ...(target as Obj) } : {};
  for (const [k, v] of Object.entries(patch as Obj)) {
    if (k.startsWith("$")) continue;
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

export class FakeKubeApi {
  readonly requests: string[] = [];
  /** Path of each object (e.g. /api/v1/namespaces/todo/secrets/x) → object. */
  readonly store = new Map<string, Obj>();
  private server?: Server;
  private dir?: string;
  private rv = 1;

  private readonly kubeVersion: string;
  private readonly openapiV3Dir: string | undefined;
  private readonly podPhase: "Succeeded" | "Failed";

  constructor(o: {
    /** Secrets that exist before helm runs (e.g. one kept from an earlier release). */
    secrets?: StoredSecret[];
    kubeVersion?: string;
    /**
     * api/openapi-spec/v3 of k8s.io/kubernetes at kubeVersion, served at /openapi/v3 so
     * helm validates what it sends against the real API's schemas, as a real server lets it.
     */
    openapiV3Dir?: string;
    /** Phase every created pod reports (the `helm test` verdict). */
    podPhase?: "Succeeded" | "Failed";
  } = {}) {
    this.kubeVersion = o.kubeVersion ?? "1.33.0";
    this.openapiV3Dir = o.openapiV3Dir;
    this.podPhase = o.podPhase ?? "Succeeded";
    const secrets = o.secrets ?? [];
    for (const s of secrets) {
      this.store.set(`/api/v1/namespaces/${s.namespace}/secrets/${s.name}`, {
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name: s.name, namespace: s.namespace, labels: s.labels ?? {}, annotations: s.annotations ?? {}, resourceVersion: String(this.rv++) },
        type: s.type ?? "Opaque",
        data: s.data,
      });
    }
  }

  async start(): Promise<{ kubeconfig: string }> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c)).on("end", () => {
        try {
          this.handle(req, Buffer.concat(chunks), res);
        } catch (err) {
          this.send(res, 500, { kind: "Status", apiVersion: "v1", status: "Failure", code: 500, message: String(err) });
        }
      });
    });
    await new Promise<void>((r) => this.server!.listen(0, "127.0.0.1", r));
    const port = (this.server.address() as AddressInfo).port;
    const dir = mkdtempSync(join(tmpdir(), "fake-kube-"));
    this.dir = dir;
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
    this.server?.closeAllConnections();
    await new Promise((r) => this.server?.close(r));
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
  }

  /** Objects of one collection, e.g. ("todo", "secrets"). */
  list(namespace: string, resource: string): Obj[] {
    const prefix = [...Object.keys(GROUPS)].map((g) => `${g}/namespaces/${namespace}/${resource}/`);
    return [...this.store.entries()].filter(([k]) => prefix.some((p) => k.startsWith(p))).map(([, v]) => v);
  }

  private send(res: ServerResponse, code: number, body: unknown): void {
    res.writeHead(code, { "content-type": "application/json" }).end(JSON.stringify(body));
  }

  private status(res: ServerResponse, code: number, reason: string, message: string): void {
    this.send(res, code, { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, reason, code });
  }

  private handle(req: IncomingMessage, body: Buffer, res: ServerResponse): void {
    const url = new URL(req.url ?? "/", "http://fake");
    const path = url.pathname;
    this.requests.push(`${req.method} ${path}${url.search}`);
    const [major, minor] = this.kubeVersion.split(".");

    if (path === "/version") {
      return this.send(res, 200, { major, minor, gitVersion: `v${this.kubeVersion}`, gitCommit: "fake", gitTreeState: "clean", buildDate: "2025-04-23T00:00:00Z", goVersion: "go1.24", compiler: "gc", platform: "linux/amd64" });
    }
    if (path === "/api") return this.send(res, 200, { kind: "APIVersions", versions: ["v1"], serverAddressByClientCIDRs: [{ clientCIDR: "0.0.0.0/0", serverAddress: "127.0.0.1" }] });
    if (path === "/apis") {
      const groups = Object.values(GROUPS).filter((g) => g.group !== "");
      return this.send(res, 200, {
        kind: "APIGroupList",
        apiVersion: "v1",
        groups: groups.map((g) => ({ name: g.group, versions: [{ groupVersion: `${g.group}/${g.version}`, version: g.version }], preferredVersion: { groupVersion: `${g.group}/${g.version}`, version: g.version } })),
      });
    }
    const group = GROUPS[path];
    if (group) {
      return this.send(res, 200, {
        kind: "APIResourceList",
        apiVersion: "v1",
        groupVersion: group.group ? `${group.group}/${group.version}` : group.version,
        resources: group.resources.map(([name, kind, namespaced]) => ({ name, singularName: kind.toLowerCase(), namespaced, kind, verbs: ["create", "delete", "get", "list", "patch", "update", "watch"] })),
      });
    }
    if (path === "/openapi/v3" && this.openapiV3Dir) {
      const paths: Record<string, { serverRelativeURL: string }> = {};
      for (const f of readdirSync(this.openapiV3Dir)) {
        const gv = /^(.+)_openapi\.json$/.exec(f)?.[1]?.replace(/__/g, "/");
        if (gv) paths[gv] = { serverRelativeURL: `/openapi/v3/${gv}?hash=fake` };
      }
      return this.send(res, 200, { paths });
    }
    const spec = /^\/openapi\/v3\/(.+)$/.exec(path);
    if (spec && this.openapiV3Dir) {
      const file = join(this.openapiV3Dir, `${spec[1]!.replace(/\//g, "__")}_openapi.json`);
      return existsSync(file) ? void res.writeHead(200, { "content-type": "application/json" }).end(readFileSync(file)) : this.status(res, 404, "NotFound", path);
    }
    const ns = /^\/api\/v1\/namespaces\/([^/]+)$/.exec(path);
    if (ns && req.method === "GET") return this.send(res, 200, { apiVersion: "v1", kind: "Namespace", metadata: { name: ns[1] }, status: { phase: "Active" } });

    const m = /^(\/api\/v1|\/apis\/[^/]+\/[^/]+)\/namespaces\/([^/]+)\/([^/]+)(?:\/([^/]+))?(?:\/(log|status))?$/.exec(path);
    if (!m) return this.status(res, 404, "NotFound", `${path} not found`);
    const [, gv, namespace, resource, name, sub] = m as unknown as [string, string, string, string, string | undefined, string | undefined];
    const collection = `${gv}/namespaces/${namespace}/${resource}`;
    const key = name ? `${collection}/${name}` : undefined;

    if (sub === "log") {
      return key && this.store.has(key) ? void res.writeHead(200, { "content-type": "text/plain" }).end("ok   (fake cluster: the test pod did not really run)\n") : this.status(res, 404, "NotFound", `pods "${name}" not found`);
    }

    switch (req.method) {
      case "GET": {
        if (key) {
          const obj = this.store.get(key);
          return obj ? this.send(res, 200, obj) : this.status(res, 404, "NotFound", `${resource} "${name}" not found`);
        }
        const selector = Object.fromEntries((url.searchParams.get("labelSelector") ?? "").split(",").filter(Boolean).map((kv) => kv.split("=") as [string, string]));
        const field = /^metadata\.name=(.+)$/.exec(url.searchParams.get("fieldSelector") ?? "")?.[1];
        const items = [...this.store.entries()]
          .filter(([k]) => k.startsWith(`${collection}/`))
          .map(([, v]) => v)
          .filter((o) => Object.entries(selector).every(([k, v]) => o.metadata?.labels?.[k] === v) && (!field || o.metadata?.name === field));
        if (url.searchParams.get("watch") === "true" || url.searchParams.get("watch") === "1") {
          // One ADDED event per matching object; for a watch-list (sendInitialEvents) the
          // bookmark that ends the initial events; then the stream stays open, as a real one does.
          res.writeHead(200, { "content-type": "application/json", "transfer-encoding": "chunked" });
          for (const o of items) res.write(`${JSON.stringify({ type: "ADDED", object: o })}\n`);
          if (url.searchParams.get("sendInitialEvents") === "true") {
            const g = GROUPS[gv];
            const kind = g?.resources.find(([r]) => r === resource)?.[1] ?? "Unknown";
            res.write(`${JSON.stringify({ type: "BOOKMARK", object: { kind, apiVersion: g?.group ? `${g.group}/${g.version}` : "v1", metadata: { resourceVersion: String(this.rv), annotations: { "k8s.io/initial-events-end": "true" } } } })}\n`);
          }
          return;
        }
        const g = GROUPS[gv];
        const kind = g?.resources.find(([r]) => r === resource)?.[1] ?? "Unknown";
        return this.send(res, 200, { kind: `${kind}List`, apiVersion: g?.group ? `${g.group}/${g.version}` : "v1", metadata: { resourceVersion: String(this.rv) }, items });
      }
      case "POST": {
        const obj = this.decode(req, body);
        obj.metadata = { ...obj.metadata, namespace, resourceVersion: String(++this.rv), uid: `uid-${this.rv}`, creationTimestamp: new Date().toISOString() };
        if (resource === "pods") obj.status = { phase: this.podPhase };
        const k = `${collection}/${obj.metadata.name}`;
        if (this.store.has(k)) return this.status(res, 409, "AlreadyExists", `${resource} "${obj.metadata.name}" already exists`);
        this.store.set(k, obj);
        return this.send(res, 201, obj);
      }
      case "PUT": {
        if (!key) return this.status(res, 405, "MethodNotAllowed", "PUT needs a name");
        const obj = this.decode(req, body);
        obj.metadata = { ...obj.metadata, namespace, resourceVersion: String(++this.rv) };
        this.store.set(key, obj);
        return this.send(res, 200, obj);
      }
      case "PATCH": {
        const cur = key && this.store.get(key);
        if (!cur) return this.status(res, 404, "NotFound", `${resource} "${name}" not found`);
        const patched = mergePatch(cur, JSON.parse(body.toString("utf8"))) as Obj;
        patched.metadata = { ...patched.metadata, resourceVersion: String(++this.rv) };
        this.store.set(key!, patched);
        return this.send(res, 200, patched);
      }
      case "DELETE": {
        const cur = key && this.store.get(key);
        if (!cur) return this.status(res, 404, "NotFound", `${resource} "${name}" not found`);
        this.store.delete(key!);
        return this.send(res, 200, cur);
      }
      default:
        return this.status(res, 405, "MethodNotAllowed", `${req.method} not supported`);
    }
  }

  private decode(req: IncomingMessage, body: Buffer): Obj {
    return (req.headers["content-type"] ?? "").includes("protobuf") ? decodeSecret(body) : (JSON.parse(body.toString("utf8")) as Obj);
  }
}
