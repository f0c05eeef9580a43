// The classes of the second trial on charts nobody here wrote: false findings,
// wrong lines and missed run-time breakers, each reproduced by a small fixture of
// our own (fixtures/classes, laid over the clean fixture) with exactly what the
// doctor must say about it.
import { copyFileSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../config/load.js";
import { main } from "./cli.js";
import { runDoctor } from "./doctor.js";
import { doctorOnFixture, FIXTURE_KUBE_VERSION, materialize } from "./fixture-cases.js";
import { renderChart } from "./reader.js";
import type { Finding } from "./types.js";

const short = (fs: readonly Finding[]) => fs.map((f) => `${f.severity} ${f.rule} ${f.file}:${f.line}`);

async function cli(args: string[], cwd: string): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await main(args, { stdout: (s) => void (out += s), stderr: (s) => void (err += s), cwd });
  return { code, out, err };
}

describe("false alarms", () => {
  it("a private key shown in a values file's comment lines is documentation, not a secret (private-key-comment)", async () => {
    expect(short(await doctorOnFixture("classes/private-key-comment"))).toEqual([]);
    expect(short(await doctorOnFixture("classes/private-key-comment", { helm: false }))).toEqual([]);
  });

  it("the project's todo.config.yaml applies only to the chart it names, or with --config (foreign-image-name inside a repository)", async () => {
    const fx = materialize("classes/foreign-image-name");
    try {
      // The chart sits in a repository whose todo.config.yaml names another chart (chart.path: helm/todo-app).
      copyFileSync(join(REPO_ROOT, "todo.config.yaml"), join(fx.root, "todo.config.yaml"));
      const args = ["--chart", "chart", "--dockerfile", "docker/web/Dockerfile", "--format", "json"];
      const r = await cli(args, fx.root);
      expect((JSON.parse(r.out) as { findings: Finding[] }).findings.map((f) => `${f.severity} ${f.rule} ${f.file}:${f.line}`)).toEqual(["warning probe/unconfirmed-path chart/templates/deployment.yaml:50"]);
      expect(r.code).toBe(0);
      // Asked for, it applies: the image is named like our backend, so our backend's port is imposed.
      const asked = await cli([...args, "--config", "todo.config.yaml"], fx.root);
      expect((JSON.parse(asked.out) as { findings: Finding[] }).findings.some((f) => f.rule === "port/drift")).toBe(true);
      expect(asked.code).toBe(1);
    } finally {
      fx.cleanup();
    }
  });
});

describe("the right line", () => {
  it("a finding on a StatefulSet's container, in a template that writes a PersistentVolumeClaim after it, points into the StatefulSet (multi-kind-template)", async () => {
    expect(short(await doctorOnFixture("classes/multi-kind-template"))).toEqual(["error image/mutable-tag chart/templates/cache.yaml:24"]);
  });
});

describe("more false alarms", () => {
  it("a Secret named in imagePullSecrets is not reported as not created (image-pull-secret)", async () => {
    expect(short(await doctorOnFixture("classes/image-pull-secret"))).toEqual([]);
  });

  it("ENV PORT that the CMD overrides with an explicit --port is no drift; a --port that disagrees with EXPOSE is, at the CMD line (cmd-port-flag)", async () => {
    expect(short(await doctorOnFixture("classes/cmd-port-flag"))).toEqual([]);
    const fx = materialize("classes/cmd-port-flag");
    try {
      const df = join(fx.root, "docker/web/Dockerfile");
      writeFileSync(df, readFileSync(df, "utf8").replace('"--port", "8080"', '"--port", "9000"'));
      const findings = await runDoctor({ chartPath: "chart", dockerfiles: ["docker/web/Dockerfile"], cwd: fx.root });
      expect(short(findings)).toEqual(["error port/drift docker/web/Dockerfile:19"]);
      expect(findings[0]!.message).toBe("CMD starts the app on port 9000, but the image EXPOSEs 8080 (line 17)");
    } finally {
      fx.cleanup();
    }
  });

  it("a probe path the app's source defines is confirmed by it; without the source it stays unconfirmed (source-routes)", async () => {
    expect(short(await doctorOnFixture("classes/source-routes", { source: "." }))).toEqual([]);
    const without = await doctorOnFixture("classes/source-routes");
    expect(short(without)).toEqual(["warning probe/unconfirmed-path chart/templates/deployment.yaml:50"]);
  });
});

describe("run-time breakers", () => {
  it("a Deployment behind a Service with no readinessProbe (no-readiness)", async () => {
    expect(short(await doctorOnFixture("classes/no-readiness"))).toEqual(["warning probe/no-readiness chart/templates/deployment.yaml:25"]);
  });

  it("COPY . . with no .dockerignore beside the Dockerfile (copy-whole-context); with one, nothing", async () => {
    expect(short(await doctorOnFixture("classes/copy-whole-context"))).toEqual(["error dockerfile/no-dockerignore docker/web/Dockerfile:8"]);
    const fx = materialize("classes/copy-whole-context");
    try {
      // One at the source root (the repository as the build context) counts too.
      writeFileSync(join(fx.root, ".dockerignore"), ".env*\n.git\nnode_modules\n");
      expect(short(await runDoctor({ chartPath: "chart", dockerfiles: ["docker/web/Dockerfile"], cwd: fx.root }))).toContain("error dockerfile/no-dockerignore docker/web/Dockerfile:8");
      expect(short(await runDoctor({ chartPath: "chart", dockerfiles: ["docker/web/Dockerfile"], cwd: fx.root, sourceDir: "." }))).not.toContain("error dockerfile/no-dockerignore docker/web/Dockerfile:8");
      writeFileSync(join(fx.root, "docker/web/.dockerignore"), ".env*\n.git\nnode_modules\n");
      expect(short(await runDoctor({ chartPath: "chart", dockerfiles: ["docker/web/Dockerfile"], cwd: fx.root }))).not.toContain("error dockerfile/no-dockerignore docker/web/Dockerfile:8");
    } finally {
      fx.cleanup();
    }
  });

  it("a Secret value from randAlphaNum with no lookup changes on every upgrade (random-secret)", async () => {
    expect(short(await doctorOnFixture("classes/random-secret"))).toEqual(["error secret/random-on-upgrade chart/templates/secret.yaml:10"]);
  });

  it("sh -c \"next start\" where next is only in node_modules/.bin (command-not-on-path)", async () => {
    expect(short(await doctorOnFixture("classes/command-not-on-path"))).toEqual(["error container/command-not-on-path chart/templates/deployment.yaml:30"]);
  });

  it("a feature switched on in values that no template reads (unused-switch)", async () => {
    expect(short(await doctorOnFixture("classes/unused-switch"))).toEqual(["warning values/unused-switch chart/values.yaml:32"]);
    expect(short(await doctorOnFixture("classes/unused-switch", { helm: false }))).toEqual(["warning values/unused-switch chart/values.yaml:32"]);
  });

  it("two templates that fail to render: both reported, the rest rendered by helm (its NEXT_PUBLIC_* found), no placeholder names (two-failing-templates)", async () => {
    const findings = await doctorOnFixture("classes/two-failing-templates");
    expect(short(findings)).toEqual([
      "error chart/render-failed chart/templates/configmap.yaml:8",
      "error env/next-public-runtime chart/templates/deployment.yaml:44",
      "error chart/render-failed chart/templates/hpa.yaml:21",
    ]);
    expect(findings.map((f) => f.message).join("\n")).not.toContain("__tpl__");
  });
});

describe("environment wiring", () => {
  it("a variable the chart sets that the app's source never mentions (env-unread: SESION_SALT for SESSION_SALT)", async () => {
    expect(short(await doctorOnFixture("classes/env-unread", { source: "." }))).toEqual(["warning env/unread chart/templates/deployment.yaml:39"]);
    // Without the source nothing can be said; nor with a source holding no code that reads the environment (the app's code is elsewhere).
    expect(short(await doctorOnFixture("classes/env-unread"))).toEqual([]);
    const fx = materialize("classes/env-unread");
    try {
      rmSync(join(fx.root, "src"), { recursive: true });
      const render = await renderChart({ chartPath: "chart", kubeVersion: FIXTURE_KUBE_VERSION, cwd: fx.root });
      expect(short(await runDoctor({ chartPath: "chart", dockerfiles: ["docker/web/Dockerfile"], cwd: fx.root, sourceDir: ".", renderedManifests: render.manifests! }))).toEqual([]);
    } finally {
      fx.cleanup();
    }
  });
});

describe("Ingress paths from the source", () => {
  it("an Ingress path no route of the source serves is a warning; one it serves is confirmed (ingress-source)", async () => {
    expect(short(await doctorOnFixture("classes/ingress-source", { source: "." }))).toEqual(["warning ingress/unserved-path chart/templates/ingress.yaml:14"]);
    const fx = materialize("classes/ingress-source");
    try {
      const ing = join(fx.root, "chart/templates/ingress.yaml");
      writeFileSync(ing, readFileSync(ing, "utf8").replace("path: /admin", "path: /api"));
      expect(short(await runDoctor({ chartPath: "chart", dockerfiles: ["docker/web/Dockerfile"], cwd: fx.root, sourceDir: ".", renderedManifests: (await renderChart({ chartPath: "chart", kubeVersion: FIXTURE_KUBE_VERSION, cwd: fx.root })).manifests! }))).toEqual([]);
    } finally {
      fx.cleanup();
    }
  });
});

describe("HEALTHCHECK paths from the source", () => {
  it("a HEALTHCHECK on a path no route of the source serves (healthcheck-source); without the source, nothing", async () => {
    expect(short(await doctorOnFixture("classes/healthcheck-source", { source: "." }))).toEqual(["warning dockerfile/healthcheck-unserved docker/web/Dockerfile:22"]);
    expect(short(await doctorOnFixture("classes/healthcheck-source"))).toEqual([]);
  });
});

describe("environment wiring, the other way", () => {
  it("a variable the app reads with no default that neither the chart nor the image sets (env-unset: STRIPE_KEY)", async () => {
    expect(short(await doctorOnFixture("classes/env-unset", { source: "." }))).toEqual(["warning env/unset src/settings.py:7"]);
    expect(short(await doctorOnFixture("classes/env-unset"))).toEqual([]);
  });
});

describe("Go sources", () => {
  it("an exec probe requesting a local URL is checked like an httpGet one; gorilla/mux routes of the source confirm it (exec-probe-path)", async () => {
    expect(short(await doctorOnFixture("classes/exec-probe-path"))).toEqual(["warning probe/unconfirmed-path chart/templates/deployment.yaml:52"]);
    expect(short(await doctorOnFixture("classes/exec-probe-path", { source: "." }))).toEqual([]);
  });

  it("Go reads: one the server stops without and nothing sets, a variable nothing reads; one under viper's prefix is not judged (env-go)", async () => {
    const findings = await doctorOnFixture("classes/env-go", { source: "." });
    expect(short(findings)).toEqual(["warning env/unread chart/templates/deployment.yaml:46", "warning env/unset src/main.go:30"]);
    expect(findings.map((f) => f.message)).toEqual([
      expect.stringContaining("sets CACHE_URL, which the source at . never mentions"),
      expect.stringContaining("the app reads STRIPE_KEY with no default"),
    ]);
    expect(short(await doctorOnFixture("classes/env-go"))).toEqual([]);
  });
});
