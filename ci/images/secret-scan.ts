// Finds secrets in image layers: files whose names say they hold secrets
// (.env*, private keys, credential files) and contents that look like private
// keys or access tokens. Plugs into measureImageTarball's file callbacks, so
// one pass over a tarball both measures and scans it. Pure apart from the
// callbacks it is fed.
import { basename } from "node:path";
import type { MeasureOptions } from "./measure.js";
import type { TarEntry } from "./tar.js";

export interface SecretFinding {
  layer: number;
  path: string;
  rule: string;
}

interface Rule {
  name: string;
  test: RegExp;
}

/** File names that hold secrets wherever they are. */
export const SECRET_FILE_RULES: Rule[] = [
  { name: "dotenv file", test: /^\.env(\..+)?$/ },
  { name: "private key file", test: /\.(pem|key|p12|pfx|jks|keystore)$/i },
  { name: "SSH private key", test: /^id_(rsa|dsa|ecdsa|ed25519)$/ },
  { name: "credentials file", test: /^(\.npmrc|\.netrc|\.pgpass|\.git-credentials|\.dockercfg|credentials\.json)$/ },
];

/** Contents that are secrets: private keys and the token formats of common providers. */
export const SECRET_CONTENT_RULES: Rule[] = [
  // A header with key material after it: libraries (jose, node-forge) carry the bare header as a string.
  { name: "private key", test: /-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP )?PRIVATE KEY(?: BLOCK)?-----(?:\\[rn]|\s)*[A-Za-z0-9+/=]{40,}/ },
  { name: "AWS access key id", test: /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/ },
  { name: "GitHub token", test: /\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{40,})\b/ },
  { name: "Slack token", test: /\bxox[abprs]-[A-Za-z0-9-]{10,}/ },
  { name: "npm token", test: /\bnpm_[A-Za-z0-9]{36}\b/ },
  { name: "OpenAI-style API key", test: /\bsk-(?:proj-)?[A-Za-z0-9_-]{32,}\b/ },
];

export interface SecretScanOptions {
  /** Skip content checks of files larger than this (binaries such as node); names are always checked. */
  maxContentBytes?: number;
  /** Literal values that must appear nowhere (e.g. the secrets a test run uses). */
  literals?: string[];
  /** Paths (as in the layer, without leading ./) exempt by decision, e.g. a documented test fixture of a dependency. */
  allowPaths?: RegExp[];
}

export function createSecretScanner(opts: SecretScanOptions = {}) {
  const max = opts.maxContentBytes ?? 2_000_000;
  const findings: SecretFinding[] = [];
  const literals = (opts.literals ?? []).filter((l) => l.length >= 8);
  let chunks: Buffer[] = [];
  const clean = (p: string) => p.replace(/^\.?\//, "");
  const allowed = (p: string) => (opts.allowPaths ?? []).some((re) => re.test(p));

  const callbacks: Required<Pick<MeasureOptions, "onFile" | "onFileData" | "onFileEnd">> = {
    onFile: (layer: number, entry: TarEntry) => {
      const path = clean(entry.path);
      if (entry.type === "directory" || allowed(path)) return false;
      const name = basename(path);
      // Whiteouts (.wh.<name>) delete a file; they hold nothing.
      if (!name.startsWith(".wh.")) {
        for (const rule of SECRET_FILE_RULES) if (rule.test.test(name)) findings.push({ layer, path, rule: rule.name });
      }
      chunks = [];
      return entry.type === "file" && entry.size > 0 && entry.size <= max;
    },
    onFileData: (_layer: number, _entry: TarEntry, chunk: Uint8Array) => {
      chunks.push(Buffer.from(chunk));
    },
    onFileEnd: (layer: number, entry: TarEntry) => {
      if (chunks.length === 0) return;
      const text = Buffer.concat(chunks).toString("latin1");
      chunks = [];
      const path = clean(entry.path);
      for (const rule of SECRET_CONTENT_RULES) if (rule.test.test(text)) findings.push({ layer, path, rule: rule.name });
      for (const literal of literals) if (text.includes(literal)) findings.push({ layer, path, rule: "a secret value used by this run" });
    },
  };
  return { ...callbacks, findings: () => [...findings] };
}

/** One line per finding, for a failure message. */
export function formatSecretFindings(findings: SecretFinding[]): string {
  return findings.map((f) => `  layer ${f.layer + 1}: ${f.path} (${f.rule})`).join("\n");
}
