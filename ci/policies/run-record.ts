// The run record: what a pipeline run was (commit, function, arguments,
// versions, pinned images) and what each step concluded. CI uploads it; the
// host CLI writes it for local runs; `pipeline:reproduce` replays it.
import { z } from "zod";

export const verdicts = ["passed", "failed", "skipped"] as const;
export type Verdict = (typeof verdicts)[number];

// rule, file and line when the finding is a rule's (lint-chart: the delivery doctor and the schemas).
const finding = z.object({ severity: z.enum(["error", "warning", "info"]), message: z.string(), rule: z.string().optional(), file: z.string().optional(), line: z.number().int().positive().optional() });

export const stepSchema = z.object({
  name: z.string(),
  verdict: z.enum(verdicts),
  durationMs: z.number().nonnegative(),
  findings: z.array(finding).default([]),
  /**
   * Whether the step did work in this run ("miss") or its result came from the
   * engine's cache ("hit"), from a probe keyed on the step's result (ci/steps/cache.ts),
   * not from its duration. Absent: not determined (e.g. a step that failed before a result).
   */
  cache: z.enum(["hit", "miss"]).optional(),
  /** Seconds the step's work took when it was done (for a "hit", in the run that produced the cached result). */
  workSeconds: z.number().nonnegative().optional(),
});

export const runRecordSchema = z.object({
  schema: z.literal("todo-pipeline/run-record@1"),
  function: z.string(),
  args: z.record(z.string(), z.string()),
  // "unknown" only when the engine was given no revision (a run outside the host CLI and CI).
  commit: z.union([z.string().regex(/^[0-9a-f]{40}$/, "must be a full commit sha"), z.literal("unknown")]),
  dirty: z.boolean(),
  startedAt: z.string(),
  versions: z.record(z.string(), z.string()),
  /** image:tag → sha256 digest of every base and pipeline image the run used. */
  images: z.record(z.string(), z.string()),
  /** The scanners the scan steps ran and the vulnerability DB they used (absent in records from before it was kept). */
  scan: z.object({ scanners: z.array(z.string()), db: z.string(), dbUpdatedAt: z.string().optional() }).optional(),
  steps: z.array(stepSchema),
  verdict: z.enum(["passed", "failed"]),
  ci: z.object({ provider: z.string(), runId: z.string(), url: z.string().optional() }).optional(),
});

export type StepResult = z.infer<typeof stepSchema>;
export type RunRecord = z.infer<typeof runRecordSchema>;

export class RunRecordError extends Error {}

/** Every image a run depends on, `image:tag` → digest, from todo.config.yaml. */
export function pinnedImages(config: { bases: Record<string, unknown>; pipelineImages: Record<string, { image: string; tag: string; digest: string }> }): Record<string, string> {
  const all = [...Object.values(config.bases), ...Object.values(config.pipelineImages)] as { image?: string; tag?: string; digest?: string }[];
  return Object.fromEntries(all.filter((i) => i.image && i.digest).map((i) => [`${i.image}:${i.tag}`, i.digest!]));
}

export function parseRunRecord(text: string, source = "run record"): RunRecord {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new RunRecordError(`${source} is not JSON`);
  }
  const r = runRecordSchema.safeParse(raw);
  if (!r.success) {
    throw new RunRecordError(`${source} is not a run record: ${r.error.issues.map((i) => `${i.path.join(".") || "root"}: ${i.message}`).join("; ")}`);
  }
  return r.data;
}

/** One verdict for the run: failed when any step failed. */
export function overallVerdict(steps: readonly StepResult[]): "passed" | "failed" {
  return steps.some((s) => s.verdict === "failed") ? "failed" : "passed";
}

/** Times a step and turns a thrown error into a failed step with its message. */
export async function runStep(name: string, fn: () => Promise<StepResult["findings"] | void>): Promise<StepResult> {
  const started = Date.now();
  try {
    const findings = (await fn()) ?? [];
    const verdict = findings.some((f) => f.severity === "error") ? "failed" : "passed";
    return { name, verdict, durationMs: Date.now() - started, findings };
  } catch (err) {
    return { name, verdict: "failed", durationMs: Date.now() - started, findings: [{ severity: "error", message: (err as Error).message }] };
  }
}

export interface VerdictChange {
  step: string;
  before: Verdict | "absent";
  after: Verdict | "absent";
}

/** Steps whose verdict differs between two runs (the replay's answer). */
export function diffVerdicts(before: RunRecord, after: Pick<RunRecord, "steps">): VerdictChange[] {
  const a = new Map(before.steps.map((s) => [s.name, s.verdict]));
  const b = new Map(after.steps.map((s) => [s.name, s.verdict]));
  const names = [...new Set([...a.keys(), ...b.keys()])];
  return names
    .map((step) => ({ step, before: a.get(step) ?? ("absent" as const), after: b.get(step) ?? ("absent" as const) }))
    .filter((c) => c.before !== c.after);
}

const fmtDuration = (ms: number) => (ms < 1000 ? `${ms} ms` : ms < 60_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.floor(ms / 60_000)} m ${Math.round((ms % 60_000) / 1000)} s`);

/** The "work" column: did the step work in this run, or come from the engine's cache. */
function cacheCell(s: StepResult): string {
  if (s.cache === "miss") return "did work";
  if (s.cache === "hit") return s.workSeconds !== undefined ? `cached (its run took ${fmtDuration(Math.round(s.workSeconds * 1000))})` : "cached";
  return s.verdict === "skipped" ? "" : "?";
}

/** The steps that did work in a run, by the record's cache field; undefined where a step's state is unknown. */
export function stepsThatDidWork(steps: readonly StepResult[]): { worked: StepResult[]; unknown: StepResult[] } {
  return { worked: steps.filter((s) => s.cache === "miss"), unknown: steps.filter((s) => s.cache === undefined && s.verdict !== "skipped") };
}

/** The table the CLI and the CI job summary end with. */
export function stepTable(steps: readonly StepResult[], format: "text" | "markdown" = "text"): string {
  const rows = steps.map((s) => [
    s.name,
    s.verdict === "passed" ? "passed" : s.verdict === "failed" ? "FAILED" : "skipped",
    fmtDuration(s.durationMs),
    cacheCell(s),
    s.findings.find((f) => f.severity === "error")?.message.split("\n")[0] ?? "",
  ]);
  const head = ["step", "verdict", "duration", "work", "first error"];
  if (format === "markdown") {
    return [`| ${head.join(" | ")} |`, `|${head.map(() => "---").join("|")}|`, ...rows.map((r) => `| ${r.map((c) => c.replace(/\|/g, "\\|")).join(" | ")} |`)].join("\n");
  }
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i]!)).join("  ").trimEnd();
  return [line(head), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}
