// Runs once before the suites (root vitest.config.ts): what every suite that
// starts PostgreSQL needs from the machine.
import { letPostgresReachItsBinaries } from "./postgres-binaries.js";

export default async function setup(): Promise<void> {
  await letPostgresReachItsBinaries();
}
