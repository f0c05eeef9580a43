// A throwaway PostgreSQL server from the host's Debian packages, reachable from
// containers: its own data directory under /tmp, an ephemeral port on all
// interfaces, password authentication. Nothing of the machine's own cluster is
// touched, so suites running in parallel do not meet.
import { randomBytes } from "node:crypto";
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync, appendFileSync } from "node:fs";
import { createServer } from "node:net";
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { run } from "../../../scripts/images/docker.js";

export interface HostPostgres {
  port: number;
  user: string;
  password: string;
  database: string;
  /** URL for a container: host.docker.internal must map to the host (--add-host host.docker.internal:host-gateway). */
  containerUrl: string;
  stop(): Promise<void>;
}

function binDir(): string {
  const root = "/usr/lib/postgresql";
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(join(root, v, "bin", "initdb"))).sort((a, b) => Number(b) - Number(a)) : [];
  if (versions.length === 0) throw new Error("PostgreSQL server binaries not found under /usr/lib/postgresql; run 'bash scripts/setup/system-packages.sh' (installs Debian's postgresql)");
  return join(root, versions[0]!, "bin");
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "0.0.0.0", () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === "object" && addr ? resolve(addr.port) : reject(new Error("no port"))));
    });
  });
}

export async function startHostPostgres(): Promise<HostPostgres> {
  const bin = binDir();
  const dir = mkdtempSync("/tmp/images-test-pg-");
  const data = join(dir, "data");
  const user = "todo";
  const password = randomBytes(18).toString("base64url");
  const database = "todo";
  // The server refuses to run as root; Debian's package creates the postgres user.
  const asPostgres = process.getuid?.() === 0;
  const pgUid = asPostgres ? Number(execFileSync("id", ["-u", "postgres"]).toString().trim()) : undefined;
  const pgGid = asPostgres ? Number(execFileSync("id", ["-g", "postgres"]).toString().trim()) : undefined;
  writeFileSync(join(dir, "pw"), password);
  if (asPostgres) {
    chownSync(dir, pgUid!, pgGid!);
    chownSync(join(dir, "pw"), pgUid!, pgGid!);
  }
  chmodSync(dir, 0o700);
  const as = (cmd: string, args: string[], env?: NodeJS.ProcessEnv) =>
    asPostgres ? run("runuser", ["-u", "postgres", "--", join(bin, cmd), ...args], { env }) : run(join(bin, cmd), args, { env });
  const init = await as("initdb", ["-D", data, "-U", user, "--pwfile", join(dir, "pw"), "--auth=scram-sha-256", "-E", "UTF8", "--no-sync"]);
  if (init.code !== 0) throw new Error(`initdb failed: ${init.stderr}`);
  const port = await freePort();
  appendFileSync(join(data, "postgresql.conf"), `\nlisten_addresses = '*'\nport = ${port}\nunix_socket_directories = '${dir}'\nfsync = off\n`);
  appendFileSync(join(data, "pg_hba.conf"), "\nhost all all 0.0.0.0/0 scram-sha-256\n");
  const start = await as("pg_ctl", ["-D", data, "-l", join(dir, "server.log"), "-w", "-t", "60", "start"]);
  if (start.code !== 0) throw new Error(`PostgreSQL did not start: ${start.stderr}${start.stdout}`);
  const create = await as("createdb", ["-h", dir, "-p", String(port), "-U", user, database], { ...process.env, PGPASSWORD: password });
  if (create.code !== 0) throw new Error(`createdb failed: ${create.stderr}`);
  return {
    port,
    user,
    password,
    database,
    containerUrl: `postgres://${user}:${encodeURIComponent(password)}@host.docker.internal:${port}/${database}`,
    async stop() {
      await as("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
