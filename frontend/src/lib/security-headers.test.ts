// @vitest-environment node
import { describe, expect, it } from "vitest";
import { contentSecurityPolicy, isCrossOriginPagePost, madeByBrowser, newNonce, servedOverHttps } from "./security-headers";

const headers = (values: Record<string, string>) => new Headers(values);

describe("security headers", () => {
  it("builds a nonce-based policy that forbids framing, with no unsafe-inline and no unsafe-eval in production", () => {
    const csp = contentSecurityPolicy({ nonce: "abc", dev: false, https: false });
    expect(csp).toContain("script-src 'self' 'nonce-abc' 'strict-dynamic'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|upgrade-insecure-requests/);
    expect(csp).toContain("style-src 'self' 'nonce-abc'");
    const dev = contentSecurityPolicy({ nonce: "abc", dev: true, https: true });
    expect(dev).toMatch(/'unsafe-eval'.*upgrade-insecure-requests/);
    // Only under next dev: inline styles for its overlay (with no nonce beside it, which would disable 'unsafe-inline').
    expect(dev).toContain("style-src 'self' 'unsafe-inline';");
    expect(dev).toContain("script-src 'self' 'nonce-abc' 'strict-dynamic' 'unsafe-eval'");
  });

  it("makes a different nonce every time", () => {
    const nonces = new Set(Array.from({ length: 100 }, newNonce));
    expect(nonces.size).toBe(100);
    expect([...nonces][0]).toMatch(/^[A-Za-z0-9+/]{24}$/);
  });

  it("knows HTTPS from X-Forwarded-Proto", () => {
    expect(servedOverHttps(headers({ "x-forwarded-proto": "https" }))).toBe(true);
    expect(servedOverHttps(headers({ "x-forwarded-proto": "http" }))).toBe(false);
    expect(servedOverHttps(headers({}))).toBe(false);
  });

  it("flags a post to a page from another origin, not a same-origin one or an API call", () => {
    const same = { host: "todo.example.com", origin: "https://todo.example.com" };
    expect(isCrossOriginPagePost("POST", "/tasks", headers(same))).toBe(false);
    expect(isCrossOriginPagePost("POST", "/tasks", headers({ ...same, origin: "https://evil.example" }))).toBe(true);
    expect(isCrossOriginPagePost("POST", "/tasks", headers({ ...same, origin: "null" }))).toBe(true);
    expect(isCrossOriginPagePost("POST", "/tasks", headers({ host: "todo.example.com" }))).toBe(false);
    expect(isCrossOriginPagePost("POST", "/tasks", headers({ ...same, host: "pod:3000", "x-forwarded-host": "todo.example.com" }))).toBe(false);
    expect(isCrossOriginPagePost("GET", "/tasks", headers({ ...same, origin: "https://evil.example" }))).toBe(false);
    expect(isCrossOriginPagePost("POST", "/api/auth/sign-in/email", headers({ ...same, origin: "https://evil.example" }))).toBe(false);
  });

  it("tells a browser's request by its Sec-Fetch headers", () => {
    expect(madeByBrowser(headers({ "sec-fetch-mode": "cors", "sec-fetch-site": "same-origin" }))).toBe(true);
    expect(madeByBrowser(headers({ "sec-fetch-dest": "empty" }))).toBe(true);
    expect(madeByBrowser(headers({ cookie: "x=1" }))).toBe(false);
    // Node's fetch (the deploy smoke test) sends Sec-Fetch-Mode only.
    expect(madeByBrowser(headers({ cookie: "x=1", "sec-fetch-mode": "cors" }))).toBe(false);
  });
});
