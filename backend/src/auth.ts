// Bearer JWT verification with jose: against the frontend's JWKS (Better Auth)
// or a shared HS256 secret, chosen by configuration. Every token must expire
// (`exp` is required). A key set that cannot be fetched is our outage, not the
// caller's bad token: 503 with Retry-After, not 401.
import { webcrypto } from "node:crypto";
import { type FlattenedJWSInput, type JWTHeaderParameters, type JWTVerifyGetKey, createRemoteJWKSet, errors, jwtVerify } from "jose";
import type { Config } from "./config.js";
import { HttpError, unavailable } from "./http/errors.js";
import { textProblem } from "./tasks/validation.js";

export type TokenVerifier = (authorization: string | undefined) => Promise<string>;

/** The key set could not be fetched or read (network, timeout, non-200, not a JWKS). */
class KeySetUnavailable extends Error {}

// Errors from the key lookup that are about the token (its kid or alg), not the key set's availability.
const TOKEN_FAULTS = [errors.JWKSNoMatchingKey, errors.JWKSMultipleMatchingKeys, errors.JOSEAlgNotAllowed, errors.JOSENotSupported, errors.JWSInvalid, errors.JWTInvalid];

/** At most 255 characters, none of them a control character (C0, DEL or C1). */
const USER_ID = /^[^\p{Cc}]{1,255}$/u;

/** Verified tokens remembered at most (a few MB): beyond it the oldest is forgotten and verified again when it comes back. */
export const VERIFIED_TOKENS_MAX = 10_000;

export function createTokenVerifier(auth: Config["auth"]): TokenVerifier {
  let key: webcrypto.CryptoKey | Promise<webcrypto.CryptoKey> | JWTVerifyGetKey;
  if (auth.jwksUrl) {
    const remote = createRemoteJWKSet(new URL(auth.jwksUrl), { cooldownDuration: 30_000, timeoutDuration: 5_000 });
    key = async (header: JWTHeaderParameters, token: FlattenedJWSInput) => {
      try {
        return await remote(header, token);
      } catch (err) {
        if (TOKEN_FAULTS.some((fault) => err instanceof fault)) throw err;
        throw new KeySetUnavailable((err as Error)?.message ?? String(err), { cause: err });
      }
    };
  } else {
    // Imported once: given the raw bytes, jose would import the key again for every request.
    key = webcrypto.subtle.importKey("raw", new TextEncoder().encode(auth.secret), { name: "HMAC", hash: "SHA-256" }, false, ["verify"]);
  }
  const options = {
    ...(auth.issuer ? { issuer: auth.issuer } : {}),
    ...(auth.audience ? { audience: auth.audience } : {}),
    algorithms: auth.jwksUrl ? ["EdDSA", "ES256", "RS256", "PS256"] : ["HS256"],
    requiredClaims: ["exp"],
  };
  // Tokens already verified, by their exact text (signature included), until
  // they expire: a client sends the same token for its whole life (15 minutes
  // from Better Auth), and checking its signature again on every request
  // protects nothing while costing most of a request's CPU (WebCrypto's HMAC
  // and Ed25519 run as async jobs). Only successes are kept, and `exp` is
  // checked on every hit.
  const verified = new Map<string, { subject: string; expiresAt: number }>();
  return async (authorization) => {
    const match = authorization?.match(/^Bearer\s+(\S+)$/i);
    if (!match) throw new HttpError(401, "unauthorized", "missing bearer token; send Authorization: Bearer <JWT>");
    const jwt = match[1]!;
    const known = verified.get(jwt);
    if (known) {
      if (Date.now() < known.expiresAt) return known.subject;
      verified.delete(jwt);
    }
    let subject: unknown;
    let expiresAt = 0;
    try {
      const { payload } = await jwtVerify(jwt, (key instanceof Promise ? await key : key) as unknown as Uint8Array, options);
      subject = payload.sub;
      expiresAt = payload.exp! * 1000;
    } catch (err) {
      if (err instanceof KeySetUnavailable) {
        throw unavailable("auth_unavailable", "the keys that verify sign-in tokens cannot be fetched right now; retry in a few seconds");
      }
      throw new HttpError(401, "invalid_token", "the bearer token is invalid or expired; sign in again");
    }
    if (typeof subject !== "string" || subject === "") throw new HttpError(401, "invalid_token", "the bearer token has no subject; sign in again");
    // The subject becomes the user_id stored and indexed with every row: a
    // control character (NUL above all, which PostgreSQL text cannot hold), a
    // lone surrogate or an over-long value is no user id any issuer of ours
    // makes, even in a validly signed token.
    if (!USER_ID.test(subject) || textProblem(subject)) throw new HttpError(401, "invalid_token", "the bearer token's subject is not a valid user id; sign in again");
    if (verified.size >= VERIFIED_TOKENS_MAX) verified.delete(verified.keys().next().value!); // the oldest
    verified.set(jwt, { subject, expiresAt });
    return subject;
  };
}
