import type { ChatMessage, ChatReply, Conversation, Task, TaskStatus } from "./types";

// HTTP client for the task API. Runs on the server only (it carries the user's
// JWT); takes fetch as a parameter so it can be pointed at any server.

export class BackendError extends Error {
  override name = "BackendError";
  constructor(
    message: string,
    readonly status: number,
    readonly code: string,
  ) {
    super(message);
  }
}

export interface BackendClientOptions {
  baseUrl: string;
  userId: string;
  token: string;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

export interface TaskChanges {
  title?: string;
  description?: string | null;
  completed?: boolean;
}

/** One page of the task list: the backend sends at most `limit` tasks (default 50) and, when more follow, the next page's cursor in X-Next-Cursor. */
export interface TaskPage {
  tasks: Task[];
  nextCursor: string | undefined;
}

export function createBackendClient(options: BackendClientOptions) {
  const doFetch = options.fetch ?? fetch;
  const base = `${options.baseUrl.replace(/\/+$/, "")}/api/${encodeURIComponent(options.userId)}`;

  async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
    return (await callWithHeaders<T>(method, path, body)).data;
  }

  async function callWithHeaders<T>(method: string, path: string, body?: unknown): Promise<{ data: T; headers: Headers }> {
    let response: Response;
    try {
      response = await doFetch(`${base}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${options.token}`,
          accept: "application/json",
          ...(body === undefined ? {} : { "content-type": "application/json" }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        cache: "no-store",
        signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
      });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new BackendError(`The task service at ${options.baseUrl} is unreachable (${reason}).`, 503, "unreachable");
    }
    if (response.status === 204) return { data: undefined as T, headers: response.headers };
    const text = await response.text();
    let data: unknown;
    try {
      data = text ? JSON.parse(text) : undefined;
    } catch {
      data = undefined;
    }
    if (!response.ok) {
      const err = (data as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
      const message = typeof err?.message === "string" ? err.message : `The task service answered ${response.status}.`;
      const code = typeof err?.code === "string" ? err.code : `http_${response.status}`;
      throw new BackendError(message, response.status, code);
    }
    return { data: data as T, headers: response.headers };
  }

  /** One page of tasks, newest first; pass the previous page's nextCursor for the next one. */
  async function listTaskPage(status: TaskStatus = "all", page: { cursor?: string | undefined; limit?: number } = {}): Promise<TaskPage> {
    const query = new URLSearchParams({ status });
    if (page.limit !== undefined) query.set("limit", String(page.limit));
    if (page.cursor) query.set("cursor", page.cursor);
    const { data, headers } = await callWithHeaders<Task[]>("GET", `/tasks?${query}`);
    return { tasks: data, nextCursor: headers.get("x-next-cursor") || undefined };
  }

  return {
    /** The first page of tasks (what the chat's task list shows). */
    listTasks: async (status: TaskStatus = "all") => (await listTaskPage(status)).tasks,
    listTaskPage,
    createTask: (title: string, description?: string | null) =>
      call<Task>("POST", "/tasks", description ? { title, description } : { title }),
    updateTask: (id: number, changes: TaskChanges) => call<Task>("PUT", `/tasks/${id}`, changes),
    setCompleted: (id: number, completed: boolean) => call<Task>("PATCH", `/tasks/${id}/complete`, { completed }),
    deleteTask: (id: number) => call<unknown>("DELETE", `/tasks/${id}`),
    chat: (message: string, conversationId?: number | string) =>
      call<ChatReply>("POST", "/chat", conversationId === undefined ? { message } : { conversation_id: conversationId, message }),
    listConversations: () => call<Conversation[]>("GET", "/conversations"),
    listMessages: (conversationId: number | string) =>
      call<ChatMessage[]>("GET", `/conversations/${encodeURIComponent(String(conversationId))}/messages`),
  };
}

export type BackendClient = ReturnType<typeof createBackendClient>;
