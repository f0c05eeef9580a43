// Without helm: a cautious reading of templates as text. Values, .Chart and
// .Release references are filled in, simple `if`/`with` blocks on values are
// decided, `toYaml .Values.x | nindent N` is expanded; anything else becomes a
// placeholder the rules skip. Lines map back to the template. Manifests made
// this way are `partial`: rules that compare fields across objects skip them.
import { isMap, LineCounter, parseAllDocuments, stringify } from "yaml";
import type { Manifest, Path, TemplateFile } from "./types.js";
import { lineOfPath } from "./yaml-source.js";

export const PLACEHOLDER = "__tpl__";
export const isPlaceholder = (v: unknown): boolean => typeof v === "string" && v.includes(PLACEHOLDER);

export interface TextContext {
  values: Record<string, unknown>;
  chart: { name: string; version: string; appVersion: string };
}

type Tri = boolean | undefined;

function valuesPath(expr: string): string[] | undefined {
  const m = /^\$?\.Values((?:\.[\w-]+)*)$/.exec(expr.trim());
  return m ? m[1]!.split(".").filter(Boolean) : undefined;
}

function lookup(ctx: TextContext, path: string[]): unknown {
  let v: unknown = ctx.values;
  for (const k of path) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<string, unknown>)[k];
  }
  return v;
}

const truthy = (v: unknown): boolean => !(v === undefined || v === null || v === false || v === 0 || v === "" || (Array.isArray(v) && v.length === 0) || (typeof v === "object" && v !== null && Object.keys(v).length === 0));

/** Value of a simple term: .Values.x, .Chart.*, .Release.*, a literal; undefined when unknown. */
function term(ctx: TextContext, t: string): { v: unknown } | undefined {
  const s = t.trim();
  const vp = valuesPath(s);
  if (vp) return { v: lookup(ctx, vp) };
  const known: Record<string, unknown> = { ".Chart.Name": ctx.chart.name, ".Chart.Version": ctx.chart.version, ".Chart.AppVersion": ctx.chart.appVersion, ".Release.Name": "release", ".Release.Namespace": "default" };
  if (s.replace(/^\$/, "") in known) return { v: known[s.replace(/^\$/, "")] };
  if (/^"(?:[^"\\]|\\.)*"$/.test(s)) return { v: JSON.parse(s) as string };
  if (/^-?\d+(\.\d+)?$/.test(s)) return { v: Number(s) };
  if (s === "true" || s === "false") return { v: s === "true" };
  return undefined;
}

function condition(ctx: TextContext, expr: string): Tri {
  const s = expr.trim();
  const not = /^not\s+(.+)$/.exec(s);
  if (not) {
    const t = term(ctx, not[1]!);
    return t ? !truthy(t.v) : undefined;
  }
  const t = term(ctx, s);
  return t ? truthy(t.v) : undefined;
}

/** An inline action's text: a term piped through a few string functions, else a placeholder. */
function evalInline(ctx: TextContext, action: string): string {
  const [head, ...pipes] = action.split("|").map((p) => p.trim());
  const t = term(ctx, head!);
  if (!t) return PLACEHOLDER;
  let v = t.v;
  let quoted = false;
  for (const p of pipes) {
    const d = /^default\s+(.+)$/.exec(p);
    if (d) {
      const dv = term(ctx, d[1]!);
      if (!dv) return PLACEHOLDER;
      if (!truthy(v)) v = dv.v;
    } else if (p === "quote" || p === "squote") quoted = true;
    else if (p === "int" || p === "int64") v = Math.trunc(Number(v));
    else if (p === "toString") v = String(v ?? "");
    else if (p === "lower" || p === "upper" || p === "trim") v = p === "lower" ? String(v).toLowerCase() : p === "upper" ? String(v).toUpperCase() : String(v).trim();
    else return PLACEHOLDER;
  }
  if (v !== null && typeof v === "object") return PLACEHOLDER;
  const s = v === undefined || v === null ? "" : String(v);
  return quoted ? JSON.stringify(s) : s;
}

interface Block {
  kind: string;
  active: boolean;
  taken: boolean;
  withPath?: string[];
}

export function renderTemplateAsText(t: TemplateFile, ctx: TextContext): { text: string; lineMap: number[] } {
  // Comments go, keeping line count.
  const src = t.text.replace(/\{\{-?\s*\/\*[\s\S]*?\*\/\s*-?\}\}/g, (m) => "\n".repeat(m.split("\n").length - 1));
  const out: string[] = [];
  const lineMap: number[] = [];
  const stack: Block[] = [];
  const active = () => stack.every((b) => b.active);
  const withPath = () => [...stack].reverse().find((b) => b.kind === "with")?.withPath;
  src.split(/\r?\n/).forEach((line, i) => {
    const only = /^\s*\{\{-?\s*(.*?)\s*-?\}\}\s*$/.exec(line);
    if (only && !/\}\}.*\{\{/.test(line)) {
      const a = only[1]!;
      let m: RegExpExecArray | null;
      if ((m = /^if\s+(.+)$/.exec(a))) {
        const c = condition(ctx, m[1]!);
        stack.push({ kind: "if", active: c !== false, taken: c !== false });
      } else if ((m = /^else(?:\s+if\s+(.+))?$/.exec(a))) {
        const b = stack[stack.length - 1];
        if (b) {
          const c = m[1] ? condition(ctx, m[1]) : true;
          // An undecidable branch before: keep only the first branch.
          b.active = !b.taken && c !== false;
          b.taken ||= b.active;
        }
      } else if ((m = /^with\s+(.+)$/.exec(a))) {
        const vp = valuesPath(m[1]!);
        const c = condition(ctx, m[1]!);
        stack.push({ kind: "with", active: c !== false, taken: c !== false, ...(vp ? { withPath: vp } : {}) });
      } else if (/^(range|define|block)\b/.test(a)) {
        stack.push({ kind: a.split(/\s/)[0]!, active: !/^(define|block)/.test(a), taken: true });
      } else if (a === "end") {
        stack.pop();
      } else if (active() && (m = /^toYaml\s+(\S+)\s*\|\s*nindent\s+(\d+)$/.exec(a))) {
        const path = m[1] === "." ? withPath() : valuesPath(m[1]!);
        const v = path ? lookup(ctx, path) : undefined;
        if (path && v !== undefined && v !== null && typeof v === "object") {
          const indent = " ".repeat(Number(m[2]));
          for (const l of stringify(v).trimEnd().split("\n")) {
            out.push(indent + l);
            lineMap.push(i + 1);
          }
        }
      }
      return;
    }
    if (!active()) return;
    out.push(line.replace(/\{\{-?\s*(.*?)\s*-?\}\}/g, (_m, a: string) => evalInline(ctx, a)));
    lineMap.push(i + 1);
  });
  return { text: out.join("\n"), lineMap };
}

/** Manifests of one template read as text (partial: placeholders where it could not tell). */
export function manifestsFromText(t: TemplateFile, ctx: TextContext): Manifest[] {
  const { text, lineMap } = renderTemplateAsText(t, ctx);
  const lc = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: lc, uniqueKeys: false });
  if (!Array.isArray(docs)) return [];
  return docs
    .filter((d) => d.errors.length === 0 && isMap(d.contents))
    .map((doc) => {
      const obj = doc.toJS() as Record<string, unknown>;
      const meta = (obj.metadata ?? {}) as Record<string, unknown>;
      return {
        kind: String(obj.kind ?? ""),
        // A name helm would compute (an include) is shown as the template action it is, never as the placeholder.
        name: String(meta.name ?? "").split(PLACEHOLDER).join("{{…}}"),
        obj,
        partial: true,
        locate: (path: Path) => ({ file: t.file, line: lineMap[lineOfPath(doc, lc, path) - 1] ?? 1 }),
      };
    })
    .filter((m) => m.kind !== "" && !isPlaceholder(m.kind));
}

/** Values files merged as helm does (maps deep-merged, later files win). */
export function mergeValues(docs: readonly unknown[]): Record<string, unknown> {
  const merge = (a: unknown, b: unknown): unknown => {
    if (a && b && typeof a === "object" && typeof b === "object" && !Array.isArray(a) && !Array.isArray(b)) {
      const out: Record<string, unknown> = { ...(a as Record<string, unknown>) };
      for (const [k, v] of Object.entries(b as Record<string, unknown>)) out[k] = v === null ? undefined : merge(out[k], v);
      return out;
    }
    return b === undefined ? a : b;
  };
  return docs.reduce<Record<string, unknown>>((acc, d) => merge(acc, d) as Record<string, unknown>, {});
}
