import type { Finding, Location, Rule, Severity } from "../types.js";

type RuleHead = Pick<Rule, "id" | "severity" | "fix">;

/** A finding of a rule at a location; severity and fix default to the rule's. */
export function finding(rule: RuleHead, at: Location, message: string, opts: { fix?: string; severity?: Severity } = {}): Finding {
  return { rule: rule.id, severity: opts.severity ?? rule.severity, file: at.file, line: at.line, message, fix: opts.fix ?? rule.fix };
}
