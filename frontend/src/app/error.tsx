"use client";

export default function ErrorPage({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <main id="main" className="mx-auto max-w-md p-6" role="alert">
      <h1 className="text-2xl font-semibold">Something went wrong</h1>
      <p className="mt-2 text-slate-700">
        {error.digest ? `The server could not render this page (reference ${error.digest}).` : error.message}
      </p>
      <button
        type="button"
        onClick={reset}
        className="mt-4 rounded-md bg-blue-700 px-4 py-2 font-medium text-white hover:bg-blue-800"
      >
        Try again
      </button>
    </main>
  );
}
