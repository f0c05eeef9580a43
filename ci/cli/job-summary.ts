// The CI job's last step: completes the run record with the CI run it came
// from, prints the job summary (markdown) and exits 1 unless the run passed.
//   tsx ci/cli/job-summary.ts runs/ci/run-record.json >> "$GITHUB_STEP_SUMMARY"
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { ciRunFromEnv, jobSummary } from "../policies/job-summary.js";
import { parseRunRecord } from "../policies/run-record.js";

const path = process.argv[2];
if (!path) {
  console.error("usage: tsx ci/cli/job-summary.ts <run-record.json>");
  process.exit(2);
}
if (!existsSync(path)) {
  console.log(`## Pipeline: no run record\n\nThe ci function stopped before writing ${path}; the log of the step before names the failing step.`);
  process.exit(1);
}
const ci = ciRunFromEnv(process.env);
const record = { ...parseRunRecord(readFileSync(path, "utf8"), path), ...(ci ? { ci } : {}) };
writeFileSync(path, `${JSON.stringify(record, null, 2)}\n`);
console.log(jobSummary(record));
process.exitCode = record.verdict === "passed" ? 0 : 1;
