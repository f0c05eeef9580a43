// runDoctor on disk and doctorOnFiles on the same files in memory agree.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { doctorOnFiles, runDoctor } from "./doctor.js";
import { FIXTURE_KUBE_VERSION, materialize } from "./fixture-cases.js";
import { DoctorUsageError, renderChart } from "./reader.js";

function filesUnder(root: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const e of readdirSync(d)) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else out.set(relative(root, p), readFileSync(p, "utf8"));
    }
  };
  walk(root);
  return out;
}

describe("doctorOnFiles (files in memory, e.g. from a Dagger Directory)", () => {
  it("gives the same findings as runDoctor on disk", async () => {
    const fx = materialize("reference-not-created");
    try {
      const render = await renderChart({ chartPath: "chart", kubeVersion: FIXTURE_KUBE_VERSION, cwd: fx.root });
      const opts = { chartPath: "chart", dockerfiles: ["docker/web/Dockerfile"], renderedManifests: render.manifests! };
      const onDisk = await runDoctor({ ...opts, cwd: fx.root });
      expect(onDisk.map((f) => f.rule)).toEqual(["reference/not-created"]);
      expect(doctorOnFiles({ ...opts, files: filesUnder(fx.root) })).toEqual(onDisk);
    } finally {
      fx.cleanup();
    }
  });
  it("agrees with runDoctor on the source's routes and on a .dockerignore (source-routes, copy-whole-context)", async () => {
    for (const [fixture, extra] of [["classes/source-routes", { sourceDir: "." }], ["classes/copy-whole-context", {}]] as const) {
      const fx = materialize(fixture);
      try {
        const render = await renderChart({ chartPath: "chart", kubeVersion: FIXTURE_KUBE_VERSION, cwd: fx.root });
        const opts = { chartPath: "chart", dockerfiles: ["docker/web/Dockerfile"], renderedManifests: render.manifests!, ...extra };
        const onDisk = await runDoctor({ ...opts, cwd: fx.root });
        expect(doctorOnFiles({ ...opts, files: filesUnder(fx.root) }), fixture).toEqual(onDisk);
        expect(onDisk.map((f) => f.rule), fixture).toEqual(fixture.includes("source") ? [] : ["dockerfile/no-dockerignore"]);
      } finally {
        fx.cleanup();
      }
    }
  });
  it("names a missing file", () => {
    expect(() => doctorOnFiles({ chartPath: "chart", files: new Map() })).toThrow(DoctorUsageError);
    expect(() => doctorOnFiles({ chartPath: "chart", files: new Map() })).toThrow(/Chart.yaml of --chart chart\/Chart.yaml is not among the files given/);
  });
});
