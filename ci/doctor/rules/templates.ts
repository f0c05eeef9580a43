// Template text: hard-coded namespaces, %d on numbers from values, `default true` on booleans.
import type { Finding, Rule, TemplateFile } from "../types.js";
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
        if (m) out.push(finding(this, { file: t.file, line: i + 1 }, `namespace "${m[2]}" is written into the template; the release's namespace is ignored`));
      });
    }
    return out;
  },
};

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
