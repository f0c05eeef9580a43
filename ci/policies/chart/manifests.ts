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
