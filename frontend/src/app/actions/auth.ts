"use server";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { getAuth } from "@/lib/auth";
import type { ActionResult } from "@/lib/types";
import { describeError } from "./errors";

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
  if (password.length < 8) return { ok: false, error: "Choose a password of at least 8 characters.", fields };
  try {
    const auth = await getAuth();
    await auth.api.signUpEmail({ body: { name: name || email.split("@")[0]!, email, password }, headers: await headers() });
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
    const auth = await getAuth();
    await auth.api.signInEmail({ body: { email, password }, headers: await headers() });
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
