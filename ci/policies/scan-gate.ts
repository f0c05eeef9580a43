// The scan gate: a Trivy JSON report (SchemaVersion 2) against the policy in
// todo.config.yaml `scan:`. Pure: report text and today's date in, verdict out.
// A report that does not parse is an error, never a pass.
import { z } from "zod";
import type { ProjectConfig } from "../config/project-config.js";

const SEVERITIES = ["CRITICAL", "HIGH", "MEDIUM", "LOW", "UNKNOWN"] as const;
type Severity = (typeof SEVERITIES)[number];

const vulnerability = z.object({
  VulnerabilityID: z.string(),
  PkgName: z.string(),
  InstalledVersion: z.string().optional(),
  FixedVersion: z.string().optional(),
  Status: z.string().optional(),
  Severity: z.enum(SEVERITIES),
  Title: z.string().optional(),
});
const secret = z.object({ RuleID: z.string(), Severity: z.enum(SEVERITIES), Title: z.string().optional(), StartLine: z.number().optional() });
const misconfiguration = z.object({ ID: z.string(), AVDID: z.string().optional(), Severity: z.enum(SEVERITIES), Title: z.string().optional(), Status: z.string().optional() });

const reportSchema = z.object({
  SchemaVersion: z.literal(2),
  ArtifactName: z.string(),
  Results: z
    .array(
      z.object({
        Target: z.string(),
        Vulnerabilities: z.array(vulnerability).nullish(),
        Secrets: z.array(secret).nullish(),
        Misconfigurations: z.array(misconfiguration).nullish(),
      }),
    )
    .nullish(),
});

export type TrivyReport = z.infer<typeof reportSchema>;
// Where the DB comes from does not change how findings are judged.
export type ScanPolicy = Omit<ProjectConfig["scan"], "offlineDb">;

export interface ScanFinding {
  id: string;
  kind: "vulnerability" | "secret" | "misconfiguration";
  severity: Severity;
  target: string;
  what: string;
  fixedVersion?: string;
  /** Why it does not fail the gate, when it does not. */
  waived?: string;
}

export interface ScanVerdict {
  artifact: string;
  passed: boolean;
  blocking: ScanFinding[];
  waived: ScanFinding[];
  /** Ignore entries past their expiry: they no longer waive anything. */
  expiredIgnores: string[];
  counts: Record<Severity, number>;
}

export class ScanReportError extends Error {}

export function parseTrivyReport(text: string, source = "trivy report"): TrivyReport {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new ScanReportError(`${source} is not JSON; run trivy with --format json`);
  }
  const parsed = reportSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ScanReportError(`${source} is not a Trivy SchemaVersion 2 report (${issue.path.join(".") || "root"}: ${issue.message}); refusing to pass the gate on it`);
  }
  return parsed.data;
}

export function evaluateScan(report: TrivyReport, policy: ScanPolicy, today: string): ScanVerdict {
  const ignores = new Map(policy.ignore.map((i) => [i.id, i]));
  const expiredIgnores = policy.ignore.filter((i) => i.expires < today).map((i) => `${i.id} (expired ${i.expires}: ${i.reason})`);
  const counts = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  const blocking: ScanFinding[] = [];
  const waived: ScanFinding[] = [];

  const judge = (f: ScanFinding, fixable: boolean) => {
    counts[f.severity]++;
    const ignore = ignores.get(f.id);
    if (ignore && ignore.expires >= today) return waived.push({ ...f, waived: `ignored until ${ignore.expires}: ${ignore.reason}` });
    if (!policy.failOn.includes(f.severity)) return waived.push({ ...f, waived: `severity ${f.severity} is below the gate` });
    if (f.kind === "vulnerability" && policy.onlyFixed && !fixable) return waived.push({ ...f, waived: "no fixed version exists yet" });
    blocking.push(f);
  };

  for (const r of report.Results ?? []) {
    for (const v of r.Vulnerabilities ?? []) {
      const fixable = Boolean(v.FixedVersion) && v.Status !== "will_not_fix" && v.Status !== "affected";
      judge({ id: v.VulnerabilityID, kind: "vulnerability", severity: v.Severity, target: r.Target, what: `${v.PkgName} ${v.InstalledVersion ?? ""}`.trim(), ...(v.FixedVersion ? { fixedVersion: v.FixedVersion } : {}) }, fixable);
    }
    // Secrets and misconfigurations are always "fixable": the fix is ours.
    for (const s of r.Secrets ?? []) judge({ id: s.RuleID, kind: "secret", severity: s.Severity, target: r.Target, what: s.Title ?? s.RuleID }, true);
    for (const m of r.Misconfigurations ?? []) {
      if (m.Status === "PASS") continue;
      judge({ id: m.AVDID ?? m.ID, kind: "misconfiguration", severity: m.Severity, target: r.Target, what: m.Title ?? m.ID }, true);
    }
  }
  return { artifact: report.ArtifactName, passed: blocking.length === 0, blocking, waived, expiredIgnores, counts };
}

export function describeScan(v: ScanVerdict): string[] {
  const lines = [`${v.artifact}: ${v.passed ? "passed" : "FAILED"} (${SEVERITIES.map((s) => `${s} ${v.counts[s]}`).join(", ")})`];
  for (const f of v.blocking) lines.push(`  ${f.severity} ${f.id} ${f.kind} in ${f.target}: ${f.what}${f.fixedVersion ? ` → upgrade to ${f.fixedVersion}` : ""}`);
  for (const e of v.expiredIgnores) lines.push(`  ignore entry no longer applies: ${e}; fix it or renew the entry in todo.config.yaml scan.ignore`);
  return lines;
}
