// Secrets: data that is not base64, and secrets written in plain text into
// values files or templates (found by key name and by entropy).
import { asObj, getIn } from "../k8s.js";
import type { DoctorInputs, Finding, Location, Rule } from "../types.js";
import { scalarEntries } from "../yaml-source.js";
import { finding } from "./finding.js";
import { parseAssignments } from "../dockerfile.js";
import { isPlaceholder as isTextPlaceholder } from "../text-render.js";

export const invalidBase64: Rule = {
  id: "secret/invalid-base64",
  severity: "error",
  title: "Secret data that is not valid base64",
  why: "The API server rejects a Secret whose `data` values are not base64, so the install fails half-way; values written as plain text belong in `stringData`.",
  fix: "Encode the value with `| b64enc` in the template, or move it to `stringData`.",
  example: { bad: "data:\n  DB_HOST: db.example.com", good: "data:\n  DB_HOST: {{ .Values.dbHost | b64enc }}" },
  check(inputs) {
    const out: Finding[] = [];
    for (const s of inputs.manifests.filter((m) => m.kind === "Secret")) {
      for (const [k, v] of Object.entries(asObj(getIn(s.obj, ["data"])))) {
        const str = v == null ? "" : String(v);
        if (isTextPlaceholder(str)) continue;
        if (/^[A-Za-z0-9+/]*={0,2}$/.test(str) && str.length % 4 === 0) continue;
        out.push(finding(this, s.locate(["data", k]), `Secret/${s.name} data.${k} is not valid base64`));
      }
    }
    return out;
  },
};

/** Keys whose values are secrets; names, references and settings about secrets are not. */
export function isSecretKey(key: string): boolean {
  const n = key.toLowerCase().replace(/[^a-z0-9]/g, "");
  if (/^(existing|external|generate|create|use|enable|auto|rotate)/.test(n)) return false;
  if (/(name|names|ref|key|file|path|mount|length|ttl|enabled|create|generate|policy|type|url|annotations?)$/.test(n) && !/(apikey|privatekey|accesskey|secretkey|signingkey|encryptionkey)$/.test(n)) return false;
  return /(password|passwd|passphrase|secret|token|apikey|privatekey|accesskey|secretkey|signingkey|encryptionkey|credentials?)$/.test(n) || /password/.test(n);
}

/** Values that are not the secret itself: empty, templated, a reference or a placeholder. */
function isPlaceholder(v: string): boolean {
  const s = v.trim();
  return s === "" || s.includes("{{") || /^\$[({]/.test(s) || /^<.*>$/.test(s) || /^(null|~|true|false)$/i.test(s);
}

const CREDENTIAL_URL = /\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@]+:([^\s@/]+)@/i;

export function shannonEntropy(s: string): number {
  const counts = new Map<string, number>();
  for (const ch of s) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let h = 0;
  for (const c of counts.values()) h -= (c / s.length) * Math.log2(c / s.length);
  return h;
}

/** A token that looks random enough to be a key: long, no spaces, letters and digits mixed, high entropy. */
export function looksRandom(v: string): boolean {
  const s = v.trim();
  if (s.length < 24 || /\s/.test(s) || /^sha\d+:/.test(s) || /:\/\//.test(s) || /^[./~]/.test(s)) return false;
  if (!/[0-9]/.test(s) || !/[A-Za-z]/.test(s)) return false;
  return shannonEntropy(s) >= 4.2;
}

interface Literal {
  at: Location;
  key: string;
  value: string;
}

/** String values written in values files and templates, with the key they are under. */
function literals(inputs: DoctorInputs): Literal[] {
  const out: Literal[] = [];
  for (const f of inputs.valuesFiles) {
    for (const d of f.docs) {
      for (const e of scalarEntries(d, f.lineCounter)) {
        if (typeof e.value === "string") out.push({ at: { file: f.file, line: e.line }, key: e.key, value: e.value });
      }
    }
  }
  for (const t of inputs.templates) {
    const lines = t.text.split(/\r?\n/);
    // `- name: X` directly followed by `value: …` at the same key column is an env var X.
    let env: { name: string; col: number; line: number } | undefined;
    lines.forEach((l, i) => {
      if (/^\s*(#|$)/.test(l) || /^\s*\{\{.*\}\}\s*$/.test(l)) return;
      const m = /^(\s*(?:-\s+)?)["']?([A-Za-z0-9_.\-/]+)["']?\s*:\s+(.+?)\s*$/.exec(l);
      if (!m) {
        env = undefined;
        return;
      }
      let value = m[3]!.replace(/\s+#.*$/, "");
      if (/^["'].*["']$/.test(value)) value = value.slice(1, -1);
      const col = m[1]!.length;
      if (m[2] === "value" && env && env.col === col && env.line === i - 1) out.push({ at: { file: t.file, line: i + 1 }, key: env.name, value });
      env = m[2] === "name" ? { name: value, col, line: i } : undefined;
      out.push({ at: { file: t.file, line: i + 1 }, key: m[2]!, value });
    });
  }
  return out.filter((l) => !isPlaceholder(l.value));
}

/** ENV/ARG values written in Dockerfiles (they stay in the image config and history). */
function dockerfileLiterals(inputs: DoctorInputs): Literal[] {
  const out: Literal[] = [];
  for (const df of inputs.dockerfiles) {
    for (const ins of [...df.preamble, ...df.stages.flatMap((s) => s.instructions)]) {
      if (ins.keyword !== "ENV" && ins.keyword !== "ARG") continue;
      for (const [key, value] of parseAssignments(ins.raw, ins.keyword === "ENV")) {
        if (value !== undefined && !isPlaceholder(value)) out.push({ at: { file: df.file, line: ins.line }, key, value });
      }
    }
  }
  return out;
}

export const plaintextSecret: Rule = {
  id: "secret/plaintext",
  severity: "error",
  title: "Plaintext secret in a values file, template or Dockerfile ENV/ARG",
  why: "Values files and templates are committed and copied into every release record (helm stores them in the cluster): a password there is readable by anyone with the repository or `helm get values`. A Dockerfile ENV or ARG value stays in the image's config and history for anyone who can pull it.",
  fix: "Remove the value, rotate it, and read it from a Secret created outside the chart (existingSecret) or generated by the chart; in a Dockerfile use a secret mount (RUN --mount=type=secret).",
  example: { bad: "database:\n  password: hunter2", good: "database:\n  existingSecret: web-db   # kubectl create secret generic web-db …" },
  check(inputs) {
    const out: Finding[] = [];
    const seen = new Set<string>();
    for (const l of [...literals(inputs), ...dockerfileLiterals(inputs)]) {
      const where = `${l.at.file}:${l.at.line}`;
      if (seen.has(where)) continue;
      // An UPPER_SNAKE value names a key (secretKeyRef key: DB_PASSWORD), it is not the secret.
      if (/^[A-Z][A-Z0-9]*(_[A-Z0-9]+)+$/.test(l.value)) continue;
      const cred = CREDENTIAL_URL.exec(l.value);
      if (cred && !isPlaceholder(cred[1]!)) {
        seen.add(where);
        out.push(finding(this, l.at, `"${l.key}" holds a URL with an embedded password`));
      } else if (isSecretKey(l.key)) {
        seen.add(where);
        out.push(finding(this, l.at, `"${l.key}" holds a secret in plain text`));
      }
    }
    return out;
  },
};

export const highEntropy: Rule = {
  id: "secret/high-entropy",
  severity: "warning",
  title: "High-entropy string (probably a key) in a values file or template",
  why: "A long random-looking string under an innocent key is usually an API key or token pasted in plain text.",
  fix: "If it is a credential, remove and rotate it and read it from a Secret; if it is not (a checksum, an ID), move it where it is recognisably not one or compute it.",
  example: { bad: "analytics:\n  writeId: 9fQm2ZtR8xLq4VbN7cKp1sHd3JwY6eUa", good: "analytics:\n  existingSecret: analytics" },
  check(inputs) {
    const out: Finding[] = [];
    const seen = new Set<string>();
    for (const l of literals(inputs)) {
      const where = `${l.at.file}:${l.at.line}`;
      if (seen.has(where) || isSecretKey(l.key) || CREDENTIAL_URL.test(l.value) || !looksRandom(l.value)) continue;
      seen.add(where);
      out.push(finding(this, l.at, `"${l.key}" holds a ${l.value.length}-character random-looking string (entropy ${shannonEntropy(l.value).toFixed(1)} bits/char)`));
    }
    return out;
  },
};
