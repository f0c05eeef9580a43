// Response headers that keep the pages from being framed, sniffed or leaking
// URLs, and the per-request Content-Security-Policy with a nonce (the Next.js
// way: src/proxy.ts makes the nonce and puts the policy on the request, and
// Next.js stamps the nonce on its own scripts). Pure, so it is unit-tested;
// e2e/security.e2e.test.ts checks the real responses.

type HeaderSource = { get(name: string): string | null };

/** Headers every response carries, static assets included (also set in next.config.ts). */
export const STATIC_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "strict-origin-when-cross-origin",
  // For browsers without CSP frame-ancestors.
  "X-Frame-Options": "DENY",
  "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
};

/** Sent only on responses served over HTTPS (browsers ignore it over HTTP anyway). */
export const HSTS = "max-age=31536000; includeSubDomains";

/** A fresh, unguessable nonce for one response. */
export function newNonce(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(18))).toString("base64");
}

/**
 * The policy: scripts only with this response's nonce (and what they load,
 * 'strict-dynamic'); styles from this origin or with the nonce; nothing may
 * frame the page. Development adds 'unsafe-eval' (React's dev tooling needs
 * it) and allows inline styles (the dev overlay's); HTTPS adds
 * upgrade-insecure-requests.
 */
export function contentSecurityPolicy({ nonce, dev, https }: { nonce: string; dev: boolean; https: boolean }): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${dev ? " 'unsafe-eval'" : ""}`,
    // Next's dev overlay (`next dev` only) injects styles without the nonce;
    // where a nonce is listed browsers ignore 'unsafe-inline', so dev lists none.
    dev ? "style-src 'self' 'unsafe-inline'" : `style-src 'self' 'nonce-${nonce}'`,
    "img-src 'self' blob: data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    ...(https ? ["upgrade-insecure-requests"] : []),
  ].join("; ");
}

/** Whether the browser reached us over HTTPS: X-Forwarded-Proto (set by the ingress, or by Next.js from the socket). */
export function servedOverHttps(headers: HeaderSource): boolean {
  return (headers.get("x-forwarded-proto") ?? "").split(",")[0]!.trim().toLowerCase() === "https";
}

/**
 * A POST to a page (where server actions live) whose Origin is not this host:
 * Next.js refuses it too, but with a 500; the proxy answers 403 first. The
 * host is compared as Next.js does: X-Forwarded-Host, else Host. A request
 * without Origin is left to Next.js (it allows those, for old browsers).
 */
export function isCrossOriginPagePost(method: string, pathname: string, headers: HeaderSource): boolean {
  if (method !== "POST" || pathname.startsWith("/api/")) return false;
  const origin = headers.get("origin");
  if (origin === null) return false;
  let originHost: string;
  try {
    originHost = new URL(origin).host;
  } catch {
    return true; // "null" (sandboxed frames, privacy-sensitive contexts) or garbage
  }
  const host = (headers.get("x-forwarded-host") ?? headers.get("host") ?? "").split(",")[0]!.trim();
  return !host || originHost.toLowerCase() !== host.toLowerCase();
}

/**
 * A request a browser made: browsers (Chromium, Firefox, Safari 16.4+) send
 * Sec-Fetch-Site and Sec-Fetch-Dest on every request, and page script can
 * neither remove nor forge them. (Sec-Fetch-Mode alone proves nothing: Node's
 * fetch sends it too.) /api/auth/token refuses those, so the JWT never
 * reaches a browser; server code and non-browser clients holding a session
 * (the deploy smoke test) still get one.
 */
export function madeByBrowser(headers: HeaderSource): boolean {
  return headers.get("sec-fetch-site") !== null || headers.get("sec-fetch-dest") !== null;
}
