// Reporters: pure functions from findings to text.
import { pathToFileURL } from "node:url";
import type { Log } from "sarif";
import { RULES } from "./rules/index.js";
import type { Finding, Rule } from "./types.js";

/** The doctor's own version (raised when its rules or output change). */
export const DOCTOR_VERSION = "1.1.0";

/** What a run rendered with: named in every format so a result can be reproduced. */
export interface RunInfo {
  /** The doctor's version. */
  doctor: string;
  /** `helm version` of the helm that rendered the chart; absent when templates were read as text. */
  helm?: string;
  /** The Kubernetes version the chart was rendered for (--kube-version, .Capabilities.KubeVersion). */
  kubernetes: string;
}

/** One line naming the versions a run used. */
export function versionsLine(info: RunInfo): string {
  return `delivery doctor ${info.doctor}, ${info.helm ? `helm ${info.helm}` : "helm not used (templates read as text)"}, Kubernetes ${info.kubernetes}`;
}

export function summary(findings: readonly Finding[]): string {
  const errors = findings.filter((f) => f.severity === "error").length;
  const warnings = findings.length - errors;
  return `${errors} error${errors === 1 ? "" : "s"}, ${warnings} warning${warnings === 1 ? "" : "s"}`;
}

/** A readable table: one row per finding, its fix on the line below. */
export function formatTable(findings: readonly Finding[], info?: RunInfo): string {
  const head = info ? `${versionsLine(info)}\n` : "";
  if (findings.length === 0) return `${head}delivery doctor: no findings\n`;
  const rows = findings.map((f) => [f.severity, `${f.file}:${f.line}`, f.rule, f.message]);
  const widths = [0, 1, 2].map((i) => Math.max(["SEVERITY", "LOCATION", "RULE"][i]!.length, ...rows.map((r) => r[i]!.length)));
  const pad = (cells: string[]) => cells.map((c, i) => (i < 3 ? c.padEnd(widths[i]!) : c)).join("  ");
  const lines = [...(info ? [versionsLine(info)] : []), pad(["SEVERITY", "LOCATION", "RULE", "MESSAGE"])];
  findings.forEach((f, i) => {
    lines.push(pad(rows[i]!));
    lines.push(`${" ".repeat(widths[0]! + widths[1]! + widths[2]! + 6)}fix: ${f.fix}`);
  });
  lines.push("", `delivery doctor: ${summary(findings)}`);
  return lines.join("\n") + "\n";
}

/** JSON: `{ versions, findings }` (versions as in RunInfo). */
export function formatJson(findings: readonly Finding[], info: RunInfo = { doctor: DOCTOR_VERSION, kubernetes: "unknown" }): string {
  return JSON.stringify({ versions: info, findings }, null, 2) + "\n";
}

function artifactUri(file: string): string {
  if (file.startsWith("/")) return pathToFileURL(file).href;
  return file.split("\\").join("/").split("/").map(encodeURIComponent).join("/");
}

export const SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json";

/** SARIF 2.1.0: one run, every rule described, one result per finding. */
export function toSarif(findings: readonly Finding[], rules: readonly Rule[] = RULES, info: RunInfo = { doctor: DOCTOR_VERSION, kubernetes: "unknown" }): Log {
  const index = new Map(rules.map((r, i) => [r.id, i]));
  return {
    $schema: SARIF_SCHEMA,
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: "delivery-doctor",
            version: info.doctor,
            properties: { helmVersion: info.helm ?? null, kubernetesVersion: info.kubernetes },
            rules: rules.map((r) => ({
              id: r.id,
              name: r.id.replace(/[^A-Za-z0-9]+(.)/g, (_m, c: string) => c.toUpperCase()),
              shortDescription: { text: r.title },
              fullDescription: { text: r.why },
              help: { text: `${r.fix}\n\nBad:\n${r.example.bad}\n\nGood:\n${r.example.good}` },
              defaultConfiguration: { level: r.severity },
            })),
          },
        },
        results: findings.map((f) => ({
          ruleId: f.rule,
          ...(index.has(f.rule) ? { ruleIndex: index.get(f.rule) } : {}),
          level: f.severity,
          message: { text: `${f.message}. Fix: ${f.fix}` },
          locations: [{ physicalLocation: { artifactLocation: { uri: artifactUri(f.file) }, region: { startLine: Math.max(1, f.line) } } }],
          properties: { fix: f.fix },
        })),
      },
    ],
  };
}

export function formatSarif(findings: readonly Finding[], info?: RunInfo): string {
  return JSON.stringify(toSarif(findings, RULES, info), null, 2) + "\n";
}

export function explain(rule: Rule): string {
  return [`${rule.id} (${rule.severity}): ${rule.title}`, "", `Why: ${rule.why}`, "", `Fix: ${rule.fix}`, "", "Bad:", indent(rule.example.bad), "", "Good:", indent(rule.example.good), ""].join("\n");
}

const indent = (s: string) => s.split("\n").map((l) => `    ${l}`).join("\n");

const escapeData = (s: string) => s.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
const escapeProperty = (s: string) => escapeData(s).replace(/:/g, "%3A").replace(/,/g, "%2C");

/** GitHub Actions workflow commands: one annotation per finding on the file and line. */
export function formatGithub(findings: readonly Finding[]): string {
  return findings.map((f) => `::${f.severity} file=${escapeProperty(f.file)},line=${Math.max(1, f.line)},title=${escapeProperty(f.rule)}::${escapeData(`${f.message}. Fix: ${f.fix}`)}\n`).join("");
}

export type Format = "table" | "json" | "sarif" | "github";
export const FORMATTERS: Record<Format, (f: readonly Finding[], info?: RunInfo) => string> = { table: formatTable, json: formatJson, sarif: formatSarif, github: formatGithub };
