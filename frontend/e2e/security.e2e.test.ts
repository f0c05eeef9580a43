// Hardening, checked on the production build's real responses (issue 12):
// security headers and the CSP nonce, sign-in rate limiting keyed on the
// connection's address (X-Forwarded-For believed only from TRUSTED_PROXIES,
// 127.0.0.2 in this stack), the password policy, cross-origin posts, and the
// JWT kept away from browsers. Direct requests use distinct loopback source
// addresses (127.0.0.0/8 is all local) so they do not share a rate-limit
// count with the browser (127.0.0.1) or the other test files.
import { request as httpRequest } from "node:http";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { launch } from "./browser";

const frontendUrl = inject("frontendUrl");
const run = Date.now().toString(36);
const carol = { name: "Carol", email: `carol-${run}@example.com`, password: "lantern orbit pebble 3" };

let browser: Awaited<ReturnType<typeof launch>>;
let context: BrowserContext;
let page: Page;
const violations: string[] = [];
/** Better Auth's sign-in window is 10 s since the last attempt; one more second of margin. */
const SIGN_IN_WINDOW_MS = 11_000;

beforeAll(async () => {
  browser = await launch();
  context = browser.context;
  page = context.pages()[0] ?? (await context.newPage());
  page.on("console", (message) => {
    if (/content security policy/i.test(message.text())) violations.push(message.text());
  });
});

afterAll(async () => {
  await browser?.close();
  // The browser's sign-in and sign-up attempts count against 127.0.0.1 for
  // 10 s; let that window pass before the next file signs anyone in.
  await new Promise((r) => setTimeout(r, SIGN_IN_WINDOW_MS));
});

/** A request from a chosen loopback address, as node:http lets us bind the source. */
function send(
  localAddress: string,
  path: string,
  { method = "GET", headers = {}, body }: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  const url = new URL(path, frontendUrl);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: url.hostname, port: url.port, path: url.pathname + url.search, method, headers, localAddress }, (res) => {
      let text = "";
      res.on("data", (chunk: Buffer) => (text += chunk.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

function signInOverHttp(localAddress: string, forwardedFor: string | undefined, password: string) {
  return send(localAddress, "/api/auth/sign-in/email", {
    method: "POST",
    headers: {
      "content-type": "application/json",
      origin: frontendUrl,
      ...(forwardedFor ? { "x-forwarded-for": forwardedFor } : {}),
    },
    body: JSON.stringify({ email: `nobody-${run}@example.com`, password }),
  });
}

describe("security headers", () => {
  it("puts a nonce CSP, frame-ancestors 'none', nosniff and a Referrer-Policy on a page, and the nonce on its scripts", async () => {
    const response = await fetch(`${frontendUrl}/sign-in`);
    expect(response.status).toBe(200);
    const csp = response.headers.get("content-security-policy") ?? "";
    const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
    expect(nonce).toBeTruthy();
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain("unsafe-inline");
    expect(csp).not.toContain("unsafe-eval");
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    expect(response.headers.get("referrer-policy")).toBe("strict-origin-when-cross-origin");
    expect(response.headers.get("x-frame-options")).toBe("DENY");
    expect(response.headers.get("strict-transport-security")).toBeNull(); // plain HTTP here

    const html = await response.text();
    const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
    expect(scripts.length).toBeGreaterThan(0);
    for (const tag of scripts) expect(tag).toContain(`nonce="${nonce}"`);

    const again = await fetch(`${frontendUrl}/sign-in`);
    expect(again.headers.get("content-security-policy")).not.toContain(`'nonce-${nonce}'`);
  });

  it("adds HSTS when the request came over HTTPS (X-Forwarded-Proto from the ingress)", async () => {
    const response = await fetch(`${frontendUrl}/sign-in`, { headers: { "x-forwarded-proto": "https" } });
    expect(response.headers.get("strict-transport-security")).toMatch(/max-age=\d{7,}/);
    expect(response.headers.get("content-security-policy")).toContain("upgrade-insecure-requests");
  });

  it("sends nosniff with static assets and API responses", async () => {
    const html = await (await fetch(`${frontendUrl}/sign-in`)).text();
    const asset = /src="(\/_next\/static\/[^"]+\.js)"/.exec(html)?.[1];
    expect(asset).toBeTruthy();
    const script = await fetch(`${frontendUrl}${asset}`);
    expect(script.status).toBe(200);
    expect(script.headers.get("x-content-type-options")).toBe("nosniff");
    const health = await fetch(`${frontendUrl}/api/health`);
    expect(health.headers.get("x-content-type-options")).toBe("nosniff");
  });

  it("runs the app's scripts in Chromium under the policy, with no violation, and cannot be framed", async () => {
    await page.goto(`${frontendUrl}/sign-in`);
    await page.getByRole("heading", { name: "Sign in" }).waitFor();
    // Next.js' client runtime ran (it sets window.next) despite script-src allowing only nonced scripts.
    await page.waitForFunction(() => typeof (window as unknown as { next?: unknown }).next === "object");
    expect(violations).toEqual([]);

    const framer = await context.newPage();
    await framer.setContent(`<iframe id="f" src="${frontendUrl}/sign-in"></iframe>`);
    await framer.waitForTimeout(1_500);
    const framed = framer.frames().find((f) => f !== framer.mainFrame());
    // Chromium shows its own error page in the frame instead of the app.
    const heading = framed ? await framed.getByRole("heading", { name: "Sign in" }).count().catch(() => 0) : 0;
    expect(heading).toBe(0);
    await framer.close();
  });
});

describe("cross-origin posts", () => {
  it("answers a cross-origin server action with 403, not 500", async () => {
    const response = await fetch(`${frontendUrl}/sign-in`, {
      method: "POST",
      headers: { "next-action": "0".repeat(42), origin: "https://evil.example", "content-type": "text/plain;charset=UTF-8" },
      body: "[]",
    });
    expect(response.status).toBe(403);
  });
});

describe("sign-in rate limiting", () => {
  it("ignores a client's own X-Forwarded-For: 12 rotated values from one connection address are throttled", async () => {
    const statuses: number[] = [];
    for (let i = 1; i <= 12; i++) statuses.push((await signInOverHttp("127.0.0.3", `198.51.100.${i}`, "wrong-password!")).status);
    expect(statuses.slice(0, 3)).toEqual([401, 401, 401]);
    expect(statuses.slice(3).every((s) => s === 429)).toBe(true);
  });

  it("believes X-Forwarded-For from a trusted proxy: each forwarded client has its own count", async () => {
    const distinct: number[] = [];
    for (let i = 1; i <= 5; i++) distinct.push((await signInOverHttp("127.0.0.2", `203.0.113.${i}`, "wrong-password!")).status);
    expect(distinct).toEqual([401, 401, 401, 401, 401]);
    const same: number[] = [];
    for (let i = 1; i <= 4; i++) same.push((await signInOverHttp("127.0.0.2", "1.2.3.4, 203.0.113.77", "wrong-password!")).status);
    expect(same).toEqual([401, 401, 401, 429]);
  });

  it("throttles the sign-in form (the server action) with the same limiter", async () => {
    // The browser signs in from 127.0.0.1 like the other browser suites (app.e2e
    // signs in several times just before this file when the sequencer puts it
    // first): wait out Better Auth's 10 s window so the count starts at zero.
    await new Promise((r) => setTimeout(r, SIGN_IN_WINDOW_MS));
    const alerts: string[] = [];
    for (let i = 1; i <= 4; i++) {
      await page.goto(`${frontendUrl}/sign-in`);
      await page.getByLabel("Email").fill(`nobody-${run}@example.com`);
      await page.getByLabel("Password").fill(`wrong-password-${i}`);
      await page.getByRole("button", { name: "Sign in" }).click();
      // (Next's route announcer is also role="alert"; look inside the form.)
      const alert = page.locator("form [role=alert]");
      await alert.waitFor();
      alerts.push((await alert.textContent()) ?? "");
    }
    const refused = expect.stringMatching(/invalid email or password/i);
    expect(alerts).toEqual([refused, refused, refused, expect.stringMatching(/too many attempts/i)]);
  });
});

describe("password policy and the JWT", () => {
  it("refuses an easy password on the sign-up form with the API's own message, then accepts a good one", async () => {
    // Two refusals and one success: within the sign-up limit of 3 per 10 s from the browser's address.
    const REPEATS = 'Repeated characters like "aaa" are easy to guess. Choose a harder one: a few unrelated words make a strong password.';
    const SEQUENCE = 'Common character sequences like "abc" are easy to guess. Choose a harder one: a few unrelated words make a strong password.';
    await page.goto(`${frontendUrl}/sign-up`);
    let before = "";
    for (const [password, message] of [["aaaaaaaaaa", REPEATS], ["abcdefghij", SEQUENCE]] as const) {
      await page.getByLabel("Name").fill(carol.name);
      await page.getByLabel("Email").fill(carol.email);
      await page.getByLabel("Password").fill(password);
      await page.getByRole("button", { name: "Create account" }).click();
      await page.waitForFunction((previous) => (document.querySelector("form [role=alert]")?.textContent ?? "") !== previous, before);
      before = (await page.locator("form [role=alert]").textContent()) ?? "";
      expect({ password, shown: before }).toEqual({ password, shown: message });
    }
    // The API answers the same sentences (from another address: its own sign-up count).
    for (const [password, message] of [["aaaaaaaaaa", REPEATS], ["0000000000", REPEATS], ["abcdefghij", SEQUENCE]] as const) {
      const res = await send("127.0.0.5", "/api/auth/sign-up/email", {
        method: "POST",
        headers: { "content-type": "application/json", origin: frontendUrl },
        body: JSON.stringify({ name: carol.name, email: carol.email, password }),
      });
      expect({ password, status: res.status, message: JSON.parse(res.body).message }).toEqual({ password, status: 400, message });
    }
    await page.getByLabel("Password").fill(carol.password);
    await page.getByRole("button", { name: "Create account" }).click();
    await page.waitForURL(`${frontendUrl}/tasks`);
  });

  it("never hands the JWT to the browser, while a non-browser client with the session still gets one", async () => {
    const fromPage = await page.evaluate(async () => {
      const response = await fetch("/api/auth/token");
      return { status: response.status, body: await response.text() };
    });
    expect(fromPage.status).toBe(403);
    expect(fromPage.body).not.toMatch(/eyJ/);

    const cookie = (await context.cookies(frontendUrl)).map((c) => `${c.name}=${c.value}`).join("; ");
    const fromServer = await fetch(`${frontendUrl}/api/auth/token`, { headers: { cookie } });
    expect(fromServer.status).toBe(200);
    expect(((await fromServer.json()) as { token: string }).token).toMatch(/^eyJ/);
  });
});
