import Link from "next/link";

export default function NotFound() {
  return (
    <main id="main" className="mx-auto max-w-md p-6 text-center">
      <h1 className="text-2xl font-semibold">Page not found</h1>
      <p className="mt-2 text-slate-600">There is nothing at this address.</p>
      <Link href="/tasks" className="mt-4 inline-block text-blue-700 underline">
        Go to your tasks
      </Link>
    </main>
  );
}
