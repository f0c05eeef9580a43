// Values files and Chart.yaml: duplicate keys (the later one silently wins).
import { isMap, isPair, isScalar, isSeq } from "yaml";
import type { Finding, Rule, YamlFile } from "../types.js";
import { lineAt } from "../yaml-source.js";
import { finding } from "./finding.js";
import { templateLocation } from "../reader.js";

function duplicates(f: YamlFile): Array<{ key: string; path: string; line: number; firstLine: number }> {
  const out: Array<{ key: string; path: string; line: number; firstLine: number }> = [];
  const walk = (node: unknown, path: string): void => {
    if (isMap(node)) {
      const seen = new Map<string, number>();
      for (const p of node.items) {
        if (!isPair(p)) continue;
        const key = isScalar(p.key) ? String(p.key.value) : String(p.key);
        const line = lineAt(f.lineCounter, (p.key as { range?: [number, number, number] } | null)?.range?.[0] ?? 0);
        const first = seen.get(key);
        if (first !== undefined) out.push({ key, path: path ? `${path}.${key}` : key, line, firstLine: first });
        else seen.set(key, line);
        walk(p.value, path ? `${path}.${key}` : key);
      }
    } else if (isSeq(node)) node.items.forEach((item, i) => walk(item, `${path}[${i}]`));
  };
  for (const d of f.docs) walk(d.contents, "");
  return out;
}

export const duplicateKey: Rule = {
  id: "values/duplicate-key",
  severity: "error",
  title: "Duplicate key in a values file or Chart.yaml",
  why: "YAML parsers used by helm keep the last of two equal keys without a word, so the first value (often the one someone just edited) silently has no effect.",
  fix: "Delete one of the two keys, keeping the value you mean, and merge their children if both are maps.",
  example: { bad: "backend:\n  port: 8000\n  port: 8080", good: "backend:\n  port: 8000" },
  check(inputs) {
    const files = [...(inputs.chartYaml ? [inputs.chartYaml] : []), ...inputs.valuesFiles];
    const out: Finding[] = [];
    for (const f of files) {
      for (const d of duplicates(f)) {
        out.push(finding(this, { file: f.file, line: d.line }, `"${d.path}" is set again here (first at line ${d.firstLine}); this later value silently wins`));
      }
    }
    return out;
  },
};

export const renderFailed: Rule = {
  id: "chart/render-failed",
  severity: "error",
  title: "helm template fails",
  why: "A chart that does not render cannot be installed; every other manifest rule is blind until it does.",
  fix: "Run the printed `helm template` command and fix the error it names (missing values, a template syntax error, a kubeVersion constraint).",
  example: { bad: "{{ .Values.missing.key }}   # nil pointer evaluating", good: "{{ .Values.missing.key | default \"x\" }}" },
  check(inputs) {
    // A values file or Chart.yaml that is not YAML fails the render too: values/invalid-yaml names the line.
    if (!inputs.renderError || [...(inputs.chartYaml ? [inputs.chartYaml] : []), ...inputs.valuesFiles].some((f) => f.docs.some((d) => d.errors.length > 0))) return [];
    // Each failing template (helm stops at the first; the reader renders again without it to find the next).
    return (inputs.renderErrors?.length ? inputs.renderErrors : [inputs.renderError]).map((error) => {
      // helm names the failing template as <chart>/templates/x.yaml:LINE:COL (or `parse error at (<chart>/x.yaml:LINE)`); point there when we have that file.
      const loc = templateLocation(error);
      const template = loc ? inputs.templates.find((t) => t.rel === loc.rel) : undefined;
      const at = template ? { file: template.file, line: loc!.line } : { file: inputs.chartYaml?.file ?? `${inputs.chartDir}/Chart.yaml`, line: 1 };
      const message = error.trim().split("\n").filter((l) => l.trim() !== "" && !/^Use --debug/.test(l)).slice(0, 3).join(" ");
      // A dependency not vendored (helm dependency build not run) is not the chart's defect: the
      // templates are read as text instead and checked that way, so this is a warning.
      if (/found in Chart\.yaml, but missing in charts\/ directory/.test(error)) {
        return finding(this, at, `helm template failed, so the templates were read as text (values filled in, includes and the dependency left out): ${message}`, { severity: "warning", fix: "Run `helm dependency build` for the chart, then run the doctor again to check the rendered objects too." });
      }
      return finding(this, at, `helm template failed: ${message}`);
    });
  },
};

export const invalidYaml: Rule = {
  id: "values/invalid-yaml",
  severity: "error",
  title: "A values file or Chart.yaml that is not valid YAML",
  why: "helm refuses to load the chart or the values file, so nothing installs; every rule that reads values is blind until it parses.",
  fix: "Fix the YAML at the line named (indentation, an unclosed quote or bracket, a tab).",
  example: { bad: "image:\n  tag: \"1.0", good: "image:\n  tag: \"1.0\"" },
  check(inputs) {
    return [...(inputs.chartYaml ? [inputs.chartYaml] : []), ...inputs.valuesFiles].flatMap((f) =>
      f.docs.flatMap((d) => d.errors.slice(0, 1)).slice(0, 1).map((e) => finding(this, { file: f.file, line: e.linePos?.[0]?.line ?? lineAt(f.lineCounter, e.pos[0]) }, e.message.split("\n")[0]!)),
    );
  },
};
