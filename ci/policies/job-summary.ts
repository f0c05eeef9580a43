// The CI job summary: the run record completed with the CI run it came from,
// and the markdown the job shows (verdict, step table, the replay command).
// Pure; ci/cli/job-summary.ts does the file and environment I/O.
import { type RunRecord, stepTable } from "./run-record.js";

/** The CI run a record came from, read from GitHub Actions' default variables; undefined outside CI. */
export function ciRunFromEnv(env: Record<string, string | undefined>): RunRecord["ci"] {
  const runId = env.GITHUB_RUN_ID?.trim();
  if (!runId) return undefined;
  const url = env.GITHUB_SERVER_URL && env.GITHUB_REPOSITORY ? `${env.GITHUB_SERVER_URL}/${env.GITHUB_REPOSITORY}/actions/runs/${runId}` : undefined;
  return { provider: "github-actions", runId, ...(url ? { url } : {}) };
}

export function jobSummary(record: RunRecord): string {
  const replay = record.ci ? `npm run pipeline:reproduce -- ${record.ci.runId}` : "npm run pipeline:reproduce -- runs/ci/run-record.json";
  return [`## Pipeline: ${record.verdict}`, "", stepTable(record.steps, "markdown"), "", "Replay this run locally:", "", "```sh", replay, "```", ""].join("\n");
}
