import type { ReactNode } from "react";

export default function AuthLayout({ children }: { children: ReactNode }) {
  return (
    <main id="main" className="flex min-h-screen items-start justify-center px-4 py-12 sm:items-center">
      <div className="w-full max-w-sm rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
        <p className="mb-1 text-sm font-semibold uppercase tracking-wide text-blue-700">Todo AI Chatbot</p>
        {children}
      </div>
    </main>
  );
}
