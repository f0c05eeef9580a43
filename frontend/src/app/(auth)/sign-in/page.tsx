import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { signInAction } from "@/app/actions/auth";
import { AuthForm } from "@/components/AuthForm";
import { currentUser } from "@/lib/session";

export const metadata: Metadata = { title: "Sign in" };
export const dynamic = "force-dynamic";

export default async function SignInPage() {
  if (await currentUser()) redirect("/tasks");
  return (
    <>
      <h1 className="mb-6 text-2xl font-semibold">Sign in</h1>
      <AuthForm mode="sign-in" action={signInAction} />
    </>
  );
}
