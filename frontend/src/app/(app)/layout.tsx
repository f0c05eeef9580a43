import type { ReactNode } from "react";
import { signOutAction } from "@/app/actions/auth";
import { NavLinks } from "@/components/NavLinks";
import { secondaryButton } from "@/components/ui";
import { requireUser } from "@/lib/session";

export const dynamic = "force-dynamic";

export default async function AppLayout({ children }: { children: ReactNode }) {
  const user = await requireUser();
  return (
    <div className="min-h-screen">
      <header className="border-b border-slate-200 bg-white">
        <div className="mx-auto flex max-w-6xl flex-wrap items-center gap-x-4 gap-y-2 px-4 py-3">
          <p className="text-lg font-semibold text-blue-800">Todo AI</p>
          <NavLinks />
          <div className="ml-auto flex min-w-0 items-center gap-3">
            <span className="truncate text-sm text-slate-600" title={user.email}>
              {user.email}
            </span>
            <form action={signOutAction}>
              <button type="submit" className={secondaryButton}>
                Sign out
              </button>
            </form>
          </div>
        </div>
      </header>
      <main id="main" className="mx-auto max-w-6xl px-4 py-6">
        {children}
      </main>
    </div>
  );
}
