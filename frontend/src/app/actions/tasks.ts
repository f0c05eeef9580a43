"use server";
import { revalidatePath } from "next/cache";
import { backendForCurrentUser } from "@/lib/session";
import type { ActionResult } from "@/lib/types";
import { describeError } from "./errors";

const TITLE_MAX = 200;
const DESCRIPTION_MAX = 1000;

function text(form: FormData, name: string): string {
  const value = form.get(name);
  return typeof value === "string" ? value.trim() : "";
}

function taskId(form: FormData): number | null {
  const id = Number(form.get("id"));
  return Number.isInteger(id) && id > 0 ? id : null;
}

function validate(title: string, description: string): string | null {
  if (!title) return "Give the task a title.";
  if (title.length > TITLE_MAX) return `Keep the title under ${TITLE_MAX} characters.`;
  if (description.length > DESCRIPTION_MAX) return `Keep the description under ${DESCRIPTION_MAX} characters.`;
  return null;
}

function refresh() {
  revalidatePath("/tasks");
  revalidatePath("/chat");
}

export async function createTaskAction(_prev: ActionResult | null, form: FormData): Promise<ActionResult> {
  const title = text(form, "title");
  const description = text(form, "description");
  const fields = { title, description };
  const invalid = validate(title, description);
  if (invalid) return { ok: false, error: invalid, fields };
  try {
    const { backend } = await backendForCurrentUser();
    const task = await backend.createTask(title, description || null);
    refresh();
    return { ok: true, message: `Added “${task.title}”.` };
  } catch (error) {
    return { ok: false, error: describeError(error, "Could not add the task."), fields };
  }
}

export async function updateTaskAction(_prev: ActionResult | null, form: FormData): Promise<ActionResult> {
  const id = taskId(form);
  if (id === null) return { ok: false, error: "That task no longer exists." };
  const title = text(form, "title");
  const description = text(form, "description");
  const fields = { title, description };
  const invalid = validate(title, description);
  if (invalid) return { ok: false, error: invalid, fields };
  try {
    const { backend } = await backendForCurrentUser();
    await backend.updateTask(id, { title, description: description || null });
    refresh();
    return { ok: true, message: "Saved." };
  } catch (error) {
    return { ok: false, error: describeError(error, "Could not save the task."), fields };
  }
}

export async function setCompletedAction(_prev: ActionResult | null, form: FormData): Promise<ActionResult> {
  const id = taskId(form);
  if (id === null) return { ok: false, error: "That task no longer exists." };
  const completed = form.get("completed") === "true";
  try {
    const { backend } = await backendForCurrentUser();
    await backend.setCompleted(id, completed);
    refresh();
    return { ok: true };
  } catch (error) {
    return { ok: false, error: describeError(error, "Could not update the task.") };
  }
}

export async function deleteTaskAction(_prev: ActionResult | null, form: FormData): Promise<ActionResult> {
  const id = taskId(form);
  if (id === null) return { ok: false, error: "That task no longer exists." };
  try {
    const { backend } = await backendForCurrentUser();
    await backend.deleteTask(id);
    refresh();
    return { ok: true };
  } catch (error) {
    return { ok: false, error: describeError(error, "Could not delete the task.") };
  }
}
