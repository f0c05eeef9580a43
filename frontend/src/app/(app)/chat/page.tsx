import type { Metadata } from "next";
import { sendChatMessage } from "@/app/actions/chat";
import { describeError } from "@/app/actions/errors";
import { ConversationList } from "@/components/ChatPanel";
import { RoutedChatThread } from "@/components/RoutedChatThread";
import { TaskSnapshot } from "@/components/TaskSnapshot";
import { backendForCurrentUser } from "@/lib/session";
import type { ChatMessage, Conversation, Task } from "@/lib/types";

export const metadata: Metadata = { title: "Chat" };
export const dynamic = "force-dynamic";

async function settle<T>(promise: Promise<T>, fallback: T, what: string): Promise<[T, string | undefined]> {
  try {
    return [await promise, undefined];
  } catch (error) {
    return [fallback, describeError(error, `Could not load ${what}.`)];
  }
}

export default async function ChatPage({ searchParams }: { searchParams: Promise<{ c?: string }> }) {
  const requested = (await searchParams).c;
  // The backend numbers conversations; anything else in the URL is ignored.
  const conversationId = requested && /^\d{1,15}$/.test(requested) ? Number(requested) : undefined;
  const { backend } = await backendForCurrentUser();
  const [[conversations, conversationsError], [messages, messagesError], [tasks, tasksError]] = await Promise.all([
    settle<Conversation[]>(backend.listConversations(), [], "your conversations"),
    conversationId
      ? settle<ChatMessage[]>(backend.listMessages(conversationId), [], "this conversation")
      : Promise.resolve<[ChatMessage[], undefined]>([[], undefined]),
    settle<Task[]>(backend.listTasks("all"), [], "your tasks"),
  ]);
  return (
    <>
      <h1 className="mb-4 text-2xl font-semibold">Chat</h1>
      <div className="grid gap-4 lg:grid-cols-[14rem_minmax(0,1fr)_16rem]">
        <div>
          <ConversationList conversations={conversations} activeId={conversationId} />
          {conversationsError && (
            <p role="alert" className="mt-2 text-sm font-medium text-red-700">
              {conversationsError}
            </p>
          )}
        </div>
        <div>
          {messagesError && (
            <p role="alert" className="mb-2 text-sm font-medium text-red-700">
              {messagesError}
            </p>
          )}
          <RoutedChatThread key={conversationId ?? "new"} conversationId={conversationId} messages={messages} send={sendChatMessage} />
        </div>
        <TaskSnapshot tasks={tasks} error={tasksError} />
      </div>
    </>
  );
}
