import { cleanup, render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it } from "vitest";
import type { ChatActionResult, ChatMessage } from "@/lib/types";
import { ChatThread, ConversationList, type SendMessage } from "./ChatPanel";

afterEach(cleanup);

function sender(reply: ChatActionResult) {
  const calls: [string, number | string | undefined][] = [];
  const send: SendMessage = async (message, conversationId) => {
    calls.push([message, conversationId]);
    return reply;
  };
  return { calls, send };
}

const milkReply: ChatActionResult = {
  ok: true,
  reply: {
    conversation_id: 12,
    response: "Added “buy milk” (task 4).",
    tool_calls: [{ name: "add_task", arguments: { title: "buy milk" }, result: { task_id: 4, status: "created", title: "buy milk" } }],
  },
};

describe("ChatThread", () => {
  it("sends a message, shows the reply and what the tools changed, and reports the new conversation", async () => {
    const { calls, send } = sender(milkReply);
    const started: (number | string)[] = [];
    render(<ChatThread messages={[]} send={send} onConversationStarted={(id) => started.push(id)} />);
    const user = userEvent.setup();
    await user.type(screen.getByLabelText("Message the assistant"), "add buy milk{Enter}");
    await screen.findByText("Added “buy milk” (task 4).");
    const thread = screen.getByRole("list", { name: "Messages" });
    expect(within(thread).getByText("add buy milk")).toBeTruthy();
    const tools = screen.getByRole("list", { name: "Tool calls" });
    expect(tools.textContent).toContain("add_task");
    expect(tools.textContent).toContain("Added task #4 “buy milk”");
    expect(calls).toEqual([["add buy milk", undefined]]);
    expect(started).toEqual([12]);
    expect((screen.getByLabelText("Message the assistant") as HTMLInputElement).value).toBe("");
  });

  it("continues an existing conversation without announcing a new one", async () => {
    const { calls, send } = sender(milkReply);
    const started: (number | string)[] = [];
    render(<ChatThread conversationId={12} messages={[]} send={send} onConversationStarted={(id) => started.push(id)} />);
    await userEvent.setup().type(screen.getByLabelText("Message the assistant"), "add buy milk{Enter}");
    await screen.findByText("Added “buy milk” (task 4).");
    expect(calls).toEqual([["add buy milk", 12]]);
    expect(started).toEqual([]);
  });

  it("renders stored history with its tool calls", () => {
    const history: ChatMessage[] = [
      { id: 1, role: "user", content: "mark 3 done", tool_calls: null, created_at: "" },
      {
        id: 3,
        role: "tool",
        content: '{"task_id":3,"status":"completed","title":"call mom"}',
        tool_calls: [{ name: "complete_task", arguments: { task_id: 3 }, result: { task_id: 3, status: "completed", title: "call mom" } }],
        created_at: "",
      },
      {
        id: 2,
        role: "assistant",
        content: "Done.",
        tool_calls: [{ name: "complete_task", arguments: { task_id: 3 }, result: { id: 3, title: "call mom", completed: true } }],
        created_at: "",
      },
    ];
    render(<ChatThread conversationId={7} messages={history} send={sender(milkReply).send} />);
    expect(screen.getByText("mark 3 done")).toBeTruthy();
    // Shown once, on the reply: the stored "tool" row is not a bubble of its own.
    expect(screen.getAllByText("Marked task #3 “call mom” as completed")).toHaveLength(1);
    expect(screen.queryByText(/"status":"completed"/)).toBeNull();
  });

  it("keeps the draft and shows the error when the assistant fails", async () => {
    const { send } = sender({ ok: false, error: "The task service is unreachable." });
    render(<ChatThread messages={[]} send={send} />);
    await userEvent.setup().type(screen.getByLabelText("Message the assistant"), "add buy milk{Enter}");
    expect((await screen.findByRole("alert")).textContent).toBe("The task service is unreachable.");
    expect((screen.getByLabelText("Message the assistant") as HTMLInputElement).value).toBe("add buy milk");
    expect(within(screen.getByRole("list", { name: "Messages" })).queryByText("You said:")).toBeNull();
  });

  it("says the server is unreachable when the action itself fails", async () => {
    const send: SendMessage = async () => {
      throw new TypeError("Failed to fetch");
    };
    render(<ChatThread messages={[]} send={send} />);
    await userEvent.setup().type(screen.getByLabelText("Message the assistant"), "add buy milk{Enter}");
    expect((await screen.findByRole("alert")).textContent).toMatch(/Could not reach the server/);
    expect((screen.getByLabelText("Message the assistant") as HTMLInputElement).value).toBe("add buy milk");
  });

  it("offers example commands on an empty thread that send when pressed", async () => {
    const { calls, send } = sender(milkReply);
    render(<ChatThread messages={[]} send={send} />);
    await userEvent.setup().click(screen.getByRole("button", { name: "add buy milk" }));
    await waitFor(() => expect(calls).toEqual([["add buy milk", undefined]]));
  });

  it("does not send blank messages", async () => {
    const { calls, send } = sender(milkReply);
    render(<ChatThread messages={[]} send={send} />);
    expect((screen.getByRole("button", { name: "Send" }) as HTMLButtonElement).disabled).toBe(true);
    await userEvent.setup().type(screen.getByLabelText("Message the assistant"), "   {Enter}");
    expect(calls).toEqual([]);
  });
});

describe("ConversationList", () => {
  it("links each conversation and marks the open one", () => {
    render(
      <ConversationList
        activeId={2}
        conversations={[
          { id: 1, title: "add buy milk", created_at: "", updated_at: "" },
          { id: 2, title: null, created_at: "", updated_at: "" },
        ]}
      />,
    );
    const nav = screen.getByRole("navigation", { name: "Conversations" });
    expect(within(nav).getByRole("link", { name: "add buy milk" }).getAttribute("href")).toBe("/chat?c=1");
    expect(within(nav).getByRole("link", { name: "Conversation 2" }).getAttribute("aria-current")).toBe("page");
    expect(within(nav).getByRole("link", { name: "New conversation" }).getAttribute("href")).toBe("/chat");
  });
});
