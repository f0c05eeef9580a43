"use server";
import { revalidatePath } from "next/cache";
import { backendForCurrentUser } from "@/lib/session";
import type { ChatActionResult } from "@/lib/types";
import { describeError } from "./errors";


const MESSAGE_MAX = 2000;

export async function sendChatMessage(message: string, conversationId?: number | string): Promise<ChatActionResult> {
  const text = message.trim();
  if (!text) return { ok: false, error: "Type a message first." };
  if (text.length > MESSAGE_MAX) return { ok: false, error: `Keep messages under ${MESSAGE_MAX} characters.` };
  try {
    const { backend } = await backendForCurrentUser();
    const reply = await backend.chat(text, conversationId);
    // The agent may have changed tasks: re-render every page that lists them.
    revalidatePath("/tasks");
    revalidatePath("/chat");
    return { ok: true, reply };
  } catch (error) {
    return { ok: false, error: describeError(error, "The assistant could not answer. Try again.") };
  }
}
