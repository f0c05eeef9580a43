import type { Metadata } from "next";
import { createTaskAction, deleteTaskAction, setCompletedAction, updateTaskAction } from "@/app/actions/tasks";
import { describeError } from "@/app/actions/errors";
import { TaskBoard } from "@/components/TaskBoard";
import { backendForCurrentUser } from "@/lib/session";
import { parseStatus, type Task } from "@/lib/types";

export const metadata: Metadata = { title: "Tasks" };
export const dynamic = "force-dynamic";

export default async function TasksPage({ searchParams }: { searchParams: Promise<{ status?: string }> }) {
  const status = parseStatus((await searchParams).status);
  const { backend } = await backendForCurrentUser();
  let tasks: Task[] = [];
  let loadError: string | undefined;
  try {
    tasks = await backend.listTasks(status);
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
