// The task list against the real backend's pagination (50 per page by
// default, the next page's cursor in X-Next-Cursor): with 53 tasks the page
// shows the newest 50 and a link to the older ones, which shows the other 3
// and a link back. The user and the tasks are made over HTTP (sign-up from
// 127.0.0.4, so no rate-limit count is shared with the browser's 127.0.0.1);
// the browser only reads.
import { request as httpRequest } from "node:http";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { launch } from "./browser";

const frontendUrl = inject("frontendUrl");
const backendUrl = inject("backendUrl");
const run = Date.now().toString(36);
const TASKS = 53;

let browser: Awaited<ReturnType<typeof launch>>;
let page: Page;

function signUpFrom(localAddress: string, email: string, password: string): Promise<string[]> {
  const url = new URL("/api/auth/sign-up/email", frontendUrl);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: url.hostname, port: url.port, path: url.pathname, method: "POST", localAddress, headers: { "content-type": "application/json", origin: frontendUrl } },
      (res) => {
        res.resume();
        res.on("end", () => (res.statusCode === 200 ? resolve(res.headers["set-cookie"] ?? []) : reject(new Error(`sign-up answered ${res.statusCode}`))));
      },
    );
    req.on("error", reject);
    req.end(JSON.stringify({ name: "Dana", email, password }));
  });
}

beforeAll(async () => {
  const setCookies = await signUpFrom("127.0.0.4", `dana-${run}@example.com`, "dana-password-4444");
  const cookies = setCookies.map((c) => c.split(";")[0]!);
  const tokenResponse = await fetch(`${frontendUrl}/api/auth/token`, { headers: { cookie: cookies.join("; ") } });
  const { token } = (await tokenResponse.json()) as { token: string };
  const userId = (JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString()) as { sub: string }).sub;
  for (let i = 1; i <= TASKS; i++) {
    const created = await fetch(`${backendUrl}/api/${userId}/tasks`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ title: `Paged task ${String(i).padStart(2, "0")}` }),
    });
    expect(created.status).toBe(201);
  }

  browser = await launch();
  await browser.context.addCookies(
    cookies.map((c) => {
      const [name, ...value] = c.split("=");
      return { name: name!, value: value.join("="), url: frontendUrl };
    }),
  );
  page = browser.context.pages()[0] ?? (await browser.context.newPage());
});

afterAll(async () => {
  await browser?.close();
});

describe("task list pages", () => {
  it("shows the newest 50, then the older ones behind a link, and back", async () => {
    await page.goto(`${frontendUrl}/tasks`);
    const list = page.getByRole("list", { name: "All tasks" });
    await list.getByText("Paged task 53", { exact: true }).waitFor();
    expect(await list.getByRole("listitem").count()).toBe(50);
    expect(await list.getByText("Paged task 03", { exact: true }).count()).toBe(0);

    await page.getByRole("link", { name: /older tasks/i }).click();
    await list.getByText("Paged task 03", { exact: true }).waitFor();
    expect(await list.getByRole("listitem").count()).toBe(3);
    expect(await page.getByRole("link", { name: /older tasks/i }).count()).toBe(0);

    await page.getByRole("link", { name: /newest tasks/i }).click();
    await list.getByText("Paged task 53", { exact: true }).waitFor();
    await page.waitForURL(`${frontendUrl}/tasks`);
  });
});
