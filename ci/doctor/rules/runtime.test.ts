// The heuristics behind the run-time rules, the start command's port and helm's error locations, case by case.
import { describe, expect, it } from "vitest";
import { parseDockerfile } from "../dockerfile.js";
import { failingTemplate, templateLocation } from "../reader.js";
import type { DoctorInputs } from "../types.js";
import { commandPort } from "./ports.js";
import { manifestsFromPlainYaml } from "../manifests.js";
import { bareNpmTool, commandNotOnPath, commandsOf, noDockerignore, noReadiness } from "./runtime.js";

const inputsWith = (dockerfile: string, dockerignore: string | null = null): DoctorInputs => ({
  chartDir: "c",
  valuesFiles: [],
  templates: [],
  manifests: [],
  complete: true,
  dockerfiles: [parseDockerfile("Dockerfile", dockerfile, dockerignore)],
  externalNames: [],
});

describe("commandPort", () => {
  it.each([
    ["uvicorn app.main:app --host 0.0.0.0 --port 8000", 8000],
    ["gunicorn -b 0.0.0.0:8080 app:app", 8080],
    ["gunicorn --bind=:9000 app:app", 9000],
    ["next start -p 3000", 3000],
    ["node server.js", undefined],
    ["mkdir -p /tmp/x && node server.js", undefined],
  ])("%s → %s", (cmd, port) => {
    expect(commandPort(cmd)).toBe(port);
  });
});

describe("bareNpmTool", () => {
  it.each([
    [["sh", "-c", "next start"], "next"],
    [["/bin/sh", "-c", "prisma migrate deploy && node dist/main.js"], "prisma"],
    [["next", "start"], "next"],
    [["sh", "-c", "npx next start"], undefined],
    [["npm", "run", "start"], undefined],
    [["node_modules/.bin/next", "start"], undefined],
    [["sh", "-c", "PORT=3000 exec next start"], "next"],
  ])("%j → %s", (argv, tool) => {
    expect(bareNpmTool(argv)).toBe(tool);
  });
  it("splits shell lines into the commands they run", () => {
    expect(commandsOf("cd /app && FOO=1 exec node a.js | tee log; echo ok")).toEqual(["cd", "node", "tee", "echo"]);
  });
});

describe("container/command-not-on-path on Dockerfiles", () => {
  const base = "FROM node:22-slim@sha256:" + "a".repeat(64) + "\nWORKDIR /app\nCOPY --from=build /src/node_modules ./node_modules\n";
  const run = (df: string) => commandNotOnPath.check(inputsWith(df)).map((f) => `${f.line} ${f.message.split(" by ")[0]}`);
  it("CMD next start on a Node.js image without node_modules/.bin on PATH", () => {
    expect(run(`${base}CMD ["next", "start"]`)).toEqual(["4 CMD runs `next`"]);
  });
  it.each([
    ["ENV PATH with node_modules/.bin", `${base}ENV PATH=/app/node_modules/.bin:$PATH\nCMD ["next", "start"]`],
    ["a global install", `${base}RUN npm install -g next@15\nCMD ["next", "start"]`],
    ["npm run", `${base}CMD ["npm", "run", "start"]`],
    ["a Go image whose binary is named like a tool", `FROM gcr.io/distroless/static@sha256:${"b".repeat(64)}\nCOPY serve /serve\nCMD ["serve"]`],
  ])("not with %s", (_what, df) => {
    expect(run(df)).toEqual([]);
  });
});

describe("dockerfile/no-dockerignore", () => {
  const df = "FROM node:22-slim@sha256:" + "a".repeat(64) + " AS build\nCOPY . .\nFROM node:22-slim@sha256:" + "a".repeat(64) + "\nCOPY --from=build /app /app\nCOPY ./ /srv\n";
  it("COPY . . and COPY ./ /srv, not COPY --from", () => {
    expect(noDockerignore.check(inputsWith(df)).map((f) => f.line)).toEqual([2, 5]);
  });
  it("nothing with a .dockerignore, or when it is not known whether there is one", () => {
    expect(noDockerignore.check(inputsWith(df, "Dockerfile.dockerignore"))).toEqual([]);
    const unknown = inputsWith(df);
    delete unknown.dockerfiles[0]!.dockerignore;
    expect(noDockerignore.check(unknown)).toEqual([]);
  });
});

describe("where helm says a template failed", () => {
  it.each([
    ["Error: template: web/templates/hpa.yaml:21:40: executing \"web/templates/hpa.yaml\" at <.Values.x.y>: nil pointer", { rel: "templates/hpa.yaml", line: 21 }],
    ["Error: execution error at (web/templates/configmap.yaml:8:17): config.logFormat is required", { rel: "templates/configmap.yaml", line: 8 }],
    ["Error: parse error at (web/charts/db/templates/x.yaml:5): unexpected EOF", { rel: "charts/db/templates/x.yaml", line: 5 }],
  ])("%s", (error, loc) => {
    expect(templateLocation(error)).toEqual(loc);
    expect(failingTemplate(error)).toBe(loc.rel);
  });
  it("an error that names no template (a missing dependency) names none", () => {
    expect(failingTemplate("Error: found in Chart.yaml, but missing in charts/ directory: postgresql")).toBeUndefined();
  });
});

describe("probe/no-readiness", () => {
  const yaml = (svcPorts: string, svcName = "web") =>
    [
      "apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: web }\nspec:\n  selector: { matchLabels: { app: web } }\n  template:\n    metadata: { labels: { app: web } }\n    spec:\n      containers:\n        - name: web\n          image: acme/web:1.0",
      `apiVersion: v1\nkind: Service\nmetadata: { name: ${svcName} }\nspec: { selector: { app: web }, ports: ${svcPorts} }`,
    ].join("\n---\n");
  const run = (y: string) => noReadiness.check({ chartDir: "c", valuesFiles: [], templates: [], manifests: manifestsFromPlainYaml("m.yaml", y), complete: true, dockerfiles: [], externalNames: [] }).map((f) => f.line);
  it("a Service that serves traffic", () => {
    expect(run(yaml("[{ name: http, port: 80 }]"))).toEqual([10]);
  });
  it("not a Service that only exposes metrics (scraped, by name or by its ports' names)", () => {
    expect(run(yaml("[{ name: http, port: 8000 }]", "web-metrics"))).toEqual([]);
    expect(run(yaml("[{ name: http-metrics, port: 8000 }]"))).toEqual([]);
  });
});
