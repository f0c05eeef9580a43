"use client";
import Link from "next/link";
import { useEffect, useId, useRef, useState, useTransition, type FormEvent } from "react";
import type { ChatActionResult, ChatMessage, Conversation, ToolCall } from "@/lib/types";
import { ToolCallList } from "./ToolCallList";
import { errorText, inputClass, primaryButton, secondaryButton } from "./ui";

export type SendMessage = (message: string, conversationId?: number | string) => Promise<ChatActionResult>;

interface ThreadEntry {
  key: string;
  role: string;
  content: string;
  toolCalls: ToolCall[];
}

const SUGGESTIONS = ["add buy milk", "what's pending?"];

function toEntries(messages: ChatMessage[]): ThreadEntry[] {
  // The backend stores each tool result as its own "tool" message as well; the
  // assistant's reply carries the same calls, so show them once, there.
  return messages.filter((m) => m.role !== "tool").map((m) => ({ key: String(m.id), role: m.role, content: m.content, toolCalls: m.tool_calls ?? [] }));
}

export function ConversationList({
  conversations,
  activeId,
}: {
  conversations: Conversation[];
  activeId?: number | string | undefined;
}) {
  return (
    <nav aria-label="Conversations" className="space-y-2">
      <Link href="/chat" className={`${secondaryButton} w-full`}>
        New conversation
      </Link>
      {conversations.length === 0 ? (
        <p className="text-sm text-slate-500">No conversations yet.</p>
      ) : (
        <ul className="max-h-48 space-y-1 overflow-y-auto lg:max-h-none">
          {conversations.map((c) => {
            const active = String(c.id) === String(activeId);
            return (
              <li key={c.id}>
                <Link
                  href={`/chat?c=${encodeURIComponent(String(c.id))}`}
                  aria-current={active ? "page" : undefined}
                  className={`block truncate rounded-md px-3 py-2 text-sm ${
                    active ? "bg-blue-100 font-medium text-blue-900" : "text-slate-700 hover:bg-slate-100"
                  }`}
                >
                  {c.title || `Conversation ${c.id}`}
                </Link>
              </li>
            );
          })}
        </ul>
      )}
    </nav>
  );
}

export function ChatThread({
  conversationId,
  messages,
  send,
  onConversationStarted,
}: {
  conversationId?: number | string | undefined;
  messages: ChatMessage[];
  send: SendMessage;
  /** Called when the backend opened a new conversation for this thread. */
  onConversationStarted?: (id: number | string) => void;
}) {
  const [entries, setEntries] = useState<ThreadEntry[]>(() => toEntries(messages));
  const [draft, setDraft] = useState("");
  const [error, setError] = useState<string | null>(null);
  // `waiting` covers the request only; the transition also spans the page
  // refresh that follows (the task list beside the chat), which needs no spinner.
  const [waiting, setWaiting] = useState(false);
  const [refreshing, startTransition] = useTransition();
  const pending = waiting || refreshing;
  const id = useId();
  const endRef = useRef<HTMLLIElement>(null);
  const inputRef = useRef<HTMLInputElement>(null);

  useEffect(() => {
    endRef.current?.scrollIntoView?.({ block: "end" });
  }, [entries.length]);

  function submit(text: string) {
    const message = text.trim();
    if (!message || pending) return;
    setError(null);
    const userEntry: ThreadEntry = { key: `local-${Date.now()}`, role: "user", content: message, toolCalls: [] };
    setEntries((current) => [...current, userEntry]);
    setDraft("");
    setWaiting(true);
    startTransition(async () => {
      let result: ChatActionResult;
      try {
        result = await send(message, conversationId);
      } catch {
        result = { ok: false, error: "Could not reach the server. Check your connection and try again." };
      } finally {
        setWaiting(false);
      }
      if (!result.ok) {
        setEntries((current) => current.filter((e) => e !== userEntry));
        setDraft(message);
        setError(result.error);
        inputRef.current?.focus();
        return;
      }
      const { reply } = result;
      setEntries((current) => [
        ...current,
        { key: `reply-${Date.now()}`, role: "assistant", content: reply.response, toolCalls: reply.tool_calls },
      ]);
      if (conversationId === undefined || String(conversationId) !== String(reply.conversation_id)) {
        onConversationStarted?.(reply.conversation_id);
      }
      inputRef.current?.focus();
    });
  }

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    submit(draft);
  }

  return (
    <section aria-labelledby={`${id}-heading`} className="flex min-h-[24rem] flex-col rounded-xl border border-slate-200 bg-white shadow-sm">
      <h2 id={`${id}-heading`} className="border-b border-slate-200 px-4 py-3 text-lg font-semibold">
        Assistant
      </h2>
      <ol className="flex-1 space-y-3 overflow-y-auto p-4" aria-label="Messages" aria-live="polite" aria-busy={pending}>
        {entries.length === 0 && (
          <li className="text-slate-600">
            <p>Ask me to manage your tasks. Try:</p>
            <ul className="mt-2 flex flex-wrap gap-2">
              {SUGGESTIONS.map((s) => (
                <li key={s}>
                  <button type="button" className={secondaryButton} onClick={() => submit(s)} disabled={pending}>
                    {s}
                  </button>
                </li>
              ))}
            </ul>
          </li>
        )}
        {entries.map((entry) => (
          <li key={entry.key} className={entry.role === "user" ? "flex justify-end" : "flex justify-start"}>
            <div
              className={`max-w-[85%] rounded-2xl px-4 py-2 ${
                entry.role === "user" ? "bg-blue-700 text-white" : "border border-slate-200 bg-slate-50 text-slate-900"
              }`}
            >
              <p className="sr-only">{entry.role === "user" ? "You said:" : "Assistant:"}</p>
              <p className="whitespace-pre-wrap break-words">{entry.content}</p>
              {entry.role !== "user" && <ToolCallList calls={entry.toolCalls} />}
            </div>
          </li>
        ))}
        {waiting && (
          <li className="text-sm text-slate-500" role="status">
            Assistant is thinking…
          </li>
        )}
        <li ref={endRef} aria-hidden="true" />
      </ol>
      <form onSubmit={onSubmit} className="border-t border-slate-200 p-3">
        <label htmlFor={`${id}-message`} className="sr-only">
          Message the assistant
        </label>
        <div className="flex gap-2">
          <input
            ref={inputRef}
            id={`${id}-message`}
            name="message"
            value={draft}
            onChange={(event) => setDraft(event.target.value)}
            placeholder="e.g. add buy milk"
            autoComplete="off"
            maxLength={2000}
            className={inputClass}
            aria-describedby={error ? `${id}-error` : undefined}
          />
          <button type="submit" className={primaryButton} disabled={pending || draft.trim() === ""}>
            Send
          </button>
        </div>
        {error && (
          <p id={`${id}-error`} role="alert" className={`${errorText} mt-2`}>
            {error}
          </p>
        )}
      </form>
    </section>
  );
}
