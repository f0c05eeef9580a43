"use client";
import Link from "next/link";
import { startTransition, useActionState, useEffect, useId, useOptimistic, useRef, useState } from "react";
import { echoed, type ActionResult, type Task, type TaskStatus } from "@/lib/types";
import { dangerButton, errorText, inputClass, labelClass, primaryButton, secondaryButton } from "./ui";

export type FormAction = (prev: ActionResult | null, form: FormData) => Promise<ActionResult>;

export interface TaskActions {
  create: FormAction;
  update: FormAction;
  setCompleted: FormAction;
  remove: FormAction;
}

const FILTERS: { status: TaskStatus; label: string }[] = [
  { status: "all", label: "All" },
  { status: "pending", label: "Pending" },
  { status: "completed", label: "Completed" },
];

const EMPTY: Record<TaskStatus, string> = {
  all: "No tasks yet. Add one above, or ask the assistant in Chat.",
  pending: "Nothing pending. Well done!",
  completed: "No completed tasks yet.",
};

export function TaskBoard({
  tasks,
  status,
  actions,
  loadError,
  page = {},
}: {
  tasks: Task[];
  status: TaskStatus;
  actions: TaskActions;
  loadError?: string | undefined;
  /** Where this page of the list starts (cursor) and where the next one does (nextCursor). */
  page?: { cursor?: string | undefined; nextCursor?: string | undefined };
}) {
  return (
    <div className="space-y-6">
      <AddTaskForm action={actions.create} />
      <section aria-labelledby="task-list-heading" className="space-y-3">
        <div className="flex flex-wrap items-center justify-between gap-2">
          <h2 id="task-list-heading" className="text-lg font-semibold">
            Your tasks
          </h2>
          <FilterTabs status={status} />
        </div>
        {loadError ? (
          <p role="alert" className={`${errorText} rounded-md border border-red-200 bg-red-50 p-3`}>
            {loadError}
          </p>
        ) : tasks.length === 0 ? (
          <p className="rounded-md border border-dashed border-slate-300 bg-white p-6 text-center text-slate-600">
            {EMPTY[status]}
          </p>
        ) : (
          <ul className="space-y-2" aria-label={`${FILTERS.find((f) => f.status === status)?.label} tasks`}>
            {tasks.map((task) => (
              <TaskItem key={task.id} task={task} actions={actions} />
            ))}
          </ul>
        )}
        {!loadError && <Pagination status={status} {...page} />}
      </section>
    </div>
  );
}

function tasksHref(status: TaskStatus, cursor?: string): string {
  const query = new URLSearchParams();
  if (status !== "all") query.set("status", status);
  if (cursor) query.set("cursor", cursor);
  const text = query.toString();
  return text ? `/tasks?${text}` : "/tasks";
}

/** Links to the next page of older tasks, and back to the newest, when the list has more than one page. */
export function Pagination({ status, cursor, nextCursor }: { status: TaskStatus; cursor?: string | undefined; nextCursor?: string | undefined }) {
  if (!cursor && !nextCursor) return null;
  return (
    <nav aria-label="Task pages" className="flex flex-wrap justify-between gap-2">
      {cursor ? (
        <Link href={tasksHref(status)} className={secondaryButton}>
          ← Newest tasks
        </Link>
      ) : (
        <span />
      )}
      {nextCursor && (
        <Link href={tasksHref(status, nextCursor)} className={secondaryButton}>
          Older tasks →
        </Link>
      )}
    </nav>
  );
}

export function FilterTabs({ status }: { status: TaskStatus }) {
  return (
    <nav aria-label="Filter tasks">
      <ul className="flex gap-1 rounded-lg bg-slate-200 p-1">
        {FILTERS.map((filter) => (
          <li key={filter.status}>
            <Link
              href={filter.status === "all" ? "/tasks" : `/tasks?status=${filter.status}`}
              aria-current={filter.status === status ? "page" : undefined}
              className={`block rounded-md px-3 py-1 text-sm font-medium ${
                filter.status === status ? "bg-white text-slate-900 shadow-sm" : "text-slate-700 hover:bg-slate-100"
              }`}
            >
              {filter.label}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}

export function AddTaskForm({ action }: { action: FormAction }) {
  const [state, dispatch, pending] = useActionState(action, null);
  const id = useId();
  return (
    <section aria-labelledby={`${id}-heading`} className="rounded-xl border border-slate-200 bg-white p-4 shadow-sm">
      <h2 id={`${id}-heading`} className="mb-3 text-lg font-semibold">
        Add a task
      </h2>
      <form action={dispatch} className="grid gap-3 sm:grid-cols-[1fr_1fr_auto] sm:items-end">
        <div className="space-y-1">
          <label htmlFor={`${id}-title`} className={labelClass}>
            Title
          </label>
          <input
            id={`${id}-title`}
            name="title"
            required
            maxLength={200}
            defaultValue={echoed(state, "title")}
            className={inputClass}
            placeholder="e.g. Buy milk"
          />
        </div>
        <div className="space-y-1">
          <label htmlFor={`${id}-description`} className={labelClass}>
            Description <span className="font-normal text-slate-500">(optional)</span>
          </label>
          <input
            id={`${id}-description`}
            name="description"
            maxLength={1000}
            defaultValue={echoed(state, "description")}
            className={inputClass}
          />
        </div>
        <button type="submit" className={primaryButton} disabled={pending}>
          {pending ? "Adding…" : "Add task"}
        </button>
      </form>
      <p aria-live="polite" className="mt-2 min-h-5 text-sm">
        {state && !state.ok ? (
          <span role="alert" className={errorText}>
            {state.error}
          </span>
        ) : state?.ok ? (
          <span className="text-green-800">{state.message}</span>
        ) : null}
      </p>
    </section>
  );
}

export function TaskItem({ task, actions }: { task: Task; actions: TaskActions }) {
  const [editing, setEditing] = useState(false);
  const [toggleState, toggle, toggling] = useActionState(actions.setCompleted, null);
  const [deleteState, remove, deleting] = useActionState(actions.remove, null);
  const [completed, setOptimisticCompleted] = useOptimistic(task.completed);
  const editButton = useRef<HTMLButtonElement>(null);
  const id = useId();
  const error = [toggleState, deleteState].find((s) => s && !s.ok) as { ok: false; error: string } | undefined;

  if (editing) {
    return (
      <li className="rounded-lg border border-blue-300 bg-white p-3 shadow-sm">
        <EditTaskForm
          task={task}
          action={actions.update}
          onDone={() => {
            setEditing(false);
            requestAnimationFrame(() => editButton.current?.focus());
          }}
        />
      </li>
    );
  }

  return (
    <li className="rounded-lg border border-slate-200 bg-white p-3 shadow-sm" aria-busy={toggling || deleting}>
      <div className="flex items-start gap-3">
        <div className="pt-0.5">
          <input
            id={`${id}-done`}
            type="checkbox"
            checked={completed}
            disabled={toggling}
            onChange={() => {
              const form = new FormData();
              form.set("id", String(task.id));
              form.set("completed", String(!completed));
              startTransition(() => {
                // Show the new state at once; it reverts by itself if the action fails.
                setOptimisticCompleted(!completed);
                toggle(form);
              });
            }}
            className="h-5 w-5 cursor-pointer accent-blue-700"
            aria-label={completed ? `Mark “${task.title}” as pending` : `Mark “${task.title}” as completed`}
          />
        </div>
        <div className="min-w-0 flex-1">
          <p className={`break-words font-medium ${completed ? "text-slate-500 line-through" : ""}`}>
            <span className="mr-1 text-sm font-normal text-slate-500">#{task.id}</span>
            <span>{task.title}</span>
          </p>
          {task.description && <p className="mt-0.5 break-words text-sm text-slate-600">{task.description}</p>}
          {error && (
            <p role="alert" className={`${errorText} mt-1`}>
              {error.error}
            </p>
          )}
        </div>
        <div className="flex shrink-0 gap-2">
          <button
            ref={editButton}
            type="button"
            className={secondaryButton}
            onClick={() => setEditing(true)}
            aria-label={`Edit “${task.title}”`}
          >
            Edit
          </button>
          <form action={remove}>
            <input type="hidden" name="id" value={task.id} />
            <button type="submit" className={dangerButton} disabled={deleting} aria-label={`Delete “${task.title}”`}>
              {deleting ? "Deleting…" : "Delete"}
            </button>
          </form>
        </div>
      </div>
    </li>
  );
}

export function EditTaskForm({ task, action, onDone }: { task: Task; action: FormAction; onDone: () => void }) {
  const [state, dispatch, pending] = useActionState(action, null);
  const id = useId();
  const titleInput = useRef<HTMLInputElement>(null);

  useEffect(() => titleInput.current?.focus(), []);
  useEffect(() => {
    if (state?.ok) onDone();
  }, [state, onDone]);

  return (
    <form
      action={dispatch}
      className="space-y-3"
      aria-label={`Edit task #${task.id}`}
      onKeyDown={(event) => {
        if (event.key === "Escape") onDone();
      }}
    >
      <input type="hidden" name="id" value={task.id} />
      <div className="space-y-1">
        <label htmlFor={`${id}-title`} className={labelClass}>
          Title
        </label>
        <input
          ref={titleInput}
          id={`${id}-title`}
          name="title"
          required
          maxLength={200}
          defaultValue={echoed(state, "title") ?? task.title}
          className={inputClass}
        />
      </div>
      <div className="space-y-1">
        <label htmlFor={`${id}-description`} className={labelClass}>
          Description
        </label>
        <textarea
          id={`${id}-description`}
          name="description"
          rows={2}
          maxLength={1000}
          defaultValue={echoed(state, "description") ?? task.description ?? ""}
          className={inputClass}
        />
      </div>
      {state && !state.ok && (
        <p role="alert" className={errorText}>
          {state.error}
        </p>
      )}
      <div className="flex gap-2">
        <button type="submit" className={primaryButton} disabled={pending}>
          {pending ? "Saving…" : "Save"}
        </button>
        <button type="button" className={secondaryButton} onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}
