// The product as a person uses it, in a real browser against the real stack.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { BrowserContext, Page } from "playwright-core";
import { accessibilityViolations, launch, screenshot } from "./browser";

const frontendUrl = inject("frontendUrl");
const backendUrl = inject("backendUrl");
const run = Date.now().toString(36);
const alice = { name: "Alice", email: `alice-${run}@example.com`, password: "alice-password-1" };
const bob = { name: "Bob", email: `bob-${run}@example.com`, password: "bob-password-22" };

let browser: Awaited<ReturnType<typeof launch>>;
let context: BrowserContext;
let page: Page;
const backendRequests: string[] = [];

beforeAll(async () => {
  browser = await launch();
  context = browser.context;
  page = context.pages()[0] ?? (await context.newPage());
  // The browser must never talk to the backend: every call goes through the frontend's server.
  context.on("request", (request) => {
    if (request.url().startsWith(backendUrl)) backendRequests.push(request.url());
  });
});

afterAll(async () => {
  await browser?.close();
});

async function signUp(user: typeof alice) {
  await page.goto(`${frontendUrl}/sign-up`);
  await page.getByLabel("Name").fill(user.name);
  await page.getByLabel("Email").fill(user.email);
  await page.getByLabel("Password").fill(user.password);
  await page.getByRole("button", { name: "Create account" }).click();
  await page.waitForURL(`${frontendUrl}/tasks`);
}

/** Screenshot the page, and check it against axe-core's WCAG A/AA rules while we are there. */
async function capture(name: string) {
  await screenshot(page, name);
  expect(await accessibilityViolations(page), `accessibility of ${name}`).toEqual([]);
}

function taskRow(title: string) {
  return page.getByRole("listitem").filter({ has: page.getByText(title, { exact: true }) });
}

describe("Todo AI Chatbot in Chromium", () => {
  it("serves its health probe without a session", async () => {
    const response = await fetch(`${frontendUrl}/api/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "ok" });
  });

  it("sends a visitor without a session to sign in", async () => {
    await page.goto(`${frontendUrl}/tasks`);
    await page.waitForURL(`${frontendUrl}/sign-in`);
    await page.getByRole("heading", { name: "Sign in" }).waitFor();
    await capture("01-sign-in");
  });

  it("signs up a new user and shows the empty task list", async () => {
    await page.goto(`${frontendUrl}/sign-up`);
    await capture("02-sign-up");
    await signUp(alice);
    await page.getByText("No tasks yet").waitFor();
    await page.getByText(alice.email).waitFor();
    await capture("03-tasks-empty");
  });

  it("adds a task with the keyboard only", async () => {
    const title = page.getByLabel("Title");
    await title.focus();
    await page.keyboard.type("Write the report");
    await page.keyboard.press("Tab");
    await page.keyboard.type("for Friday");
    await page.keyboard.press("Enter");
    await taskRow("Write the report").waitFor();
    await page.getByText("for Friday").waitFor();
    await expect(title.inputValue()).resolves.toBe("");
    await capture("04-tasks-added");
  });

  it("asks the chat to add buy milk and sees the task appear", async () => {
    await page.getByRole("link", { name: "Chat" }).click();
    await page.waitForURL(`${frontendUrl}/chat`);
    await page.getByLabel("Message the assistant").waitFor();
    await capture("05-chat-empty");
    await page.getByLabel("Message the assistant").fill("add buy milk");
    await page.getByRole("button", { name: "Send" }).click();
    const toolCalls = page.getByRole("list", { name: "Tool calls" });
    await toolCalls.waitFor();
    await expect(toolCalls.textContent()).resolves.toMatch(/add_task.*Added task #\d+ “buy milk”/);
    // The new conversation gets its own address and shows up in the list.
    await page.waitForURL(/\/chat\?c=\d+$/);
    await page.getByRole("navigation", { name: "Conversations" }).getByRole("link", { name: /buy milk/ }).waitFor();
    // The task list beside the chat reflects what the agent did.
    await page.getByRole("list", { name: "Task snapshot" }).getByText("buy milk").waitFor();
    await capture("06-chat-added-milk");

    // The same conversation continues (its id is in the URL now); reading changes nothing.
    await page.getByLabel("Message the assistant").fill("what's pending?");
    await page.getByRole("button", { name: "Send" }).click();
    await page.getByText("Listed 2 pending tasks").waitFor();
    await page.getByText("Assistant is thinking…").waitFor({ state: "detached" });
    await expect(page.getByRole("navigation", { name: "Conversations" }).getByRole("link").count()).resolves.toBe(2); // "New conversation" + this one
    await capture("06b-chat-whats-pending");

    await page.getByRole("link", { name: "Tasks", exact: true }).click();
    await page.waitForURL(`${frontendUrl}/tasks`);
    await taskRow("buy milk").waitFor();
    await expect(taskRow("Write the report").count()).resolves.toBe(1);
    await capture("07-tasks-with-milk");
  });

  it("completes the task, filters, and deletes it", async () => {
    await page.getByRole("checkbox", { name: "Mark “buy milk” as completed" }).check();
    await page.getByRole("checkbox", { name: "Mark “buy milk” as pending" }).waitFor();

    await page.getByRole("link", { name: "Completed" }).click();
    await page.waitForURL(`${frontendUrl}/tasks?status=completed`);
    await taskRow("buy milk").waitFor();
    await expect(taskRow("Write the report").count()).resolves.toBe(0);
    await capture("08-tasks-completed-filter");

    await page.getByRole("link", { name: "Pending" }).click();
    await page.waitForURL(`${frontendUrl}/tasks?status=pending`);
    await taskRow("Write the report").waitFor();
    await expect(taskRow("buy milk").count()).resolves.toBe(0);

    await page.getByRole("link", { name: "All" }).click();
    await page.waitForURL(`${frontendUrl}/tasks`);
    await page.getByRole("button", { name: "Delete “buy milk”" }).click();
    await taskRow("buy milk").waitFor({ state: "detached" });
    await expect(taskRow("Write the report").count()).resolves.toBe(1);
    await capture("09-tasks-after-delete");
  });

  it("edits a task inline", async () => {
    await page.getByRole("button", { name: "Edit “Write the report”" }).click();
    const form = page.getByRole("form", { name: /Edit task #\d+/ });
    await form.getByLabel("Title").fill("Write the final report");
    await capture("10-task-editing");
    await form.getByRole("button", { name: "Save" }).click();
    await taskRow("Write the final report").waitFor();
  });

  it("shows focus visibly when tabbing", async () => {
    await page.goto(`${frontendUrl}/tasks`);
    await page.keyboard.press("Tab"); // skip link
    const skip = await page.evaluate(() => document.activeElement?.textContent);
    expect(skip).toBe("Skip to content");
    await page.keyboard.press("Tab");
    const outline = await page.evaluate(() => {
      const el = document.activeElement as HTMLElement;
      const style = getComputedStyle(el);
      return { tag: el.tagName, outline: style.outlineStyle, width: style.outlineWidth };
    });
    expect(outline.outline).toBe("solid");
    expect(outline.width).toBe("3px");
  });

  it("fits a phone-width screen", async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${frontendUrl}/tasks`);
    await taskRow("Write the final report").waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await capture("11-tasks-phone");
    await page.goto(`${frontendUrl}/chat`);
    await page.getByLabel("Message the assistant").waitFor();
    const chatOverflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(chatOverflow).toBeLessThanOrEqual(0);
    await capture("12-chat-phone");
    await page.setViewportSize({ width: 1280, height: 860 });
  });

  it("signs out, and a second user sees none of the first user's tasks", async () => {
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL(`${frontendUrl}/sign-in`);
    await page.goto(`${frontendUrl}/tasks`);
    await page.waitForURL(`${frontendUrl}/sign-in`);

    await signUp(bob);
    await page.getByText("No tasks yet").waitFor();
    await expect(page.getByText("Write the final report").count()).resolves.toBe(0);
    await capture("13-second-user-tasks");
    await page.goto(`${frontendUrl}/chat`);
    await page.getByRole("navigation", { name: "Conversations" }).getByText("No conversations yet.").waitFor();
    await capture("14-second-user-chat");
  });

  it("rejects a wrong password on sign in, then lets the first user back in to their tasks", async () => {
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL(`${frontendUrl}/sign-in`);
    await page.getByLabel("Email").fill(alice.email);
    await page.getByLabel("Password").fill("not-the-password");
    await page.getByRole("button", { name: "Sign in" }).click();
    // (Next's route announcer is also role="alert"; look inside the form.)
    const alert = page.locator("form [role=alert]");
    await alert.waitFor();
    await expect(alert.textContent()).resolves.toMatch(/invalid email or password/i);
    await capture("15-sign-in-error");

    await page.getByLabel("Password").fill(alice.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(`${frontendUrl}/tasks`);
    await taskRow("Write the final report").waitFor();
  });

  it("never let the browser call the backend directly", () => {
    expect(backendRequests).toEqual([]);
  });
});
