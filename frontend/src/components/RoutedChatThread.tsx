"use client";
import { useRouter } from "next/navigation";
import type { ComponentProps } from "react";
import { ChatThread } from "./ChatPanel";

/** ChatThread wired to the router: a new conversation gets its own URL (/chat?c=<id>). */
export function RoutedChatThread(props: Omit<ComponentProps<typeof ChatThread>, "onConversationStarted">) {
  const router = useRouter();
  return (
    <ChatThread
      {...props}
      onConversationStarted={(id) => router.replace(`/chat?c=${encodeURIComponent(String(id))}`, { scroll: false })}
    />
  );
}
