// The doctor on this repository's own chart (every values file the pipeline
// deploys with) and Dockerfiles, with todo.config.yaml's routes and ports.
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadProjectConfig, REPO_ROOT } from "../config/load.js";
import { DEFAULT_KUBE_VERSION } from "./cli.js";
import { runDoctor } from "./doctor.js";
import { renderChart } from "./reader.js";

const config = loadProjectConfig();
const chart = config.chart.path;
const dockerfiles = [config.apps.backend.dockerfile, config.apps.frontend.dockerfile];


describe("our own chart and Dockerfiles are clean", () => {
  it("the CLI's fallback Kubernetes version is todo.config.yaml's versions.kubernetes", () => {
    expect(DEFAULT_KUBE_VERSION).toBe(config.versions.kubernetes);
  });

  for (const valuesFile of [undefined, ...config.chart.valuesFiles]) {
    it(`${chart} with ${valuesFile ?? "its defaults"} and ${dockerfiles.join(", ")}: no findings`, async () => {
      const valuesFiles = valuesFile ? [join(chart, valuesFile)] : [];
      const render = await renderChart({ chartPath: chart, valuesFiles, kubeVersion: config.versions.kubernetes!, cwd: REPO_ROOT });
      expect(render.error).toBeUndefined();
      const findings = await runDoctor({ chartPath: chart, valuesFiles, dockerfiles, renderedManifests: render.manifests!, projectConfig: config, cwd: REPO_ROOT });
      expect(findings.map((f) => `${f.file}:${f.line} ${f.rule} ${f.message}`)).toEqual([]);
    });
  }

  it("the same without helm (values and templates as text)", async () => {
    const findings = await runDoctor({ chartPath: chart, dockerfiles, projectConfig: config, cwd: REPO_ROOT });
    expect(findings.map((f) => `${f.file}:${f.line} ${f.rule} ${f.message}`)).toEqual([]);
  });

  it("the doctor does see our chart: containers, probes and Dockerfiles are linked", async () => {
    // Guards the test above against passing because nothing was read.
    const render = await renderChart({ chartPath: chart, kubeVersion: config.versions.kubernetes!, cwd: REPO_ROOT });
    const broken = { apps: { ...config.apps, backend: { ...config.apps.backend, routes: ["/api"], port: config.apps.backend.port + 1 } } };
    const findings = await runDoctor({ chartPath: chart, dockerfiles, renderedManifests: render.manifests!, projectConfig: broken, cwd: REPO_ROOT });
    const rules = new Set(findings.map((f) => f.rule));
    expect(rules).toContain("probe/unserved-path");
    expect(findings.filter((f) => f.rule === "port/drift").map((f) => f.file)).toEqual(expect.arrayContaining([config.apps.backend.dockerfile, join(chart, "templates/backend-deployment.yaml")]));
  });
});
