// The CLI: exit codes, formats, --explain, usage errors naming the fix; once as a real process through npm.
import { join } from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import type { Log } from "sarif";
import { REPO_ROOT } from "../config/load.js";
import { DEFAULT_KUBE_VERSION, main, USAGE } from "./cli.js";
import { materialize } from "./fixture-cases.js";
import { RULES } from "./rules/index.js";
import { DOCTOR_VERSION, type RunInfo } from "./report.js";
import type { Finding } from "./types.js";

async function cli(argv: string[], cwd = REPO_ROOT) {
  let stdout = "";
  let stderr = "";
  const code = await main(argv, { stdout: (s) => void (stdout += s), stderr: (s) => void (stderr += s), cwd });
  return { code, stdout, stderr };
}

async function onFixture(defect: string | undefined, extra: string[]) {
  const fx = materialize(defect);
  try {
    return await cli(["--chart", "chart", "--dockerfile", "docker/web/Dockerfile", ...extra], fx.root);
  } finally {
    fx.cleanup();
  }
}

describe("pipeline:doctor CLI", () => {
  it("exit 0 and 'no findings' on a clean chart", async () => {
    const r = await onFixture(undefined, []);
    expect(r).toMatchObject({ code: 0, stdout: expect.stringMatching(/^delivery doctor \d+\.\d+\.\d+, helm v\d+\.\d+\.\d+, Kubernetes 1\.33\.\d+\ndelivery doctor: no findings\n$/) });
  });

  it("exit 1 with a table naming file:line, rule and fix when an error is found", async () => {
    const r = await onFixture("ports-service-target", []);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^delivery doctor \S+, helm v\S+, Kubernetes 1\.33\.4\nSEVERITY\s+LOCATION\s+RULE\s+MESSAGE/);
    expect(r.stdout).toContain("error     chart/templates/service.yaml:14  port/drift");
    expect(r.stdout).toMatch(/fix: Set targetPort/);
    expect(r.stdout).toContain("delivery doctor: 1 error, 0 warnings");
  });

  it("exit 0 when only warnings are found", async () => {
    const r = await onFixture("docker-no-healthcheck", ["--format", "json"]);
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as { findings: Finding[] }).findings.map((f) => f.severity)).toEqual(["warning"]);
  });

  it("--format json prints the findings", async () => {
    const r = await onFixture("hpa-target", ["--format", "json"]);
    const out = JSON.parse(r.stdout) as { versions: RunInfo; findings: Finding[] };
    expect(out.findings).toEqual([expect.objectContaining({ rule: "hpa/missing-target", severity: "error", file: "chart/templates/hpa.yaml", line: 12 })]);
    // The versions it rendered with: the doctor's, helm's and the Kubernetes version.
    expect(out.versions).toEqual({ doctor: DOCTOR_VERSION, helm: expect.stringMatching(/^v\d+\.\d+\.\d+/), kubernetes: DEFAULT_KUBE_VERSION });
  });

  it("--format sarif prints SARIF 2.1.0 with the rule and the location", async () => {
    const r = await onFixture("image-latest", ["--format", "sarif"]);
    const log = JSON.parse(r.stdout) as Log;
    expect(log.version).toBe("2.1.0");
    const run = log.runs[0]!;
    expect(run.tool.driver.rules!.map((x) => x.id)).toEqual(RULES.map((x) => x.id));
    expect(run.results).toHaveLength(1);
    expect(run.tool.driver.version).toBe(DOCTOR_VERSION);
    expect(run.tool.driver.properties).toEqual({ helmVersion: expect.stringMatching(/^v\d+\.\d+\.\d+/), kubernetesVersion: DEFAULT_KUBE_VERSION });
    const res = run.results![0]!;
    expect(res).toMatchObject({ ruleId: "image/mutable-tag", level: "error" });
    expect(run.tool.driver.rules![res.ruleIndex!]!.id).toBe("image/mutable-tag");
    expect(res.locations![0]!.physicalLocation).toEqual({ artifactLocation: { uri: "chart/templates/deployment.yaml" }, region: { startLine: 26 } });
  });

  it("--values files are read and checked (duplicates in a -f file)", async () => {
    const fx = materialize();
    try {
      const { writeFileSync } = await import("node:fs");
      writeFileSync(join(fx.root, "prod.yaml"), "replicaCount: 3\nimage:\n  tag: \"1.0.1\"\nreplicaCount: 4\n");
      const r = await cli(["--chart", "chart", "--values", "prod.yaml", "--dockerfile", "docker/web", "--format", "json"], fx.root);
      expect(r.code).toBe(1);
      expect((JSON.parse(r.stdout) as { findings: Finding[] }).findings.map((f) => `${f.rule} ${f.file}:${f.line}`)).toEqual(["values/duplicate-key prod.yaml:4"]);
    } finally {
      fx.cleanup();
    }
  });

  it("--explain RULE prints why, the fix and an example", async () => {
    const r = await cli(["--explain", "port/drift"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^port\/drift \(error\): /);
    expect(r.stdout).toMatch(/Why: .*\n\nFix: .*\n\nBad:\n {4}.*\n[\s\S]*Good:\n {4}/);
  });

  it.each(RULES.map((r) => r.id))("--explain %s: title, why, fix and a bad and a good example", async (id) => {
    const r = await cli(["--explain", id]);
    expect(r.code).toBe(0);
    const m = /^(.+)\n\nWhy: (.+)\n\nFix: (.+)\n\nBad:\n((?: {4}.*\n)+)\nGood:\n((?: {4}.*\n)+)$/.exec(r.stdout);
    expect(m, r.stdout).not.toBeNull();
    expect(m![1]).toMatch(new RegExp(`^${id.replace("/", "\\/")} \\((error|warning)\\): .{8,}`));
    expect(m![2]!.length).toBeGreaterThan(40);
    expect(m![3]!.length).toBeGreaterThan(20);
  });

  it.each([
    [["--explain", "nope/rule"], /no such rule; use one of: chart\/render-failed/],
    [[], /--chart PATH is required/],
    [["--chart", "helm/todo-app", "--format", "xml"], /--format xml: use table, json, sarif or github/],
    [["--chart", "does/not/exist"], /not a chart directory \(no Chart.yaml there\); pass the directory that holds Chart.yaml/],
    [["--chart", "helm/todo-app", "--values", "missing.yaml"], /--values file .*missing.yaml does not exist/],
    [["--chart", "helm/todo-app", "--dockerfile", "nope/Dockerfile"], /--dockerfile .*nope\/Dockerfile does not exist/],
    [["--chart", "helm/todo-app", "--bogus"], /Unknown option '--bogus'/],
    [["--chart", "helm/todo-app", "--source", "no/such/dir"], /--source no\/such\/dir is not a directory; pass the app's source directory/],
  ])("bad usage %j exits 2 naming the fix", async (argv, message) => {
    const r = await cli(argv);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).toContain(USAGE);
  });

  it("works on a repository without todo.config.yaml (runs from the fixture directory)", async () => {
    const r = await onFixture("probe-unconfirmed", ["--format", "json"]);
    expect((JSON.parse(r.stdout) as { findings: Finding[] }).findings.map((f) => f.rule)).toEqual(["probe/unconfirmed-path"]);
  });

  it("npm run pipeline:doctor exits 1 on an error and prints the table (real process, real helm)", async () => {
    const fx = materialize("container-root");
    try {
      const r = await execa("npm", ["run", "-s", "pipeline:doctor", "--", "--chart", join(fx.root, "chart"), "--dockerfile", join(fx.root, "docker/web/Dockerfile")], { cwd: REPO_ROOT, reject: false });
      expect(r.exitCode).toBe(1);
      expect(r.stdout).toContain("container/runs-as-root");
      expect(r.stdout).toContain(`${join(fx.root, "chart/templates/deployment.yaml")}:21`);
    } finally {
      fx.cleanup();
    }
  }, 60_000);

  it("npm run pipeline:doctor on our own chart and Dockerfiles exits 0", async () => {
    const r = await execa("npm", ["run", "-s", "pipeline:doctor", "--", "--chart", "helm/todo-app", "--dockerfile", "docker/backend/Dockerfile", "--dockerfile", "docker/frontend/Dockerfile"], { cwd: REPO_ROOT, reject: false });
    expect(r.stdout).toMatch(/^delivery doctor \S+, helm v\S+, Kubernetes 1\.33\.4\ndelivery doctor: no findings$/);
    expect(r.exitCode).toBe(0);
  }, 60_000);
});
