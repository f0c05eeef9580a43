// Parses `helm template` output into objects, keeping each one's template path.
import { parseDocument } from "yaml";
import type { Manifest } from "./types.js";

export class ManifestParseError extends Error {}

/** Splits a multi-document YAML stream; empty documents are dropped, YAML errors name the template. */
export function parseManifests(text: string): Manifest[] {
  const out: Manifest[] = [];
  // helm prints "---\n# Source: chart/templates/x.yaml\n<object>"; a column-0 "---" always ends a document.
  for (const chunk of text.split(/^---[ \t]*(?:#.*)?$/m)) {
    const source = /^# Source: (.+)$/m.exec(chunk)?.[1]?.trim();
    const doc = parseDocument(chunk, { uniqueKeys: true });
    if (doc.errors.length > 0) {
      throw new ManifestParseError(`rendered YAML from ${source ?? "(unknown template)"} is invalid: ${doc.errors[0]!.message}`);
    }
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) continue;
    if (typeof value !== "object" || Array.isArray(value)) {
      throw new ManifestParseError(`rendered document from ${source ?? "(unknown template)"} is not an object`);
    }
    Object.defineProperty(value, "__source", { value: source, enumerable: false });
    out.push(value as Manifest);
  }
  return out;
}

/**
 * Parses a values (or Chart.yaml) file strictly: helm silently keeps the last of
 * two equal keys, so a duplicate is an error here, named with file and line.
 */
export function parseValuesFile(text: string, file: string): unknown {
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    const line = e.linePos?.[0]?.line;
    throw new ManifestParseError(`${file}${line ? `:${line}` : ""}: ${e.message.split("\n")[0]}${e.code === "DUPLICATE_KEY" ? " (helm would silently keep the last one; remove the duplicate)" : ""}`);
  }
  return doc.toJS();
}
