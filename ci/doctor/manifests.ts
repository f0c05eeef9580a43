// Kubernetes objects from `helm template` output, each able to say where one
// of its keys came from: the template line when the key is written there,
// else the nearest enclosing key that is (keys injected by `include` point at
// the line that includes them), else the line of the rendered text.
import { isMap, LineCounter, parseAllDocuments, type Document } from "yaml";
import type { Location, Manifest, Path, TemplateFile, YamlFile } from "./types.js";
import { lineAt, lineOfPath, nodeAt } from "./yaml-source.js";

const TEMPLATE_ONLY = /^\s*\{\{.*\}\}\s*$/;
const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");

interface Segment {
  start: number;
  end: number;
}

function segmentsOf(lines: string[]): Segment[] {
  const segs: Segment[] = [];
  let start = 0;
  lines.forEach((l, i) => {
    if (/^---\s*$/.test(l)) {
      segs.push({ start, end: i });
      start = i + 1;
    }
  });
  segs.push({ start, end: lines.length });
  return segs.filter((s) => lines.slice(s.start, s.end).some((l) => /^\s*kind\s*:/.test(l) || /^\s*apiVersion\s*:/.test(l) || /include|template/.test(l)));
}

/** The template line a key path most likely came from (undefined when not even the first key is written there). */
export function traceInTemplate(text: string, path: Path, opts: TraceOptions = {}): number | undefined {
  return traceDetailed(text, path, opts).line;
}

interface TraceOptions {
  kind?: string;
  docIndex?: number;
  docCount?: number;
  /** Position of the object among the rendered objects of its kind from this template, and how many there are. */
  kindIndex?: number;
  kindCount?: number;
  /** Words of the rendered object's values: pick, among documents of one kind, the one that writes most of them. */
  words?: ReadonlySet<string>;
}

/** The words (3+ characters) of an object's string values and keys. */
export function wordsOf(obj: unknown, out = new Set<string>()): Set<string> {
  if (typeof obj === "string") {
    for (const w of obj.split(/[^A-Za-z0-9_]+/)) if (w.length >= 3) out.add(w);
  } else if (Array.isArray(obj)) {
    obj.forEach((v) => wordsOf(v, out));
  } else if (obj && typeof obj === "object") {
    for (const [k, v] of Object.entries(obj)) {
      wordsOf(k, out);
      wordsOf(v, out);
    }
  }
  return out;
}

/** The traced line and how many keys of the path were found written in the template. */
export function traceDetailed(text: string, path: Path, opts: TraceOptions = {}): { line?: number; consumed: number } {
  const lines = text.split(/\r?\n/);
  let seg: Segment = { start: 0, end: lines.length };
  const segs = segmentsOf(lines);
  // The object's own kind (at the document's top level; a nested roleRef/scaleTargetRef kind is not it), else any `kind:` line.
  const writesKind = (s: Segment, top: boolean) => lines.slice(s.start, s.end).some((l) => new RegExp(`^${top ? "" : "\\s*"}kind\\s*:\\s*["']?${escapeRe(opts.kind!)}["']?\\s*$`).test(l));
  let byKind: Segment[] = [];
  if (opts.kind && segs.length > 1) {
    byKind = segs.filter((s) => writesKind(s, true));
    if (byKind.length === 0) byKind = segs.filter((s) => writesKind(s, false));
  }
  // helm prints a file's objects sorted by kind (a PersistentVolumeClaim before the StatefulSet written above it),
  // so the n-th rendered document is not the n-th written one: match by kind first, then by position among that kind.
  if (byKind.length === 1) seg = byKind[0]!;
  else if (byKind.length > 1 && opts.kindIndex !== undefined && byKind.length === opts.kindCount) seg = byKind[opts.kindIndex]!;
  else if (byKind.length === 0 && opts.docIndex !== undefined && segs.length > 1 && segs.length === opts.docCount) seg = segs[opts.docIndex]!;
  else if (byKind.length > 1) {
    if (opts.words) {
      // Several documents of this kind and not all rendered (an `if` left one out): the one whose text
      // writes most of the object's words, not the first (which may be the one helm left out).
      const score = (sg: Segment) => new Set(lines.slice(sg.start, sg.end).join("\n").split(/[^A-Za-z0-9_]+/).filter((w) => opts.words!.has(w))).size;
      seg = byKind.reduce((best, sg) => (score(sg) > score(best) ? sg : best));
    }
  }
  const indentOf = (l: string) => /^\s*/.exec(l)![0].length;
  const isContent = (l: string) => l.trim() !== "" && !/^\s*#/.test(l) && !TEMPLATE_ONLY.test(l);
  let pos = seg.start;
  let parentIndent = -1;
  let found: number | undefined;
  let consumed = 0;
  for (const key of path) {
    let hit: number | undefined;
    if (typeof key === "string") {
      const re = new RegExp(`^(\\s*(?:-\\s+)?)["']?${escapeRe(key)}["']?\\s*:(\\s|$)`);
      for (let i = pos; i < seg.end; i++) {
        const l = lines[i]!;
        if (!isContent(l)) continue;
        const m = re.exec(l);
        const keyIndent = m ? m[1]!.length : indentOf(l);
        if (m && keyIndent > parentIndent) {
          hit = i;
          parentIndent = keyIndent;
          break;
        }
        // Left the parent's block: the key is not written in this template.
        if (i > pos && indentOf(l) <= parentIndent && !/^\s*-\s/.test(l)) break;
        if (i > pos && indentOf(l) < parentIndent) break;
      }
    } else {
      let count = -1;
      let itemIndent: number | undefined;
      let last: number | undefined;
      // An `include`/`toYaml` line inside the list writes items this text does not show.
      let injected: number | undefined;
      for (let i = pos; i < seg.end; i++) {
        const l = lines[i]!;
        if (TEMPLATE_ONLY.test(l) && /\b(include|toYaml|tpl)\b/.test(l) && i > pos && (itemIndent === undefined || indentOf(l) >= itemIndent)) injected = i;
        if (!isContent(l)) continue;
        const ind = indentOf(l);
        if (ind < parentIndent || (ind === parentIndent && !/^\s*-\s/.test(l) && i > pos)) break;
        if (/^\s*-(\s|$)/.test(l) && (itemIndent === undefined || ind === itemIndent)) {
          itemIndent = ind;
          count++;
          last = i;
          if (count === key) break;
        }
      }
      if (count < key && injected !== undefined && (last === undefined || injected > last)) {
        // The item comes from the include after the items written here: point at the including line.
        found = injected + 1;
        consumed++;
        break;
      }
      // A `range` renders several items from one: use the last item written.
      if (last !== undefined) {
        hit = last;
        parentIndent = itemIndent!;
      }
    }
    if (hit === undefined) break;
    found = hit + 1;
    consumed++;
    pos = typeof key === "number" ? hit : hit + 1;
  }
  return { ...(found !== undefined ? { line: found } : {}), consumed };
}

/**
 * The values path a block is injected from, when the key at `line` (1-based) gets
 * its content from `toYaml .Values.x` (directly or inside `with .Values.x`).
 */
export function injectedValuesPath(text: string, line: number): string[] | undefined {
  const lines = text.split(/\r?\n/);
  const keyLine = lines[line - 1] ?? "";
  const inline = /toYaml\s+\$?\.Values\.([\w.]+)/.exec(keyLine);
  if (inline) return inline[1]!.split(".");
  for (let i = line; i < lines.length && i < line + 2; i++) {
    const l = lines[i]!;
    const m = /toYaml\s+(\$?\.Values\.[\w.]+|\.)\s*\|/.exec(l);
    if (!m) continue;
    if (m[1] !== ".") return m[1]!.replace(/^\$?\.Values\./, "").split(".");
    // `toYaml .` inside `{{- with .Values.x }}` just above the key.
    for (let j = line - 2; j >= 0 && j >= line - 3; j--) {
      const w = /\{\{-?\s*with\s+\$?\.Values\.([\w.]+)\s*-?\}\}/.exec(lines[j]!);
      if (w) return w[1]!.split(".");
    }
    return undefined;
  }
  return undefined;
}

export interface RenderedOptions {
  /** Where the findings of objects with no traceable template go. */
  renderedFile: string;
  /** Chart templates (rel = path inside the chart). */
  templates: readonly TemplateFile[];
  /** Values files in helm's order (later wins): blocks a template copies with toYaml are located in them. */
  valuesFiles?: readonly YamlFile[];
}

/** The line of a key path in the last values file that sets it (the one helm used). */
function locateInValues(files: readonly YamlFile[], path: Path): Location | undefined {
  for (const f of [...files].reverse()) {
    for (const d of f.docs) {
      if (nodeAt(d, path) !== undefined) return { file: f.file, line: lineOfPath(d, f.lineCounter, path) };
    }
  }
  return undefined;
}

/** Parses `helm template` output into manifests that locate their keys in the chart's templates. */
export function manifestsFromRendered(rendered: string, opts: RenderedOptions): Manifest[] {
  const lc = new LineCounter();
  const docs = parseAllDocuments(rendered, { lineCounter: lc, uniqueKeys: false });
  if (!Array.isArray(docs)) return [];
  const lines = rendered.split(/\r?\n/);
  const sourceAt = (line: number): string | undefined => {
    for (let i = line - 1; i >= 0; i--) {
      const m = /^# Source: (.+)$/.exec(lines[i]!);
      if (m) return m[1]!.trim();
      if (/^---/.test(lines[i]!) && i < line - 1) return undefined;
    }
    return undefined;
  };
  const parsed = docs
    .filter((d) => isMap(d.contents))
    .map((doc) => {
      const startLine = lineAt(lc, doc.contents!.range![0]);
      const source = sourceAt(startLine);
      const rel = source?.split("/").slice(1).join("/");
      return { doc, rel, obj: doc.toJS() as Record<string, unknown> };
    });
  const perSource = new Map<string, number>();
  const perKind = new Map<string, number>();
  const kindKey = (rel: string, obj: Record<string, unknown>) => `${rel}\0${String(obj.kind ?? "")}`;
  for (const p of parsed) {
    if (!p.rel) continue;
    perSource.set(p.rel, (perSource.get(p.rel) ?? 0) + 1);
    perKind.set(kindKey(p.rel, p.obj), (perKind.get(kindKey(p.rel, p.obj)) ?? 0) + 1);
  }
  const seen = new Map<string, number>();
  const seenKind = new Map<string, number>();
  return parsed.map(({ doc, rel, obj }) => {
    const template = rel ? opts.templates.find((t) => t.rel === rel) : undefined;
    const docIndex = rel ? (seen.get(rel) ?? 0) : 0;
    if (rel) seen.set(rel, docIndex + 1);
    const kk = rel ? kindKey(rel, obj) : "";
    const kindIndex = seenKind.get(kk) ?? 0;
    if (rel) seenKind.set(kk, kindIndex + 1);
    const kind = String(obj.kind ?? "");
    const words = wordsOf(obj);
    return makeManifest(obj, doc, (path) => {
      if (template) {
        const t = traceDetailed(template.text, path, { kind, docIndex, docCount: perSource.get(rel!) ?? 1, kindIndex, kindCount: perKind.get(kk) ?? 1, words });
        // A block copied from values with toYaml: the key is written in the values file, point there.
        if (t.line !== undefined && t.consumed < path.length && opts.valuesFiles?.length) {
          const vpath = injectedValuesPath(template.text, t.line);
          if (vpath) {
            const at = locateInValues(opts.valuesFiles, [...vpath, ...path.slice(t.consumed)]);
            if (at) return at;
          }
        }
        return { file: template.file, line: t.line ?? 1 };
      }
      return { file: opts.renderedFile, line: lineOfPath(doc, lc, path) };
    });
  });
}

function makeManifest(obj: Record<string, unknown>, _doc: Document, locate: (p: Path) => Location): Manifest {
  const meta = (obj.metadata ?? {}) as Record<string, unknown>;
  return { kind: String(obj.kind ?? ""), name: String(meta.name ?? ""), obj, locate };
}

/** Manifests from YAML files read as they are (a template with no template actions, or any plain manifest file). */
export function manifestsFromPlainYaml(file: string, text: string): Manifest[] {
  const lc = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: lc, uniqueKeys: false });
  if (!Array.isArray(docs)) return [];
  return docs
    .filter((d) => d.errors.length === 0 && isMap(d.contents))
    .map((doc) => makeManifest(doc.toJS() as Record<string, unknown>, doc, (path) => ({ file, line: lineOfPath(doc, lc, path) })));
}

/** helm rendered text that is not YAML (a template printing a bad indent): the first error, naming the template. */
export function renderedYamlError(rendered: string): string | undefined {
  const docs = parseAllDocuments(rendered, { uniqueKeys: false });
  for (const d of Array.isArray(docs) ? docs : []) {
    if (d.errors.length === 0) continue;
    const before = rendered.slice(0, d.errors[0]!.pos[0]);
    const source = [...before.matchAll(/^# Source: (.+)$/gm)].pop()?.[1]?.trim();
    return `rendered YAML from ${source ?? "(unknown template)"} is invalid: ${d.errors[0]!.message.split("\n")[0]}`;
  }
  return undefined;
}
