// Every rule against fixture charts and Dockerfiles with exactly one defect
// each (rule id, file, line and severity asserted), and the clean fixture
// giving zero findings. Charts are rendered by the real helm on the host.
import { describe, expect, it } from "vitest";
import { doctorOnFixture } from "./fixture-cases.js";
import { RULES } from "./rules/index.js";
import type { Severity } from "./types.js";

interface Case {
  defect: string;
  rule: string;
  file: string;
  line: number;
  severity?: Severity;
  /** Run with the fixture's apps as todo.config.yaml would declare them. */
  project?: boolean;
  /** The app's source directory (--source), relative to the fixture. */
  source?: string;
}

const DEP = "chart/templates/deployment.yaml";
const DF = "docker/web/Dockerfile";

const CASES: Case[] = [
  { defect: "values-duplicate-key", rule: "values/duplicate-key", file: "chart/values.yaml", line: 9 },
  { defect: "render-failed", rule: "chart/render-failed", file: DEP, line: 19 },
  { defect: "ports-service-target", rule: "port/drift", file: "chart/templates/service.yaml", line: 14 },
  { defect: "ports-ingress-backend", rule: "port/drift", file: "chart/templates/ingress.yaml", line: 20 },
  { defect: "ports-probe", rule: "port/drift", file: DEP, line: 51 },
  { defect: "ports-expose", rule: "port/drift", file: DEP, line: 29 },
  { defect: "ports-env-port", rule: "port/drift", file: DEP, line: 45 },
  { defect: "ports-dockerfile-env", rule: "port/drift", file: DF, line: 21 },
  { defect: "ports-config-expose", rule: "port/drift", file: DF, line: 21, project: true },
  { defect: "ports-config-container", rule: "port/drift", file: DEP, line: 29, project: true },
  { defect: "probe-unserved", rule: "probe/unserved-path", file: DEP, line: 50, project: true },
  { defect: "probe-unconfirmed", rule: "probe/unconfirmed-path", file: DEP, line: 50, severity: "warning" },
  { defect: "service-selector", rule: "service/selector-mismatch", file: "chart/templates/service.yaml", line: 9 },
  { defect: "hpa-target", rule: "hpa/missing-target", file: "chart/templates/hpa.yaml", line: 12 },
  { defect: "secret-base64", rule: "secret/invalid-base64", file: "chart/templates/secret.yaml", line: 11 },
  { defect: "secret-plaintext-values", rule: "secret/plaintext", file: "chart/values.yaml", line: 23 },
  { defect: "secret-plaintext-template", rule: "secret/plaintext", file: DEP, line: 45 },
  { defect: "secret-high-entropy", rule: "secret/high-entropy", file: "chart/values.yaml", line: 19, severity: "warning" },
  { defect: "reference-not-created", rule: "reference/not-created", file: DEP, line: 34 },
  { defect: "next-public-runtime", rule: "env/next-public-runtime", file: DEP, line: 44 },
  { defect: "image-latest", rule: "image/mutable-tag", file: DEP, line: 26 },
  { defect: "no-resources", rule: "container/no-resources", file: DEP, line: 25, severity: "warning" },
  { defect: "container-root", rule: "container/runs-as-root", file: DEP, line: 21 },
  { defect: "ingress-rewrite", rule: "ingress/rewrite-strips-prefix", file: "chart/templates/ingress.yaml", line: 6, severity: "warning" },
  // With the app's routes known (/api), stripping the prefix is an error, not a suspicion.
  { defect: "ingress-rewrite", rule: "ingress/rewrite-strips-prefix", file: "chart/templates/ingress.yaml", line: 6, project: true },
  { defect: "namespace-hard-coded", rule: "namespace/hard-coded", file: "chart/templates/configmap.yaml", line: 5 },
  { defect: "printf-int", rule: "template/printf-int", file: "chart/templates/configmap.yaml", line: 11 },
  { defect: "default-true", rule: "template/default-true", file: DEP, line: 19 },
  { defect: "docker-root", rule: "dockerfile/runs-as-root", file: DF, line: 12 },
  { defect: "docker-no-healthcheck", rule: "dockerfile/no-healthcheck", file: DF, line: 12, severity: "warning" },
  { defect: "docker-prod-install", rule: "dockerfile/prod-install-before-build", file: DF, line: 7 },
  { defect: "docker-env-file", rule: "dockerfile/copies-env-file", file: DF, line: 9 },
  { defect: "docker-curl-sh", rule: "dockerfile/curl-pipe-shell", file: DF, line: 6 },
  { defect: "docker-unpinned", rule: "dockerfile/unpinned-base", file: DF, line: 12 },
  { defect: "values-invalid-yaml", rule: "values/invalid-yaml", file: "chart/values.yaml", line: 6 },
  { defect: "workload-selector", rule: "workload/selector-mismatch", file: DEP, line: 11 },
  { defect: "object-duplicate-name", rule: "object/duplicate-name", file: "chart/templates/configmap.yaml", line: 4 },
  { defect: "resource-request-above-limit", rule: "resource/request-above-limit", file: "chart/values.yaml", line: 26 },
  { defect: "ingress-unserved-path", rule: "ingress/unserved-path", file: "chart/templates/ingress.yaml", line: 14, project: true },
  { defect: "docker-single-stage", rule: "dockerfile/single-stage-toolchain", file: DF, line: 9, severity: "warning" },
  // Run-time breakers (fixtures/classes, see runtime-classes.test.ts).
  { defect: "classes/no-readiness", rule: "probe/no-readiness", file: DEP, line: 25, severity: "warning" },
  { defect: "classes/command-not-on-path", rule: "container/command-not-on-path", file: DEP, line: 30 },
  { defect: "classes/random-secret", rule: "secret/random-on-upgrade", file: "chart/templates/secret.yaml", line: 10 },
  { defect: "classes/unused-switch", rule: "values/unused-switch", file: "chart/values.yaml", line: 32, severity: "warning" },
  { defect: "classes/copy-whole-context", rule: "dockerfile/no-dockerignore", file: DF, line: 8 },
  { defect: "classes/env-unread", rule: "env/unread", file: DEP, line: 39, severity: "warning", source: "." },
  { defect: "classes/env-unset", rule: "env/unset", file: "src/settings.py", line: 7, severity: "warning", source: "." },
  { defect: "classes/healthcheck-source", rule: "dockerfile/healthcheck-unserved", file: DF, line: 22, severity: "warning", source: "." },
];

// Without helm, templates are read as text: these defects are found the same way;
// the others need objects compared with each other (or a render) and must give no finding at all.
const FOUND_WITHOUT_HELM = new Set([
  "values-duplicate-key", "ports-config-expose", "ports-dockerfile-env", "probe-unserved", "probe-unconfirmed", "secret-base64",
  "secret-plaintext-values", "secret-plaintext-template", "secret-high-entropy", "next-public-runtime",
  "image-latest", "container-root", "namespace-hard-coded", "printf-int", "default-true",
  "docker-root", "docker-no-healthcheck", "docker-prod-install", "docker-env-file", "docker-curl-sh",
  "docker-unpinned", "docker-single-stage", "values-invalid-yaml",
  "classes/random-secret", "classes/unused-switch", "classes/copy-whole-context", "classes/healthcheck-source",
]);

describe("clean fixtures", () => {
  it("the clean chart and Dockerfile give zero findings (rendered by helm)", async () => {
    expect(await doctorOnFixture(undefined)).toEqual([]);
  });
  it("... and zero with the app's routes and port declared as in todo.config.yaml", async () => {
    expect(await doctorOnFixture(undefined, { project: true })).toEqual([]);
  });
  it("... and zero without helm (values and templates read as text)", async () => {
    expect(await doctorOnFixture(undefined, { helm: false })).toEqual([]);
  });
});

describe("one defect, one finding, at its line", () => {
  it("every rule has at least one fixture", () => {
    // House policy rules (Rule.policy) have theirs in rules/policy.test.ts, on our own chart.
    expect(new Set(CASES.map((c) => c.rule))).toEqual(new Set(RULES.filter((r) => !r.policy).map((r) => r.id)));
  });

  for (const c of CASES) {
    it(`${c.defect}${c.project ? " (our app)" : ""} → ${c.rule} at ${c.file}:${c.line}`, async () => {
      const findings = await doctorOnFixture(c.defect, { project: c.project ?? false, ...(c.source !== undefined ? { source: c.source } : {}) });
      expect(findings.map((f) => ({ rule: f.rule, file: f.file, line: f.line, severity: f.severity }))).toEqual([
        { rule: c.rule, file: c.file, line: c.line, severity: c.severity ?? "error" },
      ]);
      expect(findings[0]!.message.length).toBeGreaterThan(10);
      expect(findings[0]!.fix.length).toBeGreaterThan(10);
    });
  }

  for (const c of CASES.filter((x) => x.severity !== "warning" || x.rule !== "ingress/rewrite-strips-prefix")) {
    const found = FOUND_WITHOUT_HELM.has(c.defect);
    it(`without helm: ${c.defect} → ${found ? `${c.rule} at ${c.file}:${c.line}` : "nothing (needs the rendered chart)"}`, async () => {
      const findings = await doctorOnFixture(c.defect, { project: c.project ?? false, helm: false, ...(c.source !== undefined ? { source: c.source } : {}) });
      expect(findings.map((f) => `${f.rule} ${f.file}:${f.line}`)).toEqual(found ? [`${c.rule} ${c.file}:${c.line}`] : []);
    });
  }
});
