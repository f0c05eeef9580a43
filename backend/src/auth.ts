// Bearer JWT verification with jose: against the frontend's JWKS (Better Auth)
// or a shared HS256 secret, chosen by configuration.
import { type JWTVerifyGetKey, createRemoteJWKSet, jwtVerify } from "jose";
import type { Config } from "./config.js";
import { HttpError } from "./http/errors.js";

export type TokenVerifier = (authorization: string | undefined) => Promise<string>;

export function createTokenVerifier(auth: Config["auth"]): TokenVerifier {
  const key: Uint8Array | JWTVerifyGetKey = auth.jwksUrl
    ? createRemoteJWKSet(new URL(auth.jwksUrl), { cooldownDuration: 30_000, timeoutDuration: 5_000 })
    : new TextEncoder().encode(auth.secret);
  const options = {
    ...(auth.issuer ? { issuer: auth.issuer } : {}),
    ...(auth.audience ? { audience: auth.audience } : {}),
    algorithms: auth.jwksUrl ? ["EdDSA", "ES256", "RS256", "PS256"] : ["HS256"],
  };
  return async (authorization) => {
    const match = authorization?.match(/^Bearer\s+(\S+)$/i);
    if (!match) throw new HttpError(401, "unauthorized", "missing bearer token; send Authorization: Bearer <JWT>");
    try {
      const { payload } = await jwtVerify(match[1]!, key as Uint8Array, options);
      if (typeof payload.sub !== "string" || payload.sub === "") throw new Error("token has no subject");
      return payload.sub;
    } catch {
      throw new HttpError(401, "invalid_token", "the bearer token is invalid or expired; sign in again");
    }
  };
}
