"use server";
import { cookies, headers } from "next/headers";
import { redirect } from "next/navigation";
import { getAuth } from "@/lib/auth";
import { cookiesToSet, describeRouterFailure, postToAuthRouter, type RouterResult } from "@/lib/auth-router";
import { readConfig } from "@/lib/config";
import { MIN_PASSWORD_LENGTH } from "@/lib/password-rules";
import type { ActionResult } from "@/lib/types";
import { describeError } from "./errors";

/**
 * Sign-in and sign-up go through Better Auth's router (not auth.api), so they
 * share its rate limiter with /api/auth/sign-in/email, keyed on the client's
 * address; the session cookie it sets is passed on to the browser.
 */
async function throughRouter(path: string, body: Record<string, unknown>): Promise<RouterResult> {
  const auth = await getAuth();
  const result = await postToAuthRouter(auth, readConfig(process.env), path, body, await headers());
  if (result.ok) {
    const jar = await cookies();
    for (const { name, value, options } of cookiesToSet(result.response)) jar.set(name, value, options);
  }
  return result;
}

function field(form: FormData, name: string): string {
  const value = form.get(name);
  return typeof value === "string" ? value.trim() : "";
}

export async function signUpAction(_prev: ActionResult | null, form: FormData): Promise<ActionResult> {
  const name = field(form, "name");
  const email = field(form, "email");
  const password = typeof form.get("password") === "string" ? (form.get("password") as string) : "";
  const fields = { name, email };
  if (!email) return { ok: false, error: "Enter your email address.", fields };
  if (password.length < MIN_PASSWORD_LENGTH) {
    return { ok: false, error: `Choose a password of at least ${MIN_PASSWORD_LENGTH} characters.`, fields };
  }
  try {
    const result = await throughRouter("/sign-up/email", { name: name || email.split("@")[0]!, email, password });
    if (!result.ok) return { ok: false, error: describeRouterFailure(result, "Could not create your account. Try again."), fields };
  } catch (error) {
    return { ok: false, error: describeError(error, "Could not create your account. Try again."), fields };
  }
  redirect("/tasks");
}

export async function signInAction(_prev: ActionResult | null, form: FormData): Promise<ActionResult> {
  const email = field(form, "email");
  const password = typeof form.get("password") === "string" ? (form.get("password") as string) : "";
  const fields = { email };
  if (!email || !password) return { ok: false, error: "Enter your email address and password.", fields };
  try {
    const result = await throughRouter("/sign-in/email", { email, password });
    if (!result.ok) return { ok: false, error: describeRouterFailure(result, "Could not sign you in. Try again."), fields };
  } catch (error) {
    return { ok: false, error: describeError(error, "Could not sign you in. Try again."), fields };
  }
  redirect("/tasks");
}

export async function signOutAction(): Promise<void> {
  const auth = await getAuth();
  await auth.api.signOut({ headers: await headers() });
  redirect("/sign-in");
}
