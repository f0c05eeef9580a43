// The classes of false findings and misses found when the doctor was tried on
// charts and Dockerfiles nobody here wrote (issue 11), each reproduced by a
// small fixture of our own (fixtures/classes, laid over the clean fixture) with
// exactly what the doctor must say about it.
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../config/load.js";
import { main } from "./cli.js";
import { runDoctor } from "./doctor.js";
import { doctorOnFixture, FIXTURE_KUBE_VERSION, materialize } from "./fixture-cases.js";
import { renderChart } from "./reader.js";
import type { Finding } from "./types.js";

const DEP = "chart/templates/deployment.yaml";
const short = (fs: readonly Finding[]) => fs.map((f) => `${f.severity} ${f.rule} ${f.file}:${f.line}`);

describe("each class of issue 11, one fixture each", () => {
  it("our todo.config.yaml is not applied to another project's chart whose image is named like ours (foreign-image-name)", async () => {
    const fx = materialize("classes/foreign-image-name");
    try {
      let out = "";
      const code = await main(["--chart", join(fx.root, "chart"), "--dockerfile", join(fx.root, "docker/web/Dockerfile"), "--format", "json"], { stdout: (s) => void (out += s), stderr: () => {}, cwd: REPO_ROOT });
      // Its own probe path is judged on its own evidence (our backend's routes would have hidden it), and our port is not imposed.
      expect((JSON.parse(out) as { findings: Finding[] }).findings.map((f) => `${f.severity} ${f.rule} ${f.file.replace(fx.root + "/", "")}:${f.line}`)).toEqual([`warning probe/unconfirmed-path ${DEP}:50`]);
      expect(code).toBe(0);
    } finally {
      fx.cleanup();
    }
  });

  it("a HEALTHCHECK URL with the port right before the path confirms the probe path (healthcheck-url)", async () => {
    expect(short(await doctorOnFixture("classes/healthcheck-url"))).toEqual([]);
  });

  it("/ is confirmed for an image that serves it: nginx (root-path-nginx)", async () => {
    expect(short(await doctorOnFixture("classes/root-path-nginx"))).toEqual([]);
  });

  it("a container links to its Dockerfile by the container's name when the image is named otherwise (dockerfile-by-container-name)", async () => {
    const findings = await doctorOnFixture("classes/dockerfile-by-container-name", { dockerfiles: ["docker/web/Dockerfile", "docker/worker/Dockerfile"] });
    expect(short(findings)).toEqual([`error port/drift ${DEP}:29`]);
    expect(findings[0]!.message).toMatch(/declares port 80, but its image's Dockerfile docker\/web\/Dockerfile:\d+ EXPOSEs 8080/);
  });

  it.each([
    ["a flag-like value under a password-like key", "secret-flag-value"],
    ["a placeholder under create: false", "secret-switched-off"],
    ["an image reference with a digest", "secret-image-reference"],
  ])("secret rules: %s is not a secret (%s)", async (_what, fixture) => {
    expect(short(await doctorOnFixture(`classes/${fixture}`))).toEqual([]);
  });

  it("secret rules: a literal in a template branch helm did not render is a warning, not an error (secret-unrendered-branch)", async () => {
    expect(short(await doctorOnFixture("classes/secret-unrendered-branch"))).toEqual([`warning secret/plaintext ${DEP}:46`]);
    // Rendered, the same literal is an error.
    expect(short(await doctorOnFixture("classes/secret-unrendered-branch", { helm: false }))).toEqual([`error secret/plaintext ${DEP}:46`]);
  });

  it("a duplicate key is reported once when values.yaml is also passed with --values (values-duplicate-key, passed twice)", async () => {
    expect(short(await doctorOnFixture("values-duplicate-key", { values: ["chart/values.yaml"] }))).toEqual(["error values/duplicate-key chart/values.yaml:9"]);
  });

  it("a production-only install in a deps stage whose node_modules a later stage builds with (docker-deps-stage)", async () => {
    expect(short(await doctorOnFixture("classes/docker-deps-stage"))).toEqual(["error dockerfile/prod-install-before-build docker/web/Dockerfile:7"]);
  });

  it("a dependency that is not vendored: a warning, and the templates are read as text (dependency-not-vendored)", async () => {
    expect(short(await doctorOnFixture("classes/dependency-not-vendored"))).toEqual(["warning chart/render-failed chart/Chart.yaml:1"]);
  });

  it("an untagged image in a helm test hook pod is a warning (hook-untagged-image)", async () => {
    expect(short(await doctorOnFixture("classes/hook-untagged-image"))).toEqual(["warning image/mutable-tag chart/templates/tests/test-connection.yaml:15"]);
  });

  it("a finding in the second document of a template whose first document helm left out points into the second (multi-doc-template)", async () => {
    expect(short(await doctorOnFixture("classes/multi-doc-template"))).toEqual(["error image/mutable-tag chart/templates/workers.yaml:46"]);
  });

  it("a Secret named one level under an existing* key (existingSecret: { name: … }) is declared external (existing-secret-name-map)", async () => {
    expect(short(await doctorOnFixture("classes/existing-secret-name-map"))).toEqual([]);
  });

  it("the Secret a cert-manager Certificate of the chart names in secretName is created, by cert-manager (certificate-secret)", async () => {
    expect(short(await doctorOnFixture("classes/certificate-secret"))).toEqual([]);
    // Without the Certificate nothing creates it.
    const fx = materialize("classes/certificate-secret");
    try {
      rmSync(join(fx.root, "chart/templates/certificate.yaml"));
      const render = await renderChart({ chartPath: "chart", kubeVersion: FIXTURE_KUBE_VERSION, cwd: fx.root });
      const findings = await runDoctor({ chartPath: "chart", dockerfiles: ["docker/web/Dockerfile"], cwd: fx.root, renderedManifests: render.manifests! });
      expect(short(findings)).toEqual([`error reference/not-created ${DEP}:66`]);
    } finally {
      fx.cleanup();
    }
  });

  it("a RoleBinding to a Role the chart does not create lives in that Role's namespace, so writing it in is no defect (rolebinding-foreign-role)", async () => {
    // Kubernetes only lets a RoleBinding reference a Role of its own namespace (public charts bind kube-system's auth reader so).
    expect(short(await doctorOnFixture("classes/rolebinding-foreign-role"))).toEqual([]);
    expect(short(await doctorOnFixture("classes/rolebinding-foreign-role", { helm: false }))).toEqual([]);
  });

  it("a RoleBinding to a Role the chart creates itself keeps the error: that Role is in the release's namespace (rolebinding-foreign-role + the Role)", async () => {
    const fx = materialize("classes/rolebinding-foreign-role");
    try {
      writeFileSync(
        join(fx.root, "chart/templates/role.yaml"),
        ["apiVersion: rbac.authorization.k8s.io/v1", "kind: Role", "metadata:", "  name: flags-reader", "rules: []", ""].join("\n"),
      );
      const findings = await runDoctor({ chartPath: "chart", dockerfiles: ["docker/web/Dockerfile"], cwd: fx.root, renderedManifests: (await renderChart({ chartPath: "chart", kubeVersion: FIXTURE_KUBE_VERSION, cwd: fx.root })).manifests! });
      expect(short(findings)).toEqual(["error namespace/hard-coded chart/templates/rolebinding.yaml:7"]);
    } finally {
      fx.cleanup();
    }
  });
});
