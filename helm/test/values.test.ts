// values.yaml repeats facts of todo.config.yaml (helm cannot read that file):
// this is the test that keeps them equal. Also: no values file or template
// carries a secret in plain text.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseValuesFile, readChartSources, scanChartSources } from "../../ci/policies/chart/index.js";
import { CHART_DIR, config } from "./chart.js";

const read = (f: string) => parseValuesFile(readFileSync(join(CHART_DIR, f), "utf8"), f);
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const values = read("values.yaml") as Record<string, any>;

describe("values.yaml defaults equal todo.config.yaml", () => {
  it.each(["backend", "frontend"] as const)("%s: image name, port and health paths", (app) => {
    const cfg = config.apps[app];
    expect(values[app].image.repository).toBe(cfg.image);
    expect(values[app].port).toBe(cfg.port);
    expect(values[app].health).toEqual(cfg.health);
    expect(cfg.routes).toEqual(expect.arrayContaining([cfg.health.liveness, cfg.health.readiness]));
  });

  it("runtime uid/gid", () => {
    expect(values.runtimeUser).toEqual(config.runtimeUser);
  });

  it("the backend's metrics path is one of its routes", () => {
    expect(config.apps.backend.routes).toContain(values.backend.metrics.path);
  });

  it("image pull policy IfNotPresent and no tag that means latest", () => {
    for (const app of ["backend", "frontend", "postgresql"]) {
      expect(values[app].image.pullPolicy).toBe("IfNotPresent");
      expect(String(values[app].image.tag)).not.toMatch(/^latest$/i);
    }
  });

  it("the chart path in todo.config.yaml is this chart", () => {
    const chart = read("Chart.yaml") as { name: string };
    expect(config.chart.path.endsWith(chart.name)).toBe(true);
  });

  it("every deploy target's values files exist in this chart", () => {
    for (const [target, t] of Object.entries(config.deploy.targets)) {
      for (const f of t.valuesFiles) {
        expect(f.startsWith(`${config.chart.path}/`), `${target}: ${f}`).toBe(true);
        expect(() => read(f.slice(config.chart.path.length + 1)), `${target}: ${f}`).not.toThrow();
      }
    }
  });

  it("says at its top that todo.config.yaml is the source", () => {
    expect(readFileSync(join(CHART_DIR, "values.yaml"), "utf8").slice(0, 600)).toMatch(/todo\.config\.yaml/);
  });

  it("every values file parses without duplicate keys", () => {
    for (const f of ["values.yaml", "values-minikube.yaml", "values-external-db.yaml"]) {
      expect(() => read(f)).not.toThrow();
    }
  });

  it("a duplicate key is reported with file and line (negative check of the parser above)", () => {
    expect(() => parseValuesFile("backend:\n  port: 8000\n  port: 8001\n", "values-x.yaml")).toThrow(/values-x\.yaml:3: .*remove the duplicate/);
  });
});

describe("no plaintext secret in the chart's sources", () => {
  it("values files, templates and NOTES pass the source scan", () => {
    const files = readChartSources(CHART_DIR);
    expect(files.map((f) => f.path)).toEqual(expect.arrayContaining(["values.yaml", "templates/NOTES.txt", "templates/secret.yaml"]));
    expect(scanChartSources(files)).toEqual([]);
  });
});
