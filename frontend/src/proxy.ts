// Runs before every route (static assets excepted): refuses cross-origin
// posts to pages with 403, and puts the security headers and a per-request
// Content-Security-Policy nonce on each response (src/lib/security-headers.ts).
import { NextResponse, type NextRequest } from "next/server";
import {
  contentSecurityPolicy,
  HSTS,
  isCrossOriginPagePost,
  newNonce,
  servedOverHttps,
  STATIC_SECURITY_HEADERS,
} from "@/lib/security-headers";

export function proxy(request: NextRequest): NextResponse {
  const https = servedOverHttps(request.headers);
  const nonce = newNonce();
  const csp = contentSecurityPolicy({ nonce, dev: process.env.NODE_ENV === "development", https });

  let response: NextResponse;
  if (isCrossOriginPagePost(request.method, request.nextUrl.pathname, request.headers)) {
    response = NextResponse.json({ error: "Cross-origin request refused." }, { status: 403 });
  } else {
    // Next.js reads the policy from the request to stamp the nonce on its scripts.
    const requestHeaders = new Headers(request.headers);
    requestHeaders.set("x-nonce", nonce);
    requestHeaders.set("content-security-policy", csp);
    response = NextResponse.next({ request: { headers: requestHeaders } });
  }
  response.headers.set("Content-Security-Policy", csp);
  for (const [name, value] of Object.entries(STATIC_SECURITY_HEADERS)) response.headers.set(name, value);
  if (https) response.headers.set("Strict-Transport-Security", HSTS);
  return response;
}

export const config = {
  matcher: ["/((?!_next/static|_next/image|favicon.ico).*)"],
};
