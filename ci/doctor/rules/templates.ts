// Template text: hard-coded namespaces, %d on numbers from values, `default true` on booleans.
import type { DoctorInputs, Finding, Rule, TemplateFile } from "../types.js";
import { finding } from "./finding.js";

/** Template actions ({{ … }}) with the line each starts on. */
export function actions(t: TemplateFile): Array<{ text: string; line: number }> {
  const out: Array<{ text: string; line: number }> = [];
  for (const m of t.text.matchAll(/\{\{(.*?)\}\}/gs)) {
    if (/^-?\s*\/\*/.test(m[1]!)) continue; // {{/* comment */}}
    out.push({ text: m[1]!, line: t.text.slice(0, m.index).split("\n").length });
  }
  return out;
}

export const hardCodedNamespace: Rule = {
  id: "namespace/hard-coded",
  severity: "error",
  title: "Hard-coded namespace in a template",
  why: "`helm install -n other` then puts part of the release in another namespace: objects miss each other, and a second install collides with the first.",
  fix: "Use `namespace: {{ .Release.Namespace }}` or leave metadata.namespace out (helm sets it).",
  example: { bad: "metadata:\n  namespace: production", good: "metadata:\n  namespace: {{ .Release.Namespace }}" },
  check(inputs) {
    const out: Finding[] = [];
    for (const t of inputs.templates) {
      if (!/\.(ya?ml|tpl)$/.test(t.rel) || /(^|\/)NOTES\.txt$/.test(t.rel)) continue;
      t.text.split(/\r?\n/).forEach((l, i) => {
        const m = /^\s*namespace\s*:\s*(["']?)([^"'\s#{][^"'\s#]*)\1\s*(#.*)?$/.exec(l);
        if (!m) return;
        // Kubernetes makes a RoleBinding live in the namespace of the Role it references: pinning it there is required.
        if (foreignRoleOfBinding(t, i, inputs) !== undefined) return;
        out.push(finding(this, { file: t.file, line: i + 1 }, `namespace "${m[2]}" is written into the template; the release's namespace is ignored`));
      });
    }
    return out;
  },
};

/**
 * When line `at` (0-based) is metadata.namespace of a RoleBinding whose roleRef is a
 * Role with a literal name that the chart does not create (one kept in another
 * namespace, e.g. kube-system's extension-apiserver-authentication-reader), that name.
 */
export function foreignRoleOfBinding(t: TemplateFile, at: number, inputs: DoctorInputs): string | undefined {
  const lines = t.text.split(/\r?\n/);
  const isSep = (l: string) => /^---\s*$/.test(l);
  let start = at;
  while (start > 0 && !isSep(lines[start - 1]!)) start--;
  let end = at;
  while (end + 1 < lines.length && !isSep(lines[end + 1]!)) end++;
  const doc = lines.slice(start, end + 1);
  const indent = (l: string) => /^\s*/.exec(l)![0].length;
  // Lines that are YAML (not blank, not a template action or comment alone).
  const yamlLine = (l: string) => l.trim() !== "" && !/^\s*(#|\{\{.*\}\}\s*$)/.test(l);
  const own = at - start;
  const parent = doc.slice(0, own).reverse().find((l) => yamlLine(l) && indent(l) < indent(doc[own]!));
  if (parent === undefined || !/^metadata:\s*$/.test(parent)) return undefined;
  if (!doc.some((l) => /^kind:\s*["']?RoleBinding["']?\s*$/.test(l))) return undefined;
  const ref = doc.findIndex((l) => /^roleRef:\s*$/.test(l));
  if (ref < 0) return undefined;
  const block: string[] = [];
  for (const l of doc.slice(ref + 1)) {
    if (yamlLine(l) && indent(l) === 0) break;
    block.push(l);
  }
  if (!block.some((l) => /^\s+kind:\s*["']?Role["']?\s*$/.test(l))) return undefined;
  const name = block.map((l) => /^\s+name:\s*["']?([^"'\s{}#]+)["']?\s*(#.*)?$/.exec(l)?.[1]).find((n) => n !== undefined);
  if (name === undefined) return undefined;
  // A Role the chart makes itself is in the release's namespace, so the binding belongs there too.
  if (inputs.manifests.some((o) => o.kind === "Role" && o.name === name)) return undefined;
  return name;
}

export const printfInt: Rule = {
  id: "template/printf-int",
  severity: "error",
  title: "printf %d on a number from values",
  why: "Numbers in values arrive as float64, so `printf \"%d\" .Values.port` renders `%!d(float64=8080)`: a broken URL or port that helm lint accepts.",
  fix: "Convert first: `printf \"%d\" (int .Values.port)`, or use %v.",
  example: { bad: "value: {{ printf \"http://api:%d\" .Values.port }}", good: "value: {{ printf \"http://api:%d\" (int .Values.port) }}" },
  check(inputs) {
    const out: Finding[] = [];
    for (const t of inputs.templates) {
      // Variables holding values (`$c := .Values.backend`, then `$c.port`) carry floats too; a range index does not.
      const fromValues = new Set([...t.text.matchAll(/\$(\w+)\s*:?=\s*(?:index\s+)?\$?\.Values\b/g)].map((m) => m[1]!));
      for (const a of actions(t)) {
        if (!/\bprintf\s+"[^"]*%[-+# 0-9]*d/.test(a.text)) continue;
        if (/\b(int|int64|len|atoi)\b/.test(a.text)) continue;
        const usesValues = /(^|[\s(])\$?\.Values\b/.test(a.text) || [...a.text.matchAll(/\$(\w+)/g)].some((m) => fromValues.has(m[1]!));
        if (!usesValues) continue;
        out.push(finding(this, { file: t.file, line: a.line }, `{{${a.text.trim()}}} formats with %d; a number from values is a float64 and renders as %!d(float64=…)`));
      }
    }
    return out;
  },
};

export const defaultTrue: Rule = {
  id: "template/default-true",
  severity: "error",
  title: "`default true` on a boolean",
  why: "`default` treats false as empty, so `.Values.x | default true` is true even when the user sets x: false; the option can never be turned off.",
  fix: "Use `ternary` / hasKey: `{{ if hasKey .Values \"x\" }}{{ .Values.x }}{{ else }}true{{ end }}`, or put the default in values.yaml and drop `default`.",
  example: { bad: "automountServiceAccountToken: {{ .Values.automount | default true }}", good: "automountServiceAccountToken: {{ .Values.automount }}   # values.yaml: automount: true" },
  check(inputs) {
    const out: Finding[] = [];
    for (const t of inputs.templates) {
      for (const a of actions(t)) {
        if (/\bdefault\s+true\b/.test(a.text)) out.push(finding(this, { file: t.file, line: a.line }, `{{${a.text.trim()}}}: false is "empty" to default, so the value can never be false`));
      }
    }
    return out;
  },
};
