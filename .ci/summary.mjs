// Sums vitest's JSON report into the one line CI ends with: "N passed, N failed, N skipped".
// A missing report or a suite that failed to load counts as a failure, so a run
// that executed nothing can never look green.
import { existsSync, readFileSync } from "node:fs";

const file = process.argv[2] ?? ".ci/out/vitest.json";
if (!existsSync(file)) {
  console.log("0 passed, 1 failed, 0 skipped (no test report: the test command did not run to the end)");
  process.exit(1);
}
const report = JSON.parse(readFileSync(file, "utf8"));
const brokenFiles = report.testResults.filter((f) => f.status === "failed" && f.assertionResults.length === 0).length;
const passed = report.numPassedTests;
const failed = report.numFailedTests + brokenFiles;
const skipped = report.numPendingTests + report.numTodoTests;
for (const f of report.testResults) {
  for (const t of f.assertionResults) {
    if (t.status === "skipped" || t.status === "pending" || t.status === "todo") console.log(`skipped: ${t.fullName}`);
  }
  if (f.status === "failed" && f.assertionResults.length === 0) console.log(`failed to load: ${f.name}: ${f.message}`);
}
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
