// Any repository's chart: the scaffold `helm create` writes (the most common
// starting point of charts in the wild), checked with no todo.config.yaml.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "./cli.js";
import { runDoctor } from "./doctor.js";
import { renderChart } from "./reader.js";
import { FIXTURE_KUBE_VERSION } from "./fixture-cases.js";

let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "doctor-scaffold-"));
  await execa("helm", ["create", "mychart"], { cwd: dir });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("helm create scaffold", () => {
  it("no error: warns of the untagged busybox test image and of what it cannot confirm", async () => {
    const render = await renderChart({ chartPath: "mychart", kubeVersion: FIXTURE_KUBE_VERSION, cwd: dir });
    const findings = await runDoctor({ chartPath: "mychart", renderedManifests: render.manifests!, cwd: dir });
    expect(findings.map((f) => `${f.severity} ${f.rule} ${f.file}:${f.line}`)).toEqual([
      "warning container/no-resources mychart/templates/deployment.yaml:36",
      "warning container/runs-as-root mychart/templates/deployment.yaml:36",
      "warning container/no-resources mychart/templates/tests/test-connection.yaml:11",
      "warning container/runs-as-root mychart/templates/tests/test-connection.yaml:11",
      // Untagged, but in a helm test pod that runs on demand: a warning, not an error (issue 11).
      "warning image/mutable-tag mychart/templates/tests/test-connection.yaml:12",
      // The probes are copied from values.yaml with toYaml: the path is written there, so the finding is too.
      "warning probe/unconfirmed-path mychart/values.yaml:129",
      "warning probe/unconfirmed-path mychart/values.yaml:133",
    ]);
  });

  it("with the scaffold's own knobs set (resources, non-root, pinned test image) only the probe warnings stay", async () => {
    const { writeFileSync } = await import("node:fs");
    writeFileSync(
      join(dir, "fixed.yaml"),
      ["resources:", "  requests: { cpu: 100m, memory: 64Mi }", "  limits: { memory: 128Mi }", "securityContext:", "  runAsNonRoot: true", "  runAsUser: 101", ""].join("\n"),
    );
    const render = await renderChart({ chartPath: "mychart", valuesFiles: ["fixed.yaml"], kubeVersion: FIXTURE_KUBE_VERSION, cwd: dir });
    const findings = await runDoctor({ chartPath: "mychart", valuesFiles: ["fixed.yaml"], renderedManifests: render.manifests!, cwd: dir });
    const app = findings.filter((f) => !f.file.includes("/tests/")).map((f) => `${f.rule} ${f.file}:${f.line}`);
    expect(app).toEqual(["probe/unconfirmed-path mychart/values.yaml:129", "probe/unconfirmed-path mychart/values.yaml:133"]);
  });

  it("a good chart: the CLI exits 0 on it (no error, only warnings), as GitHub annotations", async () => {
    let out = "";
    const code = await main(["--chart", join(dir, "mychart"), "--format", "github"], { stdout: (t) => void (out += t), stderr: () => {}, cwd: dir });
    expect(code).toBe(0);
    const lines = out.trim().split("\n");
    expect(lines.length).toBe(7);
    for (const l of lines) expect(l).toMatch(/^::warning file=mychart\/[^,]+,line=\d+,title=[a-z-]+\/[a-z-]+::.+\. Fix: /);
  });
});
