// Secrets: data that is not base64, and secrets written in plain text into
// values files or templates (found by key name and by entropy).
import { allContainers, asArr, asObj, getIn } from "../k8s.js";
import type { DoctorInputs, Finding, Location, Rule } from "../types.js";
import { isMap, type Document } from "yaml";
import { nodeAt, scalarEntries } from "../yaml-source.js";
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
  if (/^(existing|external|generate|create|use|enable|disable|allow|require|skip|auto|rotate)/.test(n)) return false;
  if (/(name|names|ref|key|file|path|mount|length|ttl|enabled|create|generate|policy|type|url|annotations?)$/.test(n) && !/(apikey|privatekey|accesskey|secretkey|signingkey|encryptionkey)$/.test(n)) return false;
  return /(password|passwd|passphrase|secret|token|apikey|privatekey|accesskey|secretkey|signingkey|encryptionkey|credentials?)$/.test(n) || /password/.test(n);
}

/** Values that are not the secret itself: empty, templated, a reference or a placeholder. */
function isPlaceholder(v: string): boolean {
  const s = v.trim();
  return s === "" || s.includes("{{") || /^\$[({]/.test(s) || /^<.*>$/.test(s) || /^(null|~|true|false|yes|no|on|off|enabled|disabled)$/i.test(s);
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
  // An image reference (registry/name:tag@sha256:…) is long and random-looking by design.
  if (/@sha\d+:[0-9a-f]+$/.test(s) || /^[a-z0-9.-]+(:\d+)?(\/[a-z0-9._-]+)+(:[\w.-]+)?$/i.test(s)) return false;
  if (!/[0-9]/.test(s) || !/[A-Za-z]/.test(s)) return false;
  // Kubernetes' $(VAR) references, and key=value settings (labels, OpenTelemetry attributes) are configuration.
  if (s.includes("$(") || /^[\w.-]+(\/[\w.-]+)?=[^,;=]*([,;][\w.-]+(\/[\w.-]+)?=[^,;=]*)*$/.test(s)) return false;
  return shannonEntropy(s) >= 4.2;
}

interface Literal {
  at: Location;
  key: string;
  value: string;
  /** Written in a template, but not in what helm rendered with these values (an unused branch). */
  unrendered?: boolean;
}

/** A values map switched off (`create: false`, `enabled: false`): its placeholders are never used. */
const switchedOff = (doc: Document, path: readonly (string | number)[]): boolean => {
  for (let i = path.length - 1; i >= 1; i--) {
    const map = nodeAt(doc, path.slice(0, i));
    if (isMap(map) && (map.get("create") === false || map.get("enabled") === false)) return true;
  }
  return false;
};

/** String values written in values files and templates, with the key they are under. */
function literals(inputs: DoctorInputs): Literal[] {
  const out: Literal[] = [];
  for (const f of inputs.valuesFiles) {
    for (const d of f.docs) {
      for (const e of scalarEntries(d, f.lineCounter)) {
        if (typeof e.value === "string" && !switchedOff(d, e.path)) out.push({ at: { file: f.file, line: e.line }, key: e.key, value: e.value });
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
      // Asked only of a literal that is reported: searching helm's output (megabytes with CRDs) for every line took seconds.
      const rendered = inputs.rendered;
      const literal = (key: string): Literal => ({ at: { file: t.file, line: i + 1 }, key, value, get unrendered() { return rendered !== undefined && !rendered.includes(value); } });
      if (m[2] === "value" && env && env.col === col && env.line === i - 1) out.push(literal(env.name));
      env = m[2] === "name" ? { name: value, col, line: i } : undefined;
      out.push(literal(m[2]!));
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
      const holds = cred && !isPlaceholder(cred[1]!) ? "a URL with an embedded password" : isSecretKey(l.key) ? "a secret in plain text" : undefined;
      if (!holds) continue;
      // Text in a branch helm did not render with these values is committed, but not deployed: lower stakes.
      // (Asked only here, of a literal that is reported: l.unrendered searches helm's whole output.)
      const unrendered = l.unrendered;
      seen.add(where);
      out.push(finding(this, l.at, `"${l.key}" holds ${holds}${unrendered ? " (in a template branch these values do not render)" : ""}`, unrendered ? { severity: "warning" } : {}));
    }
    const valuesNames = new Set(inputs.valuesFiles.map((f) => f.file));
    for (const f of [...inputs.valuesFiles, ...inputs.templates]) {
      f.text.split(/\r?\n/).forEach((l, i) => {
        const where = `${f.file}:${i + 1}`;
        // A comment line of a values file is documentation (charts show the PEM shape of a TLS option so): it is never a value helm uses.
        if (valuesNames.has(f.file) && /^\s*#/.test(l)) return;
        if (!seen.has(where) && /-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(l)) out.push(finding(this, { file: f.file, line: i + 1 }, "a private key is written here in plain text"));
      });
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

/** Env var and ConfigMap key names that hold a credential (the house policy's stricter list: DATABASE_URL counts). */
const SECRET_NAME = /(password|passwd|secret|token|api[-_]?key|private[-_]?key|credentials?|database[-_]?url)$/i;

export const envValue: Rule = {
  id: "secret/env-value",
  severity: "error",
  policy: true,
  title: "Credential-named env var with a plain value",
  why: "A plain env value is in the Deployment for anyone who can read it (kubectl get -o yaml, helm get manifest); secrets belong in Secrets, read with secretKeyRef.",
  fix: "Read it with valueFrom.secretKeyRef.",
  example: { bad: "env:\n  - name: DATABASE_URL\n    value: postgresql://todo@db/todo", good: "env:\n  - name: DATABASE_URL\n    valueFrom: { secretKeyRef: { name: todo-db, key: url } }" },
  check(inputs) {
    return allContainers(inputs.manifests).flatMap((c) =>
      asArr(c.container.env).flatMap((e, i) => {
        const { name, value, valueFrom } = asObj(e);
        if (typeof name !== "string" || !SECRET_NAME.test(name) || value === undefined || value === "" || valueFrom) return [];
        return [finding(this, c.owner.manifest.locate([...c.path, "env", i, "value"]), `env ${name} of container "${c.name}" in ${c.owner.manifest.kind}/${c.owner.manifest.name} is a plain value`)];
      }),
    );
  },
};

export const inConfigMap: Rule = {
  id: "secret/in-configmap",
  severity: "error",
  policy: true,
  title: "Credential-named key in a ConfigMap",
  why: "ConfigMaps are readable by anyone who may read configuration in the namespace and are not encrypted at rest; a credential there is exposed.",
  fix: "Move it to a Secret and read it with secretKeyRef.",
  example: { bad: "kind: ConfigMap\ndata:\n  JWT_SECRET: s3cr3t", good: "kind: Secret\nstringData:\n  JWT_SECRET: …" },
  check(inputs) {
    return inputs.manifests
      .filter((m) => m.kind === "ConfigMap")
      .flatMap((m) => Object.entries(asObj(getIn(m.obj, ["data"]))).filter(([k, v]) => SECRET_NAME.test(k) && v !== "").map(([k]) => finding(this, m.locate(["data", k]), `ConfigMap/${m.name} key ${k} looks like a credential`)));
  },
};

export const notesPrintsSecret: Rule = {
  id: "secret/notes-prints",
  severity: "error",
  policy: true,
  title: "NOTES.txt prints secret data",
  why: "NOTES.txt is printed after every install and upgrade and stored in the release: a secret it reads ends up in terminals, CI logs and `helm status`.",
  fix: "Tell the user how to read the Secret with kubectl instead.",
  example: { bad: "Password: {{ .Values.auth.password | b64dec }}", good: "kubectl get secret {{ include \"web.fullname\" . }} -o jsonpath='{.data.password}' | base64 -d" },
  check(inputs) {
    return inputs.templates
      .filter((t) => /(^|\/)NOTES\.txt$/.test(t.rel))
      .flatMap((t) => t.text.split("\n").flatMap((l, i) => (/\{\{[^}]*(\.data\b|b64dec|randAlphaNum|lookup\s+"v1"\s+"Secret")/.test(l) ? [finding(this, { file: t.file, line: i + 1 }, "NOTES.txt reads secret data and would print it after every install")] : [])));
  },
};
