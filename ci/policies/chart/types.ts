// Shapes shared by the chart's schema checks. Rendered objects are plain JSON (what
// `helm template` prints, parsed as YAML), so they are typed loosely here and
// read defensively by the rules.

/** One rendered Kubernetes object plus where it came from. */
export interface Manifest {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [key: string]: unknown;
  /** The template that produced it (helm's `# Source:` comment), when known. Not part of the object. */
  readonly __source?: string;
}

export type Severity = "error" | "warning";

export type Obj = Record<string, unknown>;
export const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

export interface Finding {
  /** Stable rule id, e.g. "security/run-as-non-root". */
  rule: string;
  severity: Severity;
  /** `Kind/name` of the object (or a file path for source scans). */
  object: string;
  /** Template or file the object came from, when known. */
  source?: string;
  /** JSON-ish path inside the object, e.g. spec.template.spec.containers[0].securityContext. */
  path?: string;
  message: string;
  /** What to change. */
  fix?: string;
}

export function describe(m: Manifest): string {
  return `${m.kind ?? "?"}/${m.metadata?.name ?? "?"}`;
}

/** Formats findings one per line: "error security/x Deployment/y (templates/z.yaml) at path: message — fix". */
export function formatFindings(findings: readonly Finding[]): string {
  return findings
    .map((f) => {
      const where = [f.source ? `(${f.source})` : "", f.path ? `at ${f.path}` : ""].filter(Boolean).join(" ");
      return `${f.severity} ${f.rule} ${f.object}${where ? " " + where : ""}: ${f.message}${f.fix ? ` — fix: ${f.fix}` : ""}`;
    })
    .join("\n");
}
