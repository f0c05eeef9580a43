// Offline validation against the Kubernetes OpenAPI spec of versions.kubernetes
// (fetched by scripts/setup/kubernetes-openapi.sh): real objects pass, broken ones are named.
import { beforeAll, describe, expect, it } from "vitest";
import { loadProjectConfig } from "../../config/load.js";
import { loadSchemaValidator, validateAgainstSchemas, type Manifest, type SchemaValidator } from "./index.js";

const version = loadProjectConfig().versions.kubernetes!;
let v: SchemaValidator;
beforeAll(() => {
  v = loadSchemaValidator(version);
});

const deployment = (): Manifest => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "d" },
  spec: {
    selector: { matchLabels: { a: "b" } },
    strategy: { rollingUpdate: { maxUnavailable: 0, maxSurge: "25%" } },
    template: {
      metadata: { labels: { a: "b" } },
      spec: { containers: [{ name: "c", image: "x:1", ports: [{ name: "http", containerPort: 80 }], resources: { limits: { cpu: 1, memory: "1Gi" } }, readinessProbe: { httpGet: { path: "/", port: "http" } } }] },
    },
  },
});

describe(`Kubernetes ${version} schemas`, () => {
  it("load from the pinned spec and know the kinds the chart renders", () => {
    expect(v.kubernetesVersion).toBe(version);
    for (const k of ["apps/v1 Deployment", "apps/v1 StatefulSet", "v1 Service", "networking.k8s.io/v1 Ingress", "networking.k8s.io/v1 NetworkPolicy", "autoscaling/v2 HorizontalPodAutoscaler", "policy/v1 PodDisruptionBudget", "monitoring.coreos.com/v1 ServiceMonitor"]) {
      expect(v.kinds()).toContain(k);
    }
  });

  it("accept a valid object (int-or-string and numeric quantities included)", () => {
    expect(validateAgainstSchemas([deployment()], v)).toEqual([]);
  });

  it.each([
    ["an unknown (misspelt) field", (d: any) => { d.spec.template.spec.securityContxt = {}; }, 'spec.template.spec: unknown field "securityContxt"'],
    ["a wrong type", (d: any) => { d.spec.replicas = "two"; }, "spec.replicas: must be integer"],
    ["a missing required field", (d: any) => { delete d.spec.template.spec.containers[0].name; }, 'spec.template.spec.containers[0]: missing required field "name"'],
    ["a malformed quantity", (d: any) => { d.spec.template.spec.containers[0].resources.limits.memory = "1 GB"; }, "spec.template.spec.containers[0].resources.limits.memory"],
    ["a port of the wrong type", (d: any) => { d.spec.template.spec.containers[0].ports[0].containerPort = "80"; }, "containerPort: must be integer"],
  ])("reject %s", (_n, edit, message) => {
    const d = deployment() as any;
    edit(d);
    const f = validateAgainstSchemas([d], v);
    expect(f.length).toBeGreaterThan(0);
    expect(f.map((x) => `${x.path}: ${x.message}`).join("\n")).toContain(message);
    expect(f.every((x) => x.rule === "schema/invalid" && x.object === "Deployment/d")).toBe(true);
  });

  it.each([
    ["extensions/v1beta1", "Ingress"],
    ["policy/v1beta1", "PodDisruptionBudget"],
    ["autoscaling/v2beta2", "HorizontalPodAutoscaler"],
    ["apps/v1", "Deploymnet"],
  ])("reject %s %s, which this Kubernetes does not serve", (apiVersion, kind) => {
    const f = validateAgainstSchemas([{ apiVersion, kind, metadata: { name: "x" } }], v);
    expect(f.map((x) => x.rule)).toEqual(["schema/unknown-kind"]);
    expect(f[0]!.message).toContain(`Kubernetes ${version} has no ${kind} in ${apiVersion}`);
  });

  it("check the ServiceMonitor custom resource with the chart's subset schema", () => {
    const sm = { apiVersion: "monitoring.coreos.com/v1", kind: "ServiceMonitor", metadata: { name: "m" }, spec: { selector: { matchLabels: { a: "b" } }, endpoints: [{ port: "http", path: "/metrics", interval: "30s" }] } };
    expect(validateAgainstSchemas([sm], v)).toEqual([]);
    const bad = structuredClone(sm) as any;
    bad.spec.endpoints[0].intervall = "30s";
    expect(validateAgainstSchemas([bad], v).map((x) => x.message)).toEqual(['unknown field "intervall"']);
  });

  it("treat null fields as absent, as the API server does", () => {
    const d = deployment() as any;
    d.spec.template.spec.nodeSelector = null;
    expect(validateAgainstSchemas([d], v)).toEqual([]);
  });
});
