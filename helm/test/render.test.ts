// `helm template` over the values matrix; every rendering must pass the
// Kubernetes 1.33 schemas and every chart policy with zero findings.
import { describe, expect, it } from "vitest";
import { formatFindings, type Manifest } from "../../ci/policies/chart/index.js";
import { projectConfigValues } from "../../ci/tools/helm.js";
import { at, config, find, gate, one, render, VALUES_FILES, type RenderOptions } from "./chart.js";

const DIGEST = `sha256:${"0123456789abcdef".repeat(4)}`;

const MATRIX: Record<string, RenderOptions> = {
  defaults: {},
  minikube: { valuesFiles: [VALUES_FILES.minikube] },
  "external database": { valuesFiles: [VALUES_FILES.externalDb] },
  "ingress off": { set: { "ingress.enabled": false } },
  "autoscaling on": { set: { "backend.autoscaling.enabled": true, "frontend.autoscaling.enabled": true } },
  "ingress TLS": { set: { "ingress.tls.enabled": true }, setString: { "ingress.tls.secretName": "todo-tls" } },
  "ServiceMonitor and LLM": {
    set: { "metrics.serviceMonitor.enabled": true },
    setString: { "backend.llm.baseUrl": "https://llm.example.com/v1", "backend.llm.model": "m", "backend.llm.existingSecret": "todo-llm" },
  },
  "as the pipeline passes it (todo.config.yaml values, digests)": {
    valuesFiles: [VALUES_FILES.minikube],
    ...projectConfigValues(config, { backend: { tag: "c0ffee", digest: DIGEST }, frontend: { tag: "beef01" } }),
  },
};

const rendered = new Map<string, Manifest[]>();
async function get(name: string): Promise<Manifest[]> {
  if (!rendered.has(name)) rendered.set(name, await render(MATRIX[name]));
  return rendered.get(name)!;
}

describe.each(Object.keys(MATRIX))("helm template: %s", (name) => {
  it("passes the Kubernetes schemas and every chart policy", async () => {
    const manifests = await get(name);
    expect(manifests.length).toBeGreaterThan(10);
    expect(formatFindings(gate(manifests))).toBe("");
  });

  it("hard-codes no namespace", async () => {
    for (const m of await get(name)) expect(m.metadata?.namespace, `${m.kind}/${m.metadata?.name}`).toBeUndefined();
  });
});

describe("defaults", () => {
  it("run two replicas per app with zero-downtime rolling updates, spreading and PDBs", async () => {
    const m = await get("defaults");
    for (const app of ["backend", "frontend"]) {
      const d = one(m, "Deployment", `-${app}`);
      expect(at(d, "spec.replicas")).toBe(2);
      expect(at(d, "spec.strategy.rollingUpdate.maxUnavailable")).toBe(0);
      expect(at(d, "spec.template.spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution")).toHaveLength(1);
      expect(at(d, "spec.template.spec.topologySpreadConstraints")).toHaveLength(1);
      expect(at(one(m, "PodDisruptionBudget", `-${app}`), "spec.maxUnavailable")).toBe(1);
      const c = at(d, "spec.template.spec.containers.0") as Record<string, unknown>;
      expect(c.image).toBe(`${config.apps[app as "backend"].image}:0.1.0`);
      expect(c.imagePullPolicy).toBe("IfNotPresent");
      expect(at(c, "startupProbe.httpGet.path")).toBe(config.apps[app as "backend"].health.liveness);
    }
    expect(find(m, "HorizontalPodAutoscaler")).toHaveLength(0);
  });

  it("take the resource figures from the source documents", async () => {
    const m = await get("defaults");
    expect(at(one(m, "Deployment", "-backend"), "spec.template.spec.containers.0.resources")).toEqual({
      requests: { cpu: "200m", memory: "256Mi" },
      limits: { cpu: "1000m", memory: "1Gi" },
    });
    expect(at(one(m, "Deployment", "-frontend"), "spec.template.spec.containers.0.resources")).toEqual({
      requests: { cpu: "100m", memory: "128Mi" },
      limits: { cpu: "500m", memory: "512Mi" },
    });
  });

  it("wire the apps together through Service names and the runtime contract's env", async () => {
    const m = await get("defaults");
    const be = one(m, "ConfigMap", "-backend");
    const fe = one(m, "ConfigMap", "-frontend");
    expect(at(be, "data.JWKS_URL")).toBe(`http://todo-todo-app-frontend:${config.apps.frontend.port}/api/auth/jwks`);
    expect(at(fe, "data.BACKEND_URL")).toBe(`http://todo-todo-app-backend:${config.apps.backend.port}`);
    expect(at(fe, "data.BETTER_AUTH_URL")).toBe("http://todo.local");
    // Better Auth signs with issuer = audience = its public origin; the backend checks exactly that.
    expect(at(be, "data.JWT_ISSUER")).toBe("http://todo.local");
    expect(at(be, "data.JWT_AUDIENCE")).toBe("http://todo.local");
    expect(at(fe, "data.JWT_AUDIENCE")).toBeUndefined();
    const env = at(one(m, "Deployment", "-frontend"), "spec.template.spec.containers.0.env") as { name: string; valueFrom?: unknown }[];
    expect(env.find((e) => e.name === "BETTER_AUTH_SECRET")?.valueFrom).toEqual({ secretKeyRef: { name: "todo-todo-app-secrets", key: "BETTER_AUTH_SECRET" } });
    expect(env.find((e) => e.name === "DATABASE_URL")?.valueFrom).toEqual({ secretKeyRef: { name: "todo-todo-app-secrets", key: "DATABASE_URL" } });
  });

  it("put Prometheus scrape annotations on the backend pods only", async () => {
    const m = await get("defaults");
    expect(at(one(m, "Deployment", "-backend"), "spec.template.metadata.annotations")).toMatchObject({
      "prometheus.io/scrape": "true",
      "prometheus.io/port": String(config.apps.backend.port),
      "prometheus.io/path": "/metrics",
    });
    expect(config.apps.backend.routes).toContain("/metrics");
    expect(Object.keys(at(one(m, "Deployment", "-frontend"), "spec.template.metadata.annotations") as object)).not.toContain("prometheus.io/scrape");
  });

  it("run an in-cluster PostgreSQL StatefulSet with a PVC, pinned by digest, non-root", async () => {
    const m = await get("defaults");
    const sts = one(m, "StatefulSet", "-postgresql");
    expect(at(sts, "spec.template.spec.containers.0.image")).toMatch(/^postgres@sha256:[0-9a-f]{64}$/);
    expect(at(sts, "spec.volumeClaimTemplates.0.spec.resources.requests.storage")).toBe("1Gi");
    expect(at(sts, "spec.template.spec.securityContext.runAsUser")).toBeGreaterThan(0);
  });

  it("grant the ServiceAccount nothing and mount no token", async () => {
    const m = await get("defaults");
    expect(at(one(m, "ServiceAccount"), "automountServiceAccountToken")).toBe(false);
    expect(find(m, "Role").length + find(m, "RoleBinding").length + find(m, "ClusterRole").length).toBe(0);
  });
});

describe("values matrix specifics", () => {
  it("minikube: NodePort 30000 for the frontend, one replica each so no PDB, PostgreSQL on", async () => {
    const m = await get("minikube");
    const svc = one(m, "Service", "-frontend");
    expect(at(svc, "spec.type")).toBe("NodePort");
    expect(at(svc, "spec.ports.0.nodePort")).toBe(30000);
    expect(find(m, "PodDisruptionBudget")).toHaveLength(0);
    expect(find(m, "StatefulSet")).toHaveLength(1);
    expect(at(one(m, "Ingress"), "spec.rules.0.host")).toBe("todo.local");
  });

  it("external database: no PostgreSQL, DATABASE_URL from the existing Secret, egress to the database port", async () => {
    const m = await get("external database");
    expect(find(m, "StatefulSet")).toHaveLength(0);
    expect(find(m, "Service", "-postgresql")).toHaveLength(0);
    for (const app of ["backend", "frontend"]) {
      const env = at(one(m, "Deployment", `-${app}`), "spec.template.spec.containers.0.env") as { name: string; valueFrom?: unknown }[];
      expect(env.find((e) => e.name === "DATABASE_URL")?.valueFrom).toEqual({ secretKeyRef: { name: "todo-database", key: "DATABASE_URL" } });
    }
    expect(Object.keys(at(one(m, "Secret"), "data") as object)).toEqual(["BETTER_AUTH_SECRET"]);
    expect(at(one(m, "NetworkPolicy", "-backend"), "spec.egress")).toContainEqual({ to: [{ ipBlock: { cidr: "0.0.0.0/0" } }], ports: [{ port: 5432, protocol: "TCP" }] });
  });

  it("ingress off: no Ingress, the public URL falls back to port-forward, the controller is not let in", async () => {
    const m = await get("ingress off");
    expect(find(m, "Ingress")).toHaveLength(0);
    expect(at(one(m, "ConfigMap", "-frontend"), "data.BETTER_AUTH_URL")).toBe(`http://localhost:${config.apps.frontend.port}`);
    expect(JSON.stringify(one(m, "NetworkPolicy", "-frontend"))).not.toContain("namespaceSelector\":{\"matchLabels\":{\"kubernetes.io/metadata.name\":\"ingress-nginx");
  });

  it("autoscaling on: CPU HPAs target the Deployments, which then leave replicas to the HPA", async () => {
    const m = await get("autoscaling on");
    for (const app of ["backend", "frontend"]) {
      const hpa = one(m, "HorizontalPodAutoscaler", `-${app}`);
      expect(at(hpa, "spec.scaleTargetRef.name")).toBe(`todo-todo-app-${app}`);
      expect(at(hpa, "spec.metrics.0.resource.name")).toBe("cpu");
      expect(at(one(m, "Deployment", `-${app}`), "spec.replicas")).toBeUndefined();
      expect(find(m, "PodDisruptionBudget", `-${app}`)).toHaveLength(1);
    }
  });

  it("TLS: the Ingress terminates TLS with the named Secret and the public URL is https", async () => {
    const m = await get("ingress TLS");
    expect(at(one(m, "Ingress"), "spec.tls")).toEqual([{ hosts: ["todo.local"], secretName: "todo-tls" }]);
    expect(at(one(m, "ConfigMap", "-frontend"), "data.BETTER_AUTH_URL")).toBe("https://todo.local");
  });

  it("ServiceMonitor scrapes the backend's metrics port and path; the LLM key comes from its Secret", async () => {
    const m = await get("ServiceMonitor and LLM");
    const sm = one(m, "ServiceMonitor");
    expect(at(sm, "spec.endpoints.0")).toMatchObject({ port: "http", path: "/metrics" });
    const env = at(one(m, "Deployment", "-backend"), "spec.template.spec.containers.0.env") as { name: string; valueFrom?: unknown }[];
    expect(env.find((e) => e.name === "LLM_API_KEY")?.valueFrom).toEqual({ secretKeyRef: { name: "todo-llm", key: "LLM_API_KEY" } });
    expect(at(one(m, "ConfigMap", "-backend"), "data.LLM_BASE_URL")).toBe("https://llm.example.com/v1");
  });

  it("a custom public URL and audience reach both apps consistently", async () => {
    const m = await render({ setString: { "frontend.publicUrl": "https://todo.example.com/app/", "backend.jwt.audience": "todo-api" } });
    expect(at(one(m, "ConfigMap", "-frontend"), "data")).toMatchObject({ BETTER_AUTH_URL: "https://todo.example.com/app", JWT_AUDIENCE: "todo-api" });
    expect(at(one(m, "ConfigMap", "-backend"), "data")).toMatchObject({ JWT_ISSUER: "https://todo.example.com", JWT_AUDIENCE: "todo-api" });
  });

  it.each([
    ["https://api.example.com/v1", 443],
    ["http://ollama.ai-tools:11434/v1", 11434],
    ["http://llm.internal/v1", 80],
  ])("LLM egress for %s opens port %i only", async (baseUrl, port) => {
    const m = await render({ setString: { "backend.llm.baseUrl": baseUrl } });
    expect(at(one(m, "NetworkPolicy", "-backend"), "spec.egress")).toContainEqual({ to: [{ ipBlock: { cidr: "0.0.0.0/0" } }], ports: [{ port, protocol: "TCP" }] });
    const none = await render();
    expect(JSON.stringify(at(one(none, "NetworkPolicy", "-backend"), "spec.egress"))).not.toContain(`"port":${port},`);
  });

  it("trusted proxies reach the frontend as TRUSTED_PROXIES; none by default; a catch-all range is refused", async () => {
    const m = await render({ setString: { "frontend.trustedProxies[0]": "10.244.0.0/16", "frontend.trustedProxies[1]": "192.0.2.10" } });
    expect(at(one(m, "ConfigMap", "-frontend"), "data.TRUSTED_PROXIES")).toBe("10.244.0.0/16,192.0.2.10");
    expect(at(one(await render(), "ConfigMap", "-frontend"), "data")).not.toHaveProperty("TRUSTED_PROXIES");
    await expect(render({ setString: { "frontend.trustedProxies[0]": "0.0.0.0/0" } })).rejects.toThrow(/trustedProxies/);
  });

  it("pipeline values: a digest wins over the tag, a tag alone is used as given", async () => {
    const m = await get("as the pipeline passes it (todo.config.yaml values, digests)");
    expect(at(one(m, "Deployment", "-backend"), "spec.template.spec.containers.0.image")).toBe(`todo-backend@${DIGEST}`);
    expect(at(one(m, "Deployment", "-frontend"), "spec.template.spec.containers.0.image")).toBe("todo-frontend:beef01");
  });

  it("autoscaling from one replica renders no PDB (it would block node drains)", async () => {
    const m = await render({ set: { "backend.autoscaling.enabled": true, "backend.autoscaling.minReplicas": 1, "frontend.replicaCount": 1 } });
    expect(find(m, "PodDisruptionBudget")).toHaveLength(0);
  });
});

describe("two releases in one namespace", () => {
  it("share no object name, and neither selects the other's pods", async () => {
    const a = await render({ release: "todo", namespace: "shared" });
    const b = await render({ release: "todo-staging", namespace: "shared" });
    const names = (ms: Manifest[]) => ms.map((m) => `${m.kind}/${m.metadata?.name}`);
    const overlap = names(a).filter((n) => names(b).includes(n));
    expect(overlap).toEqual([]);
    // Both together are still a clean set: unique names, each Service and policy selects only its release.
    expect(formatFindings(gate([...a, ...b]).filter((f) => /^(object\/duplicate-name|port\/|service\/selector|workload\/selector|network\/unknown-port)/.test(f.rule)))).toBe("");
    for (const np of find(a, "NetworkPolicy")) expect(at(np, "spec.podSelector.matchLabels")).toMatchObject({ "app.kubernetes.io/instance": "todo" });
    for (const s of find(b, "Service")) expect(at(s, "spec.selector")).toMatchObject({ "app.kubernetes.io/instance": "todo-staging" });
  });
});
