// The token verifier's memory of verified tokens: a hit skips the signature
// check, never the expiry, and only a byte-identical token hits.
import { SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { createTokenVerifier } from "../src/auth.js";
import { SECRET, token } from "./helpers.js";

const sign = (sub: string, exp: number) =>
  new SignJWT({}).setProtectedHeader({ alg: "HS256" }).setSubject(sub).setIssuedAt().setExpirationTime(exp).sign(new TextEncoder().encode(SECRET));
const status = (p: Promise<unknown>) => p.then(() => 200, (e: { status?: number }) => e.status);

describe("token verifier", () => {
  it("answers a token it verified before from memory, with the same subject", async () => {
    const verify = createTokenVerifier({ secret: SECRET });
    const bearer = `Bearer ${await token("alice")}`;
    expect(await verify(bearer)).toBe("alice");
    expect(await verify(bearer)).toBe("alice");
  });

  it("still refuses a remembered token once it has expired", async () => {
    const verify = createTokenVerifier({ secret: SECRET });
    const exp = Math.floor(Date.now() / 1000) + 2;
    const bearer = `Bearer ${await sign("bob", exp)}`;
    expect(await verify(bearer)).toBe("bob");
    await new Promise((r) => setTimeout(r, exp * 1000 - Date.now() + 50));
    expect(await status(verify(bearer))).toBe(401);
  });

  it("does not let a token with the same payload but another signature through", async () => {
    const verify = createTokenVerifier({ secret: SECRET });
    const good = await token("carol");
    expect(await verify(`Bearer ${good}`)).toBe("carol");
    const [header, payload] = good.split(".");
    const forged = `${header}.${payload}.${"A".repeat(43)}`;
    expect(await status(verify(`Bearer ${forged}`))).toBe(401);
    const other = await token("carol", "another-secret-of-sufficient-length-000");
    expect(await status(verify(`Bearer ${other}`))).toBe(401);
  });
});
