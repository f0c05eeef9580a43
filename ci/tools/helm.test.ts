import { describe, expect, it } from "vitest";
import { loadProjectConfig, REPO_ROOT } from "../config/load.js";
import {
  chartLintRuns,
  escapeSetValue,
  HelmArgsError,
  HelmCommandError,
  helmLdflags,
  helmLintArgs,
  helmRollbackArgs,
  helmTemplateArgs,
  helmTestArgs,
  helmUninstallArgs,
  helmUpgradeInstallArgs,
  projectConfigValues,
  withMirroredPostgres,
  runHelm,
} from "./helm.js";

describe("helm argv builders", () => {
  it("lint is strict by default and passes values files then --set pairs in order", () => {
    expect(helmLintArgs({ chart: "helm/todo-app", valuesFiles: ["a.yaml", "b.yaml"], set: { "backend.port": 8000 }, kubeVersion: "1.33.0" })).toEqual([
      "lint", "helm/todo-app", "--strict", "--kube-version", "1.33.0", "-f", "a.yaml", "-f", "b.yaml", "--set", "backend.port=8000",
    ]);
    expect(helmLintArgs({ chart: "c", strict: false })).toEqual(["lint", "c"]);
  });

  it("template names release and namespace and can drop hooks", () => {
    expect(helmTemplateArgs({ release: "todo", chart: "c", namespace: "todo", includeHooks: false, apiVersions: ["monitoring.coreos.com/v1"] })).toEqual([
      "template", "todo", "c", "--namespace", "todo", "--api-versions", "monitoring.coreos.com/v1", "--no-hooks",
    ]);
  });

  it("upgrade --install waits, creates the namespace and targets the given context", () => {
    expect(helmUpgradeInstallArgs({ release: "todo", chart: "c", namespace: "todo", kubeContext: "minikube", setString: { "backend.image.tag": "0123" } })).toEqual([
      "upgrade", "--install", "todo", "c", "--namespace", "todo", "--create-namespace", "--wait", "--timeout", "5m0s",
      "--set-string", "backend.image.tag=0123", "--kube-context", "minikube",
    ]);
  });

  it("a server dry run does not wait and may skip helm's OpenAPI download", () => {
    expect(helmUpgradeInstallArgs({ release: "todo", chart: "c", namespace: "todo", dryRun: "server", disableOpenApiValidation: true, createNamespace: false })).toEqual([
      "upgrade", "--install", "todo", "c", "--namespace", "todo", "--dry-run=server", "--disable-openapi-validation", "--timeout", "5m0s",
    ]);
  });

  it("test prints logs; rollback goes to a revision and waits", () => {
    expect(helmTestArgs({ release: "todo", namespace: "ns" })).toEqual(["test", "todo", "--namespace", "ns", "--logs", "--timeout", "3m0s"]);
    expect(helmRollbackArgs({ release: "todo", namespace: "ns", revision: 2 })).toEqual(["rollback", "todo", "2", "--namespace", "ns", "--wait", "--timeout", "5m0s"]);
  });

  it("uninstall names release and namespace", () => {
    expect(helmUninstallArgs({ release: "todo", namespace: "ns", wait: true, kubeconfig: "/k" })).toEqual(["uninstall", "todo", "--namespace", "ns", "--wait", "--timeout", "5m0s", "--kubeconfig", "/k"]);
  });

  it("rejects names, durations and revisions helm would misread, naming the fix", () => {
    expect(() => helmTemplateArgs({ release: "Todo_App", chart: "c", namespace: "todo" })).toThrow(/release "Todo_App" must be a lower-case DNS label/);
    expect(() => helmTestArgs({ release: "todo", namespace: "ns", timeout: "five minutes" })).toThrow(HelmArgsError);
    expect(() => helmRollbackArgs({ release: "todo", namespace: "ns", revision: 0 })).toThrow(/positive integer/);
    expect(() => helmLintArgs({ chart: "c", set: { "a b": 1 } })).toThrow(/values file instead/);
  });

  it("escapes commas and backslashes in --set values", () => {
    expect(escapeSetValue("a,b\\c")).toBe("a\\,b\\\\c");
  });
});

describe("projectConfigValues", () => {
  it("passes image names, ports, health paths and the runtime user from todo.config.yaml", () => {
    const config = loadProjectConfig();
    const digest = `sha256:${"a".repeat(64)}`;
    const v = projectConfigValues(config, { backend: { tag: "c0ffee", digest } });
    expect(v.set["backend.port"]).toBe(config.apps.backend.port);
    expect(v.set["frontend.port"]).toBe(config.apps.frontend.port);
    expect(v.set["runtimeUser.uid"]).toBe(config.runtimeUser.uid);
    expect(v.setString["backend.image.repository"]).toBe(config.apps.backend.image);
    expect(v.setString["backend.health.readiness"]).toBe(config.apps.backend.health.readiness);
    expect(v.setString["frontend.health.liveness"]).toBe(config.apps.frontend.health.liveness);
    expect(v.setString["backend.image.digest"]).toBe(digest);
    expect(v.setString["frontend.image.tag"]).toBeUndefined();
    expect(() => projectConfigValues(config, { frontend: { digest: "sha256:xyz" } })).toThrow(/64 hex digits/);
  });

  it("takes an image pushed to a registry from there, by digest", () => {
    const digest = `sha256:${"b".repeat(64)}`;
    const v = projectConfigValues(loadProjectConfig(), { frontend: { repository: "registry.example.com:5000/todo-frontend", tag: "sha-bbbbbbbbbbbb", digest } });
    expect(v.setString["frontend.image.repository"]).toBe("registry.example.com:5000/todo-frontend");
    expect(v.setString["frontend.image.digest"]).toBe(digest);
  });
});

describe("withMirroredPostgres", () => {
  it("takes the chart's PostgreSQL from the air-gapped registry by tag, and leaves the pinned digest otherwise", () => {
    const config = loadProjectConfig(REPO_ROOT, {});
    const values = projectConfigValues(config);
    expect(withMirroredPostgres(config, values)).toBe(values);
    const mirrored = withMirroredPostgres({ ...config, registry: "registry.example.com:5000/mirror" }, values).setString;
    expect(mirrored["postgresql.image.repository"]).toBe("registry.example.com:5000/mirror/postgres");
    expect(mirrored["postgresql.image.tag"]).toBe(config.pipelineImages.postgres!.tag);
    expect(mirrored["postgresql.image.digest"]).toBe("");
    expect(mirrored["backend.image.repository"]).toBe(values.setString["backend.image.repository"]);
  });
});

describe("chartLintRuns", () => {
  it("lints the defaults and every chart.valuesFiles entry, strict, at versions.kubernetes, with the config's values", () => {
    const config = loadProjectConfig();
    const runs = chartLintRuns(config, "/src/helm/todo-app/");
    expect(runs.map((r) => r.valuesFiles ?? [])).toEqual([[], ...config.chart.valuesFiles.map((f) => [`/src/helm/todo-app/${f}`])]);
    for (const r of runs) {
      expect(helmLintArgs(r).slice(0, 5)).toEqual(["lint", "/src/helm/todo-app/", "--strict", "--kube-version", config.versions.kubernetes]);
      expect(r.set?.["backend.port"]).toBe(config.apps.backend.port);
    }
  });

  it("every run passes with the real helm on the real chart", async () => {
    for (const r of chartLintRuns(loadProjectConfig(), `${REPO_ROOT}/${loadProjectConfig().chart.path}`)) {
      const { stdout } = await runHelm(helmLintArgs(r));
      expect(stdout).toMatch(/0 chart\(s\) failed/);
    }
  });
});

describe("runHelm (real host helm)", () => {
  it("returns stdout of a successful command", async () => {
    const { stdout } = await runHelm(["version", "--template", "{{.Version}}"]);
    expect(stdout.trim()).toMatch(/^v3\./);
  });

  it("rejects with the argv and helm's stderr on failure", async () => {
    const err = await runHelm(["lint", "/nonexistent/chart-dir"]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HelmCommandError);
    expect((err as HelmCommandError).message).toMatch(/helm lint \/nonexistent\/chart-dir failed/);
  });
});

describe("helmLdflags", () => {
  it("sets helm's version and the Kubernetes version the way scripts/setup/go-tools.sh does", async () => {
    const { readFileSync } = await import("node:fs");
    const flags = helmLdflags("v3.21.4", "1.33.4");
    expect(flags).toContain("-X helm.sh/helm/v3/internal/version.version=v3.21.4");
    expect(flags).toContain("-X helm.sh/helm/v3/pkg/chartutil.k8sVersionMinor=33");
    expect(flags).toContain("-X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMajor=1");
    const script = readFileSync(new URL("../../scripts/setup/go-tools.sh", import.meta.url), "utf8");
    for (const variable of ["helm.sh/helm/v3/internal/version.version", "helm.sh/helm/v3/pkg/chartutil", "helm.sh/helm/v3/pkg/lint/rules", "k8sVersionMajor", "k8sVersionMinor"]) expect(script).toContain(variable);
  });

  it("refuses a Kubernetes version without a minor", () => {
    expect(() => helmLdflags("v3.21.4", "1")).toThrow(/versions.kubernetes "1"/);
  });
});
