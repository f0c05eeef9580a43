// @vitest-environment node
// The rate limiter's key: the connection's address, and a forwarded one only
// from proxies TRUSTED_PROXIES names. Checked on a real http.Server with real
// connections from different loopback addresses (127.0.0.0/8 is all local).
import { once } from "node:events";
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { installClientAddressHook, parseTrustedProxies, resolveClientAddress } from "./client-address";

describe("resolveClientAddress", () => {
  const none = parseTrustedProxies("");
  const proxies = parseTrustedProxies("10.0.0.5, 10.1.0.0/16 2001:db8::/32");

  it("keys on the connection when no proxy is trusted, whatever X-Forwarded-For says", () => {
    expect(resolveClientAddress("203.0.113.9", "198.51.100.1", none)).toBe("203.0.113.9");
    expect(resolveClientAddress("::ffff:203.0.113.9", undefined, none)).toBe("203.0.113.9");
  });

  it("takes the forwarded address from a trusted proxy, walking trusted hops from the right", () => {
    expect(resolveClientAddress("10.0.0.5", "198.51.100.1", proxies)).toBe("198.51.100.1");
    // The client claimed 1.2.3.4; the first proxy saw 198.51.100.1, the second (trusted) saw the first (trusted).
    expect(resolveClientAddress("10.0.0.5", "1.2.3.4, 198.51.100.1, 10.1.4.4", proxies)).toBe("198.51.100.1");
    expect(resolveClientAddress("2001:db8::1", "2001:DB8::2, 192.0.2.7", proxies)).toBe("192.0.2.7");
  });

  it("keys on the proxy when it forwarded nothing usable", () => {
    expect(resolveClientAddress("10.0.0.5", undefined, proxies)).toBe("10.0.0.5");
    expect(resolveClientAddress("10.0.0.5", "not-an-ip", proxies)).toBe("10.0.0.5");
  });

  it("refuses a TRUSTED_PROXIES entry that is not an address or range, naming it", () => {
    expect(() => parseTrustedProxies("10.0.0.0/33")).toThrow(/"10.0.0.0\/33"/);
    expect(() => parseTrustedProxies("ingress-nginx")).toThrow(/TRUSTED_PROXIES/);
  });
});

describe("installClientAddressHook on a real server", () => {
  let server: Server;
  let port: number;

  beforeAll(async () => {
    installClientAddressHook(parseTrustedProxies("127.0.0.2"));
    server = createServer((req, res) => res.end(JSON.stringify({ xff: req.headers["x-forwarded-for"] ?? null })));
    server.listen(0, "0.0.0.0");
    await once(server, "listening");
    port = (server.address() as AddressInfo).port;
  });

  afterAll(() => {
    installClientAddressHook(parseTrustedProxies(""));
    server?.close();
  });

  function get(localAddress: string, xff?: string): Promise<string | null> {
    return new Promise((resolve, reject) => {
      const req = request({ host: "127.0.0.1", port, localAddress, headers: xff ? { "x-forwarded-for": xff } : {} }, (res) => {
        let body = "";
        res.on("data", (c: Buffer) => (body += c.toString()));
        res.on("end", () => resolve((JSON.parse(body) as { xff: string | null }).xff));
      });
      req.on("error", reject);
      req.end();
    });
  }

  it("replaces a client's X-Forwarded-For with its connection address", async () => {
    expect(await get("127.0.0.1", "198.51.100.1")).toBe("127.0.0.1");
    expect(await get("127.0.0.3", "198.51.100.1, 127.0.0.2")).toBe("127.0.0.3");
  });

  it("keeps the address a trusted proxy forwarded, as a single value", async () => {
    expect(await get("127.0.0.2", "1.2.3.4, 198.51.100.1")).toBe("198.51.100.1");
    expect(await get("127.0.0.2")).toBe("127.0.0.2");
  });
});
