import path from "node:path";
import type { NextConfig } from "next";
import { STATIC_SECURITY_HEADERS } from "./src/lib/security-headers";

// Nothing deployment-specific is read here: next.config is evaluated at build
// time, and the same build must run anywhere (BACKEND_URL, DATABASE_URL and
// the auth settings are read per request by src/lib/config.ts).
const config: NextConfig = {
  output: "standalone",
  // npm workspaces hoist dependencies to the repository root; trace from there
  // so .next/standalone holds everything server.js needs.
  outputFileTracingRoot: path.join(import.meta.dirname, ".."),
  turbopack: { root: path.join(import.meta.dirname, "..") },
  // pg ships optional native bindings; keep it a plain Node require.
  serverExternalPackages: ["pg"],
  poweredByHeader: false,
  // On every response, static assets included; src/proxy.ts adds the
  // per-request Content-Security-Policy (and HSTS over HTTPS) to the rest.
  async headers() {
    const headers = Object.entries(STATIC_SECURITY_HEADERS).map(([key, value]) => ({ key, value }));
    return [{ source: "/:path*", headers }];
  },
};

export default config;
