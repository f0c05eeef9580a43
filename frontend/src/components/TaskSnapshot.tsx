import Link from "next/link";
import type { Task } from "@/lib/types";

/** Read-only task list beside the chat, re-rendered after every agent turn. */
export function TaskSnapshot({ tasks, error }: { tasks: Task[]; error?: string | undefined }) {
  return (
    <section aria-labelledby="snapshot-heading" className="rounded-xl border border-slate-200 bg-white p-4 shadow-sm">
      <div className="mb-2 flex items-baseline justify-between">
        <h2 id="snapshot-heading" className="text-lg font-semibold">
          Your tasks
        </h2>
        <Link href="/tasks" className="text-sm text-blue-700 underline">
          Manage
        </Link>
      </div>
      {error ? (
        <p role="alert" className="text-sm font-medium text-red-700">
          {error}
        </p>
      ) : tasks.length === 0 ? (
        <p className="text-sm text-slate-500">No tasks yet.</p>
      ) : (
        <ul className="space-y-1 text-sm" aria-label="Task snapshot">
          {tasks.map((task) => (
            <li key={task.id} className="flex gap-2">
              <span aria-hidden="true">{task.completed ? "☑" : "☐"}</span>
              <span className={task.completed ? "text-slate-500 line-through" : ""}>
                <span className="text-slate-500">#{task.id}</span> {task.title}
                <span className="sr-only">{task.completed ? " (completed)" : " (pending)"}</span>
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
