// Secrets: generated once, reused on every later render against the cluster
// (helm's `lookup`), kept on uninstall, never printed in NOTES. `lookup` needs
// a cluster, so these run `helm upgrade --install --dry-run=server` (the real
// helm) against FakeKubeApi, which answers over a real socket.
import { afterEach, describe, expect, it } from "vitest";
import { parseManifests, type Manifest } from "../../ci/policies/chart/index.js";
import { helmUpgradeInstallArgs, runHelm, type ValuesInput } from "../../ci/tools/helm.js";
import { at, CHART_DIR, config, find, one, render, VALUES_FILES } from "./chart.js";
import { FakeKubeApi, type StoredSecret } from "./fake-kube-api.js";

const NS = "todo";
const SECRET = "todo-todo-app-secrets";
const b64 = (s: string) => Buffer.from(s, "utf8").toString("base64");
const unb64 = (s: unknown) => Buffer.from(String(s), "base64").toString("utf8");

let api: FakeKubeApi | undefined;
afterEach(async () => {
  await api?.stop();
  api = undefined;
});

async function installDryRun(existing: StoredSecret[], values: ValuesInput = {}): Promise<{ manifests: Manifest[]; notes: string; requests: string[] }> {
  api = new FakeKubeApi({ secrets: existing, kubeVersion: config.versions.kubernetes });
  const { kubeconfig } = await api.start();
  const argv = helmUpgradeInstallArgs({ release: "todo", chart: CHART_DIR, namespace: NS, createNamespace: false, dryRun: "server", disableOpenApiValidation: true, kubeconfig, ...values });
  const { stdout } = await runHelm(argv);
  const start = stdout.indexOf("MANIFEST:");
  const notesAt = stdout.indexOf("NOTES:");
  expect(start).toBeGreaterThan(-1);
  expect(notesAt).toBeGreaterThan(start);
  // The hooks section (helm test pod) comes before MANIFEST; the release's objects after it.
  return { manifests: parseManifests(stdout.slice(start + "MANIFEST:".length, notesAt)), notes: stdout.slice(notesAt), requests: api.requests };
}

// What a Secret kept by `helm.sh/resource-policy: keep` looks like after an uninstall.
function keptSecret(data: Record<string, string>): StoredSecret {
  return {
    name: SECRET,
    namespace: NS,
    labels: { "app.kubernetes.io/managed-by": "Helm" },
    annotations: { "meta.helm.sh/release-name": "todo", "meta.helm.sh/release-namespace": NS, "helm.sh/resource-policy": "keep" },
    data,
  };
}

describe("generated Secret", () => {
  it("first install: random Better Auth secret and PostgreSQL password, a DATABASE_URL built from them, kept on uninstall", async () => {
    const { manifests, requests } = await installDryRun([]);
    expect(requests).toContain(`GET /api/v1/namespaces/${NS}/secrets/${SECRET}`);
    const s = one(manifests, "Secret");
    expect(at(s, "metadata.annotations")).toEqual({ "helm.sh/resource-policy": "keep" });
    const auth = unb64(at(s, "data.BETTER_AUTH_SECRET"));
    const pw = unb64(at(s, "data.POSTGRES_PASSWORD"));
    expect(auth).toMatch(/^[A-Za-z0-9]{48}$/);
    expect(pw).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(unb64(at(s, "data.DATABASE_URL"))).toBe(`postgresql://todo:${pw}@todo-todo-app-postgresql:5432/todo`);
  });

  it("later installs and upgrades reuse the values already in the cluster (so the PVC's password still matches)", async () => {
    const auth = "x".repeat(48);
    const pw = "p4ssw0rdp4ssw0rdp4ssw0rdp4ssw0rd";
    const { manifests } = await installDryRun([keptSecret({ BETTER_AUTH_SECRET: b64(auth), POSTGRES_PASSWORD: b64(pw) })]);
    const s = one(manifests, "Secret");
    expect(unb64(at(s, "data.BETTER_AUTH_SECRET"))).toBe(auth);
    expect(unb64(at(s, "data.POSTGRES_PASSWORD"))).toBe(pw);
    expect(unb64(at(s, "data.DATABASE_URL"))).toBe(`postgresql://todo:${pw}@todo-todo-app-postgresql:5432/todo`);
  });

  it("is random per render when there is no cluster to look up (nothing hard-coded in the templates)", async () => {
    const a = one(await render(), "Secret");
    const b = one(await render(), "Secret");
    expect(at(a, "data.BETTER_AUTH_SECRET")).not.toBe(at(b, "data.BETTER_AUTH_SECRET"));
    expect(at(a, "data.POSTGRES_PASSWORD")).not.toBe(at(b, "data.POSTGRES_PASSWORD"));
  });

  it("is not rendered at all when every secret comes from existing Secrets", async () => {
    const m = await render({ valuesFiles: [VALUES_FILES.externalDb], setString: { "auth.existingSecret": "todo-auth" } });
    expect(find(m, "Secret")).toHaveLength(0);
    const env = at(one(m, "Deployment", "-frontend"), "spec.template.spec.containers.0.env") as { name: string; valueFrom?: unknown }[];
    expect(env.find((e) => e.name === "BETTER_AUTH_SECRET")?.valueFrom).toEqual({ secretKeyRef: { name: "todo-auth", key: "BETTER_AUTH_SECRET" } });
  });
});

describe("NOTES", () => {
  it("names where the secrets live and prints none of them", async () => {
    const auth = "n".repeat(48);
    const pw = "q".repeat(32);
    const { notes } = await installDryRun([keptSecret({ BETTER_AUTH_SECRET: b64(auth), POSTGRES_PASSWORD: b64(pw) })]);
    expect(notes).toContain(`Secret ${SECRET}`);
    expect(notes).toContain("helm test todo");
    for (const secret of [auth, pw, b64(auth), b64(pw)]) expect(notes).not.toContain(secret);
    expect(notes).not.toMatch(/postgresql:\/\/[^\s]*:[^\s]*@/);
  });

  it("with an external database, names the Secret to create", async () => {
    const { notes } = await installDryRun([], { valuesFiles: [VALUES_FILES.externalDb] });
    expect(notes).toContain("DATABASE_URL is read from Secret todo-database, key DATABASE_URL");
  });
});
