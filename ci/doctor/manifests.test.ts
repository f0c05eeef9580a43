import { describe, expect, it } from "vitest";
import { manifestsFromRendered, traceInTemplate } from "./manifests.js";

const template = [
  "{{- range $c := list \"a\" \"b\" }}", // 1
  "---", // 2
  "apiVersion: v1", // 3
  "kind: Service", // 4
  "metadata:", // 5
  "  name: {{ $c }}", // 6
  "  labels:", // 7
  "    {{- include \"labels\" $ | nindent 4 }}", // 8
  "spec:", // 9
  "  ports:", // 10
  "    - name: http", // 11
  "      port: 80", // 12
  "      targetPort: http", // 13
  "{{- end }}", // 14
].join("\n");

describe("traceInTemplate", () => {
  it("follows the key path through maps and list items", () => {
    expect(traceInTemplate(template, ["spec", "ports", 0, "targetPort"])).toBe(13);
    expect(traceInTemplate(template, ["metadata", "name"])).toBe(6);
  });
  it("items a range renders more than once map to the item written", () => {
    expect(traceInTemplate(template, ["spec", "ports", 3, "port"])).toBe(12);
  });
  it("keys injected by include point at the enclosing key", () => {
    expect(traceInTemplate(template, ["metadata", "labels", "app.kubernetes.io/name"])).toBe(7);
  });
  it("undefined when not even the first key is written", () => {
    expect(traceInTemplate(template, ["data", "x"])).toBeUndefined();
  });
  it("does not take a same-named key from a sibling block", () => {
    const t = ["spec:", "  selector:", "    app: x", "  template:", "    metadata:", "      labels:", "        app: x"].join("\n");
    expect(traceInTemplate(t, ["spec", "template", "metadata", "labels", "app"])).toBe(7);
    expect(traceInTemplate(t, ["spec", "selector", "app"])).toBe(3);
  });
});

describe("manifestsFromRendered", () => {
  const rendered = [
    "---",
    "# Source: web/templates/svc.yaml",
    "apiVersion: v1",
    "kind: Service",
    "metadata:",
    "  name: a",
    "spec:",
    "  ports:",
    "    - name: http",
    "      port: 80",
    "      targetPort: http",
    "---",
    "# Source: web/templates/svc.yaml",
    "apiVersion: v1",
    "kind: Service",
    "metadata:",
    "  name: b",
    "spec:",
    "  ports:",
    "    - port: 81",
    "---",
    "# Source: web/templates/gone.yaml",
    "apiVersion: v1",
    "kind: ConfigMap",
    "metadata:",
    "  name: c",
  ].join("\n");
  const ms = manifestsFromRendered(rendered, { renderedFile: "rendered", templates: [{ file: "chart/templates/svc.yaml", rel: "templates/svc.yaml", text: template }] });

  it("parses each document with its kind and name", () => {
    expect(ms.map((m) => `${m.kind}/${m.name}`)).toEqual(["Service/a", "Service/b", "ConfigMap/c"]);
  });
  it("locates keys in the template named by # Source", () => {
    expect(ms[1]!.locate(["spec", "ports", 0, "port"])).toEqual({ file: "chart/templates/svc.yaml", line: 12 });
  });
  it("falls back to the rendered text when the template is not in the chart", () => {
    expect(ms[2]!.locate(["metadata", "name"])).toEqual({ file: "rendered", line: 26 });
  });
});

describe("blocks copied from values with toYaml", async () => {
  const { injectedValuesPath } = await import("./manifests.js");
  const t = ["      containers:", "        - name: app", "          {{- with .Values.livenessProbe }}", "          livenessProbe:", "            {{- toYaml . | nindent 12 }}", "          {{- end }}", "          resources:", "            {{- toYaml .Values.resources | nindent 12 }}", "          securityContext: {{- toYaml $.Values.sc | nindent 12 }}"].join("\n");
  it("finds the values path of `with .Values.x` + `toYaml .`, of `toYaml .Values.x`, and inline", () => {
    expect(injectedValuesPath(t, 4)).toEqual(["livenessProbe"]);
    expect(injectedValuesPath(t, 7)).toEqual(["resources"]);
    expect(injectedValuesPath(t, 9)).toEqual(["sc"]);
    expect(injectedValuesPath(t, 2)).toBeUndefined();
  });
});
