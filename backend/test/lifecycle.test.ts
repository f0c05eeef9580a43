// The process as operations see it: configuration errors, the port fact,
// database outage and recovery, SIGTERM during a request, JWKS verification.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { type Server, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SignJWT, exportJWK, generateKeyPair } from "jose";
import { afterAll, describe, expect, it } from "vitest";
import { loadProjectConfig } from "../../ci/config/load.js";
import { freePort, startPostgres } from "../../scripts/dev-postgres.js";
import { createTokenVerifier } from "../src/auth.js";
import { loadConfig } from "../src/config.js";
import { openDatabase } from "../src/db/database.js";
import { migrateToLatest } from "../src/db/migrations.js";
import { SECRET, startApp, token } from "./helpers.js";

const BACKEND = join(import.meta.dirname, "..");

function startServer(env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, ["--import", "tsx", "src/server.ts"], {
    cwd: BACKEND,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/root", LOG_LEVEL: "warn", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
}

function exitOf(child: ChildProcess): Promise<{ code: number | null; output: string }> {
  let output = "";
  child.stdout!.on("data", (d) => (output += d));
  child.stderr!.on("data", (d) => (output += d));
  return new Promise((resolve) => child.on("exit", (code) => resolve({ code, output })));
}

// A spawned server compiles src/ with tsx first: seconds idle, over 30 s on a
// loaded 2-core machine (the Dagger test step ran into the old 30 s timeout).
const SERVER_TEST_MS = 120_000;

async function waitFor(url: string, status = 200, ms = 90_000) {
  const until = Date.now() + ms;
  for (;;) {
    try {
      if ((await fetch(url)).status === status) return;
    } catch {}
    if (Date.now() > until) throw new Error(`${url} did not answer ${status} within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

const temps: string[] = [];
const tempDir = (p: string) => {
  const d = mkdtempSync(join(tmpdir(), p));
  temps.push(d);
  return d;
};
afterAll(() => temps.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe("configuration", () => {
  it("defaults PORT to the backend port of todo.config.yaml", () => {
    expect(loadConfig({ JWT_SECRET: SECRET }).port).toBe(loadProjectConfig().apps.backend.port);
  });

  it.each([
    [{ PORT: "eighty", JWT_SECRET: SECRET }, /PORT/],
    [{}, /JWKS_URL.*exactly one of JWKS_URL .* or JWT_SECRET/],
    [{ JWT_SECRET: "short" }, /JWT_SECRET: must be at least 32/],
    [{ JWT_SECRET: SECRET, LLM_BASE_URL: "http://x" }, /LLM_BASE_URL: set all three/],
    [{ JWT_SECRET: SECRET, DATABASE_URL: "mysql://db/x" }, /DATABASE_URL/],
  ])("refuses %j at start-up with exit code 2, naming the variable", async (env, message) => {
    const { code, output } = await exitOf(startServer(env as Record<string, string>));
    expect(code).toBe(2);
    expect(output).toMatch(/fix these environment variables/);
    expect(output).toMatch(message);
  }, SERVER_TEST_MS);
});

describe("/ready follows the database", () => {
  it("answers 503 while PostgreSQL is down and 200 again once it is back, without a restart", async () => {
    const port = await freePort();
    const pg = await startPostgres({ dataDir: tempDir("backend-outage-"), port, password: "pw", persistent: true });
    const db = await openDatabase({ databaseUrl: `postgres://postgres:pw@127.0.0.1:${port}/todo`, dataDir: tempDir("unused-") });
    await migrateToLatest(db.kysely);
    const app = await startApp(db);
    try {
      expect((await fetch(`${app.url}/ready`)).status).toBe(200);
      await pg.stop();
      const down = await fetch(`${app.url}/ready`);
      expect(down.status).toBe(503);
      expect((await fetch(`${app.url}/health`)).status).toBe(200);
      await pg.start();
      await waitFor(`${app.url}/ready`, 200, 20_000);
    } finally {
      await app.close();
      await db.close();
      await pg.stop();
    }
  });
});

describe("SIGTERM", () => {
  let slowLlm: Server;
  afterAll(() => new Promise((r) => slowLlm?.close(r)));

  it("finishes the in-flight request, refuses new connections and exits 0", async () => {
    slowLlm = createServer((req, res) => {
      req.resume();
      setTimeout(() => {
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ choices: [{ message: { role: "assistant", content: "slow but done" } }] }));
      }, 1_500);
    });
    await new Promise<void>((r) => slowLlm.listen(0, "127.0.0.1", r));
    const llmUrl = `http://127.0.0.1:${(slowLlm.address() as AddressInfo).port}`;
    const port = await freePort();
    const child = startServer({ PORT: String(port), HOST: "127.0.0.1", DATA_DIR: tempDir("backend-sigterm-"), JWT_SECRET: SECRET, LLM_BASE_URL: llmUrl, LLM_API_KEY: "k", LLM_MODEL: "m", LOG_LEVEL: "info" });
    const exited = exitOf(child);
    const base = `http://127.0.0.1:${port}`;
    await waitFor(`${base}/ready`);

    const inFlight = fetch(`${base}/api/u1/chat`, {
      method: "POST",
      headers: { authorization: `Bearer ${await token("u1")}`, "content-type": "application/json" },
      body: JSON.stringify({ message: "hello" }),
    });
    await new Promise((r) => setTimeout(r, 400));
    child.kill("SIGTERM");
    await new Promise((r) => setTimeout(r, 200));
    await expect(fetch(`${base}/health`)).rejects.toThrow();

    const res = await inFlight;
    expect(res.status).toBe(200);
    expect(((await res.json()) as { response: string }).response).toBe("slow but done");
    const { code, output } = await exited;
    expect(code).toBe(0);
    expect(output).toMatch(/shutting down/);
  }, SERVER_TEST_MS);
});

describe("JWKS verification (Better Auth's EdDSA keys)", () => {
  it("accepts tokens signed by a published key and refuses others, checking issuer and audience", async () => {
    const { publicKey, privateKey } = await generateKeyPair("EdDSA", { crv: "Ed25519" });
    const other = await generateKeyPair("EdDSA", { crv: "Ed25519" });
    const jwk = { ...(await exportJWK(publicKey)), kid: "k1", alg: "EdDSA" };
    const jwks = createServer((_req, res) => res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ keys: [jwk] })));
    await new Promise<void>((r) => jwks.listen(0, "127.0.0.1", r));
    const url = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/api/auth/jwks`;
    const verify = createTokenVerifier({ jwksUrl: url, issuer: "http://app", audience: "http://app" });
    const sign = (key: Parameters<SignJWT["sign"]>[0], iss = "http://app") =>
      new SignJWT({}).setProtectedHeader({ alg: "EdDSA", kid: "k1" }).setSubject("user-42").setIssuer(iss).setAudience("http://app").setExpirationTime("5m").sign(key);
    try {
      expect(await verify(`Bearer ${await sign(privateKey)}`)).toBe("user-42");
      await expect(verify(`Bearer ${await sign(other.privateKey)}`)).rejects.toThrow(/invalid or expired/);
      await expect(verify(`Bearer ${await sign(privateKey, "http://evil")}`)).rejects.toThrow(/invalid or expired/);
      await expect(verify(undefined)).rejects.toThrow(/missing bearer token/);
    } finally {
      await new Promise((r) => jwks.close(r));
    }
  });

  it("answers 503 with Retry-After, not 401, when the key set cannot be fetched, and refuses tokens without exp", async () => {
    const { publicKey, privateKey } = await generateKeyPair("EdDSA", { crv: "Ed25519" });
    const jwk = { ...(await exportJWK(publicKey)), kid: "k1", alg: "EdDSA" };
    let mode: "down" | "error" | "garbage" | "up" = "down";
    const jwks = createServer((_req, res) => {
      if (mode === "error") return res.writeHead(502).end("bad gateway");
      if (mode === "garbage") return res.writeHead(200, { "content-type": "text/html" }).end("<html>");
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ keys: [jwk] }));
    });
    // Reserve a port, then leave it closed: the key set is unreachable.
    const port = await freePort();
    const url = `http://127.0.0.1:${port}/api/auth/jwks`;
    const verify = createTokenVerifier({ jwksUrl: url });
    const good = await new SignJWT({}).setProtectedHeader({ alg: "EdDSA", kid: "k1" }).setSubject("user-7").setExpirationTime("5m").sign(privateKey);
    // No database: every request here must stop at authentication.
    const app = await startApp(undefined as unknown as Parameters<typeof startApp>[0], { verifyToken: verify });
    const get = () => fetch(`${app.url}/api/user-7/tasks`, { headers: { authorization: `Bearer ${good}` } });
    try {
      const refused = await get();
      expect(refused.status).toBe(503);
      expect(refused.headers.get("retry-after")).toMatch(/^\d+$/);
      expect(((await refused.json()) as { error: { code: string } }).error.code).toBe("auth_unavailable");

      await new Promise<void>((r) => jwks.listen(port, "127.0.0.1", r));
      for (const m of ["error", "garbage"] as const) {
        mode = m;
        await expect(verify(`Bearer ${good}`)).rejects.toMatchObject({ status: 503 });
      }
      mode = "up";
      expect(await verify(`Bearer ${good}`)).toBe("user-7");
      // With the key set reachable, an unknown key is the token's fault: 401.
      const stranger = await new SignJWT({}).setProtectedHeader({ alg: "EdDSA", kid: "other" }).setSubject("user-7").setExpirationTime("5m").sign(privateKey);
      await expect(verify(`Bearer ${stranger}`)).rejects.toMatchObject({ status: 401 });
      const eternal = await new SignJWT({}).setProtectedHeader({ alg: "EdDSA", kid: "k1" }).setSubject("user-7").sign(privateKey);
      await expect(verify(`Bearer ${eternal}`)).rejects.toMatchObject({ status: 401 });
      const eternalHs = await new SignJWT({}).setProtectedHeader({ alg: "HS256" }).setSubject("user-7").setIssuedAt().sign(new TextEncoder().encode(SECRET));
      await expect(createTokenVerifier({ secret: SECRET })(`Bearer ${eternalHs}`)).rejects.toMatchObject({ status: 401, code: "invalid_token" });
    } finally {
      await app.close();
      await new Promise((r) => jwks.close(r));
    }
  });
});
