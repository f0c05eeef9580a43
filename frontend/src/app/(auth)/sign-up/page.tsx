import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { signUpAction } from "@/app/actions/auth";
import { AuthForm } from "@/components/AuthForm";
import { currentUser } from "@/lib/session";

export const metadata: Metadata = { title: "Create an account" };
export const dynamic = "force-dynamic";

export default async function SignUpPage() {
  if (await currentUser()) redirect("/tasks");
  return (
    <>
      <h1 className="mb-6 text-2xl font-semibold">Create an account</h1>
      <AuthForm mode="sign-up" action={signUpAction} />
    </>
  );
}
