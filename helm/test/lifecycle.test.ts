// install → upgrade → rollback → helm test → uninstall → reinstall, with the
// real helm and the pipeline's argv builders, against FakeKubeApi (no cluster
// here; it speaks the API's REST protocol over a real socket and serves the
// Kubernetes 1.33 OpenAPI v3 documents helm downloads before it sends objects).
// Nothing runs: no --wait, and the test pod's verdict is the phase the fake
// reports.
import { dirname, join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { kubernetesOpenApiPath } from "../../ci/policies/chart/index.js";
import {
  HelmCommandError,
  helmRollbackArgs,
  helmTestArgs,
  helmUninstallArgs,
  helmUpgradeInstallArgs,
  runHelm,
  type SetValue,
} from "../../ci/tools/helm.js";
import { CHART_DIR, config, VALUES_FILES } from "./chart.js";
import { FakeKubeApi } from "./fake-kube-api.js";

const NS = config.chart.namespace;
const REL = config.chart.release;
const OPENAPI_V3 = join(dirname(kubernetesOpenApiPath(config.versions.kubernetes!)), "v3");

let api: FakeKubeApi | undefined;
afterEach(async () => {
  await api?.stop();
  api = undefined;
});

async function cluster(podPhase: "Succeeded" | "Failed" = "Succeeded") {
  api = new FakeKubeApi({ kubeVersion: config.versions.kubernetes, openapiV3Dir: OPENAPI_V3, podPhase });
  const { kubeconfig } = await api.start();
  const fake = api;
  const obj = (path: string) => fake.store.get(path);
  const upgrade = (set: Record<string, SetValue> = {}, setString: Record<string, string> = {}) =>
    runHelm(helmUpgradeInstallArgs({ release: REL, chart: CHART_DIR, namespace: NS, kubeconfig, createNamespace: false, wait: false, timeout: "60s", valuesFiles: [VALUES_FILES.minikube], set, setString }));
  return { api: fake, kubeconfig, obj, upgrade };
}

const deployment = (app: string) => `/apis/apps/v1/namespaces/${NS}/deployments/${REL}-todo-app-${app}`;
const generatedSecret = `/api/v1/namespaces/${NS}/secrets/${REL}-todo-app-secrets`;
const release = (v: number) => `/api/v1/namespaces/${NS}/secrets/sh.helm.release.v1.${REL}.v${v}`;
const image = (d: unknown) => (d as { spec: { template: { spec: { containers: { image: string }[] } } } }).spec.template.spec.containers[0]!.image;

describe("release lifecycle against a stand-in API server", () => {
  it("installs, upgrades keeping the generated Secret, rolls back, tests, and uninstalls keeping that Secret", async () => {
    const { api, kubeconfig, obj, upgrade } = await cluster();

    // install
    const install = await upgrade({}, { "backend.image.tag": "rev1" });
    expect(install.stdout).toMatch(/STATUS: deployed\s+REVISION: 1/);
    expect(image(obj(deployment("backend")))).toBe("todo-backend:rev1");
    expect(obj(`/apis/apps/v1/namespaces/${NS}/statefulsets/${REL}-todo-app-postgresql`)).toBeDefined();
    const secret = structuredClone(obj(generatedSecret));
    expect(Object.keys(secret!.data).sort()).toEqual(["BETTER_AUTH_SECRET", "DATABASE_URL", "POSTGRES_PASSWORD"]);
    // helm validated what it sent against Kubernetes' own OpenAPI v3 documents
    expect(api.requests).toContain("GET /openapi/v3/apis/apps/v1?hash=fake&timeout=32s");

    // upgrade: new image, same secrets (helm's lookup found them; nothing was re-sent)
    const n = api.requests.length;
    const up = await upgrade({}, { "backend.image.tag": "rev2" });
    expect(up.stdout).toMatch(/REVISION: 2/);
    expect(image(obj(deployment("backend")))).toBe("todo-backend:rev2");
    expect(obj(generatedSecret)!.data).toEqual(secret!.data);
    expect(api.requests.slice(n).filter((r) => r.includes(`/secrets/${REL}-todo-app-secrets`) && !r.startsWith("GET"))).toEqual([]);
    expect(obj(release(1))!.metadata.labels.status).toBe("superseded");
    expect(obj(release(2))!.metadata.labels.status).toBe("deployed");

    // rollback to revision 1
    await runHelm(helmRollbackArgs({ release: REL, namespace: NS, revision: 1, wait: false, kubeconfig, timeout: "60s" }));
    expect(image(obj(deployment("backend")))).toBe("todo-backend:rev1");
    expect(obj(release(3))!.metadata.labels.status).toBe("deployed");
    expect(obj(generatedSecret)!.data).toEqual(secret!.data);

    // helm test: the hook pod is created from the chart and its logs printed
    const t = await runHelm(helmTestArgs({ release: REL, namespace: NS, kubeconfig, timeout: "60s" }));
    expect(t.stdout).toMatch(/TEST SUITE:\s+todo-todo-app-test[\s\S]*Phase:\s+Succeeded/);
    expect(t.stdout).toContain("POD LOGS: todo-todo-app-test");
    const pod = obj(`/api/v1/namespaces/${NS}/pods/${REL}-todo-app-test`);
    expect(pod!.spec.containers[0].env[0]).toEqual({ name: "SMOKE_URLS", value: "http://todo-todo-app-backend:8000/ready http://todo-todo-app-frontend:3000/api/health" });

    // uninstall: everything goes except the Secret marked resource-policy keep
    const m = api.requests.length;
    const un = await runHelm(helmUninstallArgs({ release: REL, namespace: NS, kubeconfig }));
    expect(un.stdout).toContain(`[Secret] ${REL}-todo-app-secrets`);
    const deleted = api.requests.slice(m).filter((r) => r.startsWith("DELETE"));
    expect(deleted).toContain(`DELETE ${deployment("backend")}`);
    expect(deleted.some((r) => r.includes(`/secrets/${REL}-todo-app-secrets`))).toBe(false);
    expect([...api.store.keys()].filter((k) => !k.includes("/pods/"))).toEqual([generatedSecret]);

    // reinstall: the kept Secret (and so the PostgreSQL data's password) is adopted unchanged
    const again = await upgrade();
    expect(again.stdout).toMatch(/REVISION: 1/);
    expect(obj(generatedSecret)!.data).toEqual(secret!.data);
  });

  it("helm test fails, naming the pod, when the smoke pod fails", async () => {
    const { kubeconfig, upgrade } = await cluster("Failed");
    await upgrade();
    const err = await runHelm(helmTestArgs({ release: REL, namespace: NS, kubeconfig, timeout: "60s" })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HelmCommandError);
    expect((err as Error).message).toMatch(/todo-todo-app-test/);
  });
});
