// The address a request came from, for rate limiting: the TCP peer, or, when
// that peer is a proxy the configuration trusts (TRUSTED_PROXIES), the
// address it forwarded in X-Forwarded-For. Next.js keeps whatever
// X-Forwarded-For a client sends and only fills it in when absent, so a client
// could otherwise pick its own rate-limit key; installClientAddressHook
// rewrites the header on every incoming request, before Next.js sees it, to the
// one address resolved here. Better Auth's limiter and the server actions then
// read that single value.
import { BlockList, isIP } from "node:net";
import { Server, type IncomingMessage } from "node:http";
import { ConfigError } from "./config";

export type TrustedProxies = BlockList;

/** Parses TRUSTED_PROXIES: comma- or space-separated IP addresses and CIDR ranges (v4 or v6). Empty: trust none. */
export function parseTrustedProxies(value: string | undefined): TrustedProxies {
  const list = new BlockList();
  for (const entry of (value ?? "").split(/[\s,]+/).filter(Boolean)) {
    const [address = "", prefix, extra] = entry.split("/");
    const family = isIP(address);
    const bits = prefix === undefined ? undefined : /^\d+$/.test(prefix) ? Number(prefix) : NaN;
    if (!family || extra !== undefined || (bits !== undefined && !(bits <= (family === 4 ? 32 : 128)))) {
      throw new ConfigError(
        `TRUSTED_PROXIES has "${entry}", which is not an IP address or CIDR range. Fix: list your proxies' addresses, e.g. TRUSTED_PROXIES=10.0.0.5,10.1.0.0/16`,
      );
    }
    const type = family === 4 ? "ipv4" : "ipv6";
    if (bits === undefined) list.addAddress(address, type);
    else list.addSubnet(address, bits, type);
  }
  return list;
}

/** "::ffff:192.0.2.1" → "192.0.2.1"; anything that is not an IP address → undefined. */
export function normalizeAddress(value: string | undefined): string | undefined {
  const trimmed = value?.trim().replace(/^\[(.*)\]$/, "$1");
  if (!trimmed || !isIP(trimmed)) return undefined;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(trimmed);
  return mapped ? mapped[1] : trimmed.toLowerCase();
}

function trusted(address: string, proxies: TrustedProxies): boolean {
  return proxies.check(address, isIP(address) === 4 ? "ipv4" : "ipv6");
}

/**
 * The client's address: the TCP peer, unless the peer is a trusted proxy; then
 * X-Forwarded-For is walked from the right (the hop each proxy appended),
 * skipping trusted proxies, and the first untrusted address is the client.
 * Anything left of that is what the client claimed, and is ignored.
 */
export function resolveClientAddress(
  peer: string | undefined,
  forwardedFor: string | string[] | undefined,
  proxies: TrustedProxies,
): string | undefined {
  let client = normalizeAddress(peer);
  if (!client) return undefined;
  const hops = (Array.isArray(forwardedFor) ? forwardedFor.join(",") : (forwardedFor ?? "")).split(",");
  while (trusted(client, proxies)) {
    const hop = hops.pop();
    if (hop === undefined) break; // the proxy itself made the request
    const address = normalizeAddress(hop);
    if (!address) break; // a trusted proxy forwarded garbage: key on the proxy
    client = address;
  }
  return client;
}

const installed = Symbol.for("todo.clientAddressHook");

/**
 * Rewrites X-Forwarded-For on every request an http.Server in this process
 * receives to the single resolved client address (and X-Real-IP alike).
 * Installed once at server start (instrumentation.ts); idempotent.
 */
export function installClientAddressHook(proxies: TrustedProxies): void {
  const proto = Server.prototype as unknown as Record<symbol, unknown> & { emit: (...args: unknown[]) => boolean };
  if (proto[installed]) {
    proto[installed] = proxies;
    return;
  }
  proto[installed] = proxies;
  const emit = proto.emit;
  proto.emit = function (this: Server, event: unknown, ...args: unknown[]) {
    if (event === "request") {
      const request = args[0] as IncomingMessage;
      const current = (Server.prototype as unknown as Record<symbol, TrustedProxies>)[installed]!;
      const client = resolveClientAddress(request.socket?.remoteAddress, request.headers["x-forwarded-for"], current);
      if (client) {
        request.headers["x-forwarded-for"] = client;
        request.headers["x-real-ip"] = client;
      } else {
        delete request.headers["x-forwarded-for"];
        delete request.headers["x-real-ip"];
      }
    }
    return emit.call(this, event, ...args);
  };
}
