// YAML with line numbers: documents are kept (not just their data) so every
// rule can point at the line of a key. Duplicate keys are kept too.
import { isMap, isPair, isScalar, isSeq, LineCounter, parseAllDocuments, type Document, type Node } from "yaml";
import type { Path, YamlFile } from "./types.js";

export function parseYamlFile(file: string, text: string): YamlFile {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter, uniqueKeys: false, prettyErrors: false });
  // parseAllDocuments returns an EmptyStream for empty input; treat it as no documents.
  const list = Array.isArray(docs) ? docs : [];
  return { file, text, docs: list as Document.Parsed[], lineCounter };
}

export function lineAt(lc: LineCounter, offset: number): number {
  return lc.linePos(offset).line;
}

/** The node at a key path (last match wins, as in the data). */
export function nodeAt(doc: Document, path: Path): Node | undefined {
  let node: unknown = doc.contents;
  for (const seg of path) {
    if (isMap(node)) {
      const pair = [...node.items].reverse().find((p) => isScalar(p.key) && String(p.key.value) === String(seg));
      node = pair?.value;
    } else if (isSeq(node) && typeof seg === "number") {
      node = node.items[seg];
    } else return undefined;
  }
  return (node ?? undefined) as Node | undefined;
}

/**
 * Line of a key path: the line of the last key found along it (so a path
 * ending in a missing key points at its parent, where the key belongs).
 */
export function lineOfPath(doc: Document, lc: LineCounter, path: Path): number {
  let node: unknown = doc.contents;
  let line = node && (node as Node).range ? lineAt(lc, (node as Node).range![0]) : 1;
  for (const seg of path) {
    if (isMap(node)) {
      const pair = [...node.items].reverse().find((p) => isScalar(p.key) && String(p.key.value) === String(seg));
      if (!pair) break;
      if (isScalar(pair.key) && pair.key.range) line = lineAt(lc, pair.key.range[0]);
      node = pair.value;
    } else if (isSeq(node) && typeof seg === "number") {
      const item = node.items[seg] as Node | undefined;
      if (!item) break;
      if (item.range) line = lineAt(lc, item.range[0]);
      node = item;
    } else break;
  }
  return line;
}

export interface ScalarEntry {
  path: (string | number)[];
  key: string;
  value: unknown;
  line: number;
}

/** Every scalar leaf of a document with its key path and line (duplicates included). */
export function scalarEntries(doc: Document, lc: LineCounter): ScalarEntry[] {
  const out: ScalarEntry[] = [];
  const walk = (node: unknown, path: (string | number)[], key: string): void => {
    if (isMap(node)) {
      for (const p of node.items) {
        if (!isPair(p) || !isScalar(p.key)) continue;
        const k = String(p.key.value);
        if (isScalar(p.value)) {
          out.push({ path: [...path, k], key: k, value: p.value.value, line: lineAt(lc, p.key.range?.[0] ?? 0) });
        } else walk(p.value, [...path, k], k);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => {
        if (isScalar(item)) out.push({ path: [...path, i], key, value: item.value, line: lineAt(lc, item.range?.[0] ?? 0) });
        else walk(item, [...path, i], key);
      });
    }
  };
  walk(doc.contents, [], "");
  return out;
}
