// Secrets live only in Secret objects: secret-named env vars come from
// secretKeyRef, no ConfigMap or plain value carries a credential, and no
// chart source file (values, templates, NOTES) holds one in plain text.
import type { Rule } from "./context.js";
import { parseValuesFile } from "./manifests.js";
import { finding, type Finding } from "./types.js";
import { allContainers, isObj, podTemplates } from "./workloads.js";

/** Names that hold a credential (env vars, ConfigMap keys, values keys). */
export const SECRET_NAME = /(password|passwd|secret|token|api[-_]?key|private[-_]?key|credentials?|database[-_]?url)$/i;
/** A URL with a password in it: scheme://user:password@host. */
export const CREDENTIAL_URL = /[a-z][a-z0-9+.-]*:\/\/[^\s/:@"'{}]+:[^\s/@"'{}]+@/i;
export const PRIVATE_KEY = /-----BEGIN [A-Z ]*PRIVATE KEY-----/;

// Keys that name where a secret lives rather than holding one.
const REFERENCE_KEY = /^existing|(name|ref|secretkey|file|path)$/i;

function* strings(v: unknown, path: string): Generator<[string, string]> {
  if (typeof v === "string") yield [path, v];
  else if (Array.isArray(v)) for (let i = 0; i < v.length; i++) yield* strings(v[i], `${path}[${i}]`);
  else if (isObj(v)) for (const [k, val] of Object.entries(v)) yield* strings(val, path ? `${path}.${k}` : k);
}

export const checkSecretsInRenderedObjects: Rule = (manifests) => {
  const out: Finding[] = [];
  for (const t of podTemplates(manifests)) {
    for (const { c, path } of allContainers(t.spec)) {
      (c.env ?? []).forEach((e, i) => {
        if (e.name && SECRET_NAME.test(e.name) && e.value !== undefined && e.value !== "" && !e.valueFrom) {
          out.push(finding(t.owner, { rule: "secrets/env-from-secret", path: `${t.specPath}.${path}.env[${i}]`, message: `env ${e.name} of container ${c.name ?? path} is a plain value`, fix: "read it with valueFrom.secretKeyRef" }));
        }
      });
    }
  }
  for (const m of manifests) {
    if (m.kind === "Secret") continue;
    if (m.kind === "ConfigMap") {
      for (const [k, v] of Object.entries(isObj(m.data) ? m.data : {})) {
        if (SECRET_NAME.test(k) && v !== "") {
          out.push(finding(m, { rule: "secrets/configmap", path: `data.${k}`, message: `ConfigMap key ${k} looks like a credential`, fix: "move it to a Secret" }));
        }
      }
    }
    for (const [path, s] of strings(m, "")) {
      if (CREDENTIAL_URL.test(s) || PRIVATE_KEY.test(s)) {
        out.push(finding(m, { rule: "secrets/plaintext", path, message: "a credential appears in plain text outside a Secret", fix: "move it to a Secret and reference it" }));
      }
    }
  }
  return out;
};

export interface SourceFile {
  /** Path relative to the chart, e.g. values.yaml or templates/NOTES.txt. */
  path: string;
  text: string;
}

function fileFinding(file: string, line: number, rule: string, message: string, fix: string): Finding {
  return { rule, severity: "error", object: file, source: `${file}:${line}`, message, fix };
}

/**
 * Scans chart sources as text: values files must not carry credentials (a key
 * named like one with a non-empty value, a URL with a password, a private key);
 * templates must not hard-code one; NOTES.txt must not print a Secret.
 */
export function scanChartSources(files: readonly SourceFile[]): Finding[] {
  const out: Finding[] = [];
  for (const f of files) {
    const isValues = /(^|\/)values[^/]*\.ya?ml$/.test(f.path);
    if (isValues || /(^|\/)Chart\.ya?ml$/.test(f.path)) {
      // helm keeps the last of two equal keys without a word; the first one's author never learns.
      try {
        parseValuesFile(f.text, f.path);
      } catch (err) {
        const line = /:(\d+): /.exec((err as Error).message)?.[1];
        out.push(fileFinding(f.path, Number(line ?? 1), "values/parse", (err as Error).message.replace(/^[^ ]+: /, ""), "fix the YAML (remove the duplicate key)"));
      }
    }
    const isNotes = /(^|\/)NOTES\.txt$/.test(f.path);
    f.text.split("\n").forEach((raw, i) => {
      const line = raw.replace(/\s+#.*$/, "").replace(/^\s*#.*$/, "");
      // Template actions are code, not literals: drop them before looking for literal credentials.
      const literal = line.replace(/\{\{.*?\}\}/g, "");
      if (CREDENTIAL_URL.test(literal) || PRIVATE_KEY.test(literal)) {
        out.push(fileFinding(f.path, i + 1, "secrets/source-plaintext", "a credential is written in plain text", "reference a Secret instead"));
      }
      const kv = /^\s*-?\s*["']?([A-Za-z0-9_.-]+)["']?\s*:\s*(.*)$/.exec(literal);
      // JSON files (values.schema.json) describe keys; only literal credentials above count there.
      if (kv && (isValues || !isNotes) && !f.path.endsWith(".json")) {
        const [, key, value] = kv as unknown as [string, string, string];
        const v = value.trim().replace(/^["']|["']$/g, "");
        const hasTemplate = /\{\{/.test(line.slice(line.indexOf(":")));
        if (SECRET_NAME.test(key) && !REFERENCE_KEY.test(key) && v !== "" && v !== "|" && v !== ">" && !hasTemplate && !/^(null|~|\[\]|\{\}|true|false|yes|no|on|off|-?\d+)$/i.test(v)) {
          out.push(fileFinding(f.path, i + 1, "secrets/source-plaintext", `${key} has a literal value`, isValues ? "leave it out of values; use an existing Secret or let the chart generate it" : "generate it or read it from a Secret"));
        }
      }
      if (isNotes && /(\.data\b|b64dec|randAlphaNum|lookup\s+"v1"\s+"Secret")/.test(line)) {
        out.push(fileFinding(f.path, i + 1, "secrets/notes", "NOTES.txt reads secret data and would print it after every install", "tell the user how to read the Secret with kubectl instead"));
      }
    });
  }
  return out;
}
