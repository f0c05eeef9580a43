import { describe, expect, it } from "vitest";
import { manifestsFromText, mergeValues, PLACEHOLDER, renderTemplateAsText } from "./text-render.js";

const ctx = {
  values: mergeValues([
    { image: { repository: "acme/web", tag: "" }, port: 8080, probes: { enabled: false }, resources: { limits: { memory: "1Gi" } }, ingress: { enabled: true } },
    { image: { tag: "2.0" }, ingress: { enabled: false } },
  ]),
  chart: { name: "web", version: "0.1.0", appVersion: "1.0" },
};

describe("reading a template as text", () => {
  const t = {
    file: "t.yaml",
    rel: "templates/t.yaml",
    text: [
      "apiVersion: apps/v1", // 1
      "kind: Deployment", // 2
      "metadata:", // 3
      "  name: {{ include \"web.fullname\" . }}", // 4
      "spec:", // 5
      "  template:", // 6
      "    spec:", // 7
      "      containers:", // 8
      "        - name: {{ .Chart.Name }}", // 9
      "          image: \"{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}\"", // 10
      "          {{- if .Values.probes.enabled }}", // 11
      "          livenessProbe: { httpGet: { path: /x, port: http } }", // 12
      "          {{- else }}", // 13
      "          readinessProbe: { httpGet: { path: /y, port: {{ .Values.port }} } }", // 14
      "          {{- end }}", // 15
      "          resources:", // 16
      "            {{- toYaml .Values.resources | nindent 12 }}", // 17
      "          env:", // 18
      "            - name: PORT", // 19
      "              value: {{ .Values.port | quote }}", // 20
    ].join("\n"),
  };

  it("fills values (later files win), .Chart, defaults and quote; decides simple if/else; expands toYaml", () => {
    const [m] = manifestsFromText(t, ctx);
    const c = (m!.obj as any).spec.template.spec.containers[0];
    expect(m!.partial).toBe(true);
    // The name comes from an include: shown as a template action, never as the placeholder.
    expect(m!.name).toBe("{{…}}");
    expect((m!.obj as any).metadata.name).toBe(PLACEHOLDER);
    expect(c.name).toBe("web");
    expect(c.image).toBe("acme/web:2.0");
    expect(c.livenessProbe).toBeUndefined();
    expect(c.readinessProbe).toEqual({ httpGet: { path: "/y", port: 8080 } });
    expect(c.resources).toEqual({ limits: { memory: "1Gi" } });
    expect(c.env).toEqual([{ name: "PORT", value: "8080" }]);
  });

  it("maps lines back to the template (expanded toYaml lines map to the toYaml line)", () => {
    const [m] = manifestsFromText(t, ctx);
    const base = ["spec", "template", "spec", "containers", 0];
    expect(m!.locate([...base, "readinessProbe", "httpGet", "path"]).line).toBe(14);
    expect(m!.locate([...base, "resources", "limits", "memory"]).line).toBe(17);
    expect(m!.locate([...base, "env", 0, "value"]).line).toBe(20);
  });

  it("a file wrapped in a false `if` renders nothing; unknown conditions keep the first branch only", () => {
    const wrapped = { file: "i.yaml", rel: "templates/i.yaml", text: "{{- if .Values.ingress.enabled }}\nkind: Ingress\nmetadata: { name: x }\n{{- end }}" };
    expect(manifestsFromText(wrapped, ctx)).toEqual([]);
    const unknown = renderTemplateAsText({ file: "u", rel: "templates/u.yaml", text: "{{- if include \"x\" . }}\na: 1\n{{- else }}\na: 2\n{{- end }}" }, ctx);
    expect(unknown.text).toBe("a: 1");
  });
});
