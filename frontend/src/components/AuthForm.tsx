"use client";
import Link from "next/link";
import { useActionState, useId } from "react";
import { MIN_PASSWORD_LENGTH } from "@/lib/password-rules";
import { echoed, type ActionResult } from "@/lib/types";
import { errorText, inputClass, labelClass, primaryButton } from "./ui";

type Action = (prev: ActionResult | null, form: FormData) => Promise<ActionResult>;

export function AuthForm({ mode, action }: { mode: "sign-in" | "sign-up"; action: Action }) {
  const [state, dispatch, pending] = useActionState(action, null);
  const id = useId();
  const signUp = mode === "sign-up";
  const errorId = `${id}-error`;
  const failed = state !== null && !state.ok;
  return (
    <form action={dispatch} className="space-y-4" aria-describedby={failed ? errorId : undefined} noValidate>
      {signUp && (
        <div className="space-y-1">
          <label htmlFor={`${id}-name`} className={labelClass}>
            Name
          </label>
          <input id={`${id}-name`} name="name" autoComplete="name" defaultValue={echoed(state, "name")} className={inputClass} />
        </div>
      )}
      <div className="space-y-1">
        <label htmlFor={`${id}-email`} className={labelClass}>
          Email
        </label>
        <input
          id={`${id}-email`}
          name="email"
          type="email"
          required
          autoComplete="email"
          defaultValue={echoed(state, "email")}
          className={inputClass}
        />
      </div>
      <div className="space-y-1">
        <label htmlFor={`${id}-password`} className={labelClass}>
          Password
        </label>
        <input
          id={`${id}-password`}
          name="password"
          type="password"
          required
          minLength={signUp ? MIN_PASSWORD_LENGTH : undefined}
          autoComplete={signUp ? "new-password" : "current-password"}
          aria-describedby={signUp ? `${id}-password-hint` : undefined}
          className={inputClass}
        />
        {signUp && (
          <p id={`${id}-password-hint`} className="text-sm text-slate-500">
            At least {MIN_PASSWORD_LENGTH} characters and hard to guess: a few unrelated words work well.
          </p>
        )}
      </div>
      {failed && (
        <p id={errorId} role="alert" className={errorText}>
          {state.error}
        </p>
      )}
      <button type="submit" className={`${primaryButton} w-full`} disabled={pending}>
        {pending ? (signUp ? "Creating account…" : "Signing in…") : signUp ? "Create account" : "Sign in"}
      </button>
      <p className="text-center text-sm text-slate-600">
        {signUp ? "Already have an account? " : "New here? "}
        <Link href={signUp ? "/sign-in" : "/sign-up"} className="font-medium text-blue-700 underline">
          {signUp ? "Sign in" : "Create an account"}
        </Link>
      </p>
    </form>
  );
}
