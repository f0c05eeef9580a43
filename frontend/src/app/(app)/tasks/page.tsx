import type { Metadata } from "next";
import { createTaskAction, deleteTaskAction, setCompletedAction, updateTaskAction } from "@/app/actions/tasks";
import { describeError } from "@/app/actions/errors";
import { TaskBoard } from "@/components/TaskBoard";
import { backendForCurrentUser } from "@/lib/session";
import { parseStatus, type Task } from "@/lib/types";

export const metadata: Metadata = { title: "Tasks" };
export const dynamic = "force-dynamic";

export default async function TasksPage({ searchParams }: { searchParams: Promise<{ status?: string; cursor?: string }> }) {
  const params = await searchParams;
  const status = parseStatus(params.status);
  // The backend pages the list (50 per page, newest first); ?cursor= is where this page starts.
  const cursor = typeof params.cursor === "string" && params.cursor ? params.cursor : undefined;
  const { backend } = await backendForCurrentUser();
  let tasks: Task[] = [];
  let nextCursor: string | undefined;
  let loadError: string | undefined;
  try {
    ({ tasks, nextCursor } = await backend.listTaskPage(status, { cursor }));
  } catch (error) {
    loadError = describeError(error, "Could not load your tasks.");
  }
  return (
    <>
      <h1 className="mb-4 text-2xl font-semibold">Tasks</h1>
      <TaskBoard
        tasks={tasks}
        status={status}
        loadError={loadError}
        page={{ cursor, nextCursor }}
        actions={{
          create: createTaskAction,
          update: updateTaskAction,
          setCompleted: setCompletedAction,
          remove: deleteTaskAction,
        }}
      />
    </>
  );
}
