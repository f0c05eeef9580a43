// `helm lint --strict` with every values file, and the values schema's refusals.
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { HelmCommandError, helmTemplateArgs, runHelm } from "../../ci/tools/helm.js";
import { parseManifests } from "../../ci/policies/chart/index.js";
import { CHART_DIR, config, gate, lint, renderText } from "./chart.js";

const valuesFiles = config.chart.valuesFiles;

describe("helm lint --strict", () => {
  it("todo.config.yaml chart.valuesFiles lists every values file of the chart (so the pipeline lints them all)", () => {
    const onDisk = readdirSync(CHART_DIR).filter((f) => /^values-.+\.yaml$/.test(f));
    expect([...valuesFiles].sort()).toEqual(onDisk.sort());
    expect(valuesFiles.length).toBeGreaterThanOrEqual(2);
  });

  it.each(["(defaults)", ...valuesFiles])("passes with %s", async (file) => {
    const out = await lint(file === "(defaults)" ? {} : { valuesFiles: [join(CHART_DIR, file)] });
    expect(out).toMatch(/1 chart\(s\) linted, 0 chart\(s\) failed/);
    expect(out).not.toMatch(/\[(WARNING|ERROR)\]/);
  });

  it("fails on values the schema refuses (so it is not a lint that cannot fail)", async () => {
    const err = await lint({ set: { "backend.port": "eight-thousand" } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HelmCommandError);
    expect((err as Error).message).toMatch(/backend\/port/);
  });
});

describe("Chart.yaml kubeVersion", () => {
  it("admits the pinned Kubernetes version and refuses one without the APIs the chart uses", async () => {
    await expect(lint({})).resolves.toMatch(/0 chart\(s\) failed/);
    const err = await runHelm(helmTemplateArgs({ release: "todo", chart: CHART_DIR, namespace: "todo", kubeVersion: "1.22.0" })).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/incompatible with Kubernetes v1.22.0/);
  });
});

describe("values.schema.json refuses", () => {
  const cases: [string, Record<string, string | number | boolean>, Record<string, string>, RegExp][] = [
    ["a port that is not a number", { "frontend.port": "http" }, {}, /\/frontend\/port/],
    ["a Service type outside the enum", {}, { "frontend.service.type": "LoadBalancer" }, /must be one of 'ClusterIP', 'NodePort'/],
    ["the latest tag", {}, { "backend.image.tag": "latest" }, /\/backend\/image\/tag/],
    ["a malformed digest", {}, { "backend.image.digest": "sha256:abc" }, /\/backend\/image\/digest/],
    ["an unknown key (a typo)", { "backend.replicaCont": 3 }, {}, /additional properties 'replicaCont'/],
    ["a health path without a leading slash", {}, { "backend.health.readiness": "ready" }, /\/backend\/health\/readiness/],
    ["a log level outside the enum", {}, { "backend.logLevel": "verbose" }, /\/backend\/logLevel/],
    ["a NodePort outside the node port range", { "frontend.service.type": "NodePort", "frontend.service.nodePort": 80 }, {}, /nodePort/],
    ["the root user", { "runtimeUser.uid": 0 }, {}, /\/runtimeUser\/uid/],
    ["a missing required section", { tests: "null" as unknown as string }, {}, /tests/],
  ];
  it.each(cases)("%s", async (_name, set, setString, message) => {
    const err = await renderText({ set, setString }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HelmCommandError);
    expect((err as Error).message).toMatch(message);
  });
});

describe("the chart fails early, naming the fix, on combinations that cannot work", () => {
  it.each([
    ["no database at all", { "postgresql.enabled": false }, {}, /no database: set postgresql.enabled=true .* or database.existingSecret/],
    ["two databases", {}, { "database.existingSecret": "neon" }, /use the in-cluster PostgreSQL .* or an external database/],
    ["TLS without a certificate Secret", { "ingress.tls.enabled": true }, {}, /ingress.tls.secretName/],
    ["a nodePort on a ClusterIP Service", { "frontend.service.nodePort": 30001 }, {}, /frontend.service.type is not NodePort/],
  ] as const)("%s", async (_name, set, setString, message) => {
    const err = await renderText({ set, setString }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HelmCommandError);
    expect((err as Error).message).toMatch(message);
  });
});

describe("beyond helm lint", () => {
  it("a free-form value that breaks the Kubernetes schema passes helm lint but not the offline schema check", async () => {
    const setString = { "backend.affinity.podAntiAffinity": "spread-please" };
    await expect(lint({ setString })).resolves.toMatch(/0 chart\(s\) failed/);
    const findings = gate(parseManifests(await renderText({ setString })));
    expect(findings.map((f) => `${f.rule} ${f.object} ${f.path}: ${f.message}`)).toContain(
      "schema/invalid Deployment/todo-todo-app-backend spec.template.spec.affinity.podAntiAffinity: must be object",
    );
  });
});
