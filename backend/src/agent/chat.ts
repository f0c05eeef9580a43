// One chat turn: the agent acts through the tools, then the whole turn (user
// message, tool calls with results, reply) is stored in one transaction.
// Nothing lives in memory between turns, so any replica can take the next one.
import { sql } from "kysely";
import type { Db } from "../db/database.js";
import type { Agent, HistoryMessage, ToolCallRecord } from "./types.js";

export class ConversationNotFound extends Error {}

export interface ChatResult {
  conversation_id: number;
  response: string;
  tool_calls: ToolCallRecord[];
}

const HISTORY_LIMIT = 40;

export async function chatTurn(db: Db, agent: Agent, userId: string, input: { conversation_id?: number; message: string }): Promise<ChatResult> {
  let history: HistoryMessage[] = [];
  if (input.conversation_id !== undefined) {
    const conv = await db.kysely
      .selectFrom("conversations")
      .select("id")
      .where("id", "=", input.conversation_id)
      .where("user_id", "=", userId)
      .executeTakeFirst();
    if (!conv) throw new ConversationNotFound(`conversation ${input.conversation_id} was not found`);
    const rows = await db.kysely
      .selectFrom("messages")
      .select(["role", "content"])
      .where("conversation_id", "=", input.conversation_id)
      .orderBy("id", "desc")
      .limit(HISTORY_LIMIT)
      .execute();
    history = rows.reverse();
  }

  const turn = await agent.respond({ db, userId }, input.message, history);

  const conversationId = await db.kysely.transaction().execute(async (trx) => {
    let id = input.conversation_id;
    if (id === undefined) {
      const title = input.message.trim().slice(0, 80);
      id = (await trx.insertInto("conversations").values({ user_id: userId, title }).returning("id").executeTakeFirstOrThrow()).id;
    } else {
      await trx.updateTable("conversations").set({ updated_at: sql`now()` }).where("id", "=", id).execute();
    }
    const rows = [
      { conversation_id: id, user_id: userId, role: "user" as const, content: input.message, tool_calls: null },
      ...turn.toolCalls.map((c) => ({
        conversation_id: id!,
        user_id: userId,
        role: "tool" as const,
        content: JSON.stringify(c.result),
        tool_calls: JSON.stringify([c]),
      })),
      {
        conversation_id: id,
        user_id: userId,
        role: "assistant" as const,
        content: turn.response,
        tool_calls: turn.toolCalls.length ? JSON.stringify(turn.toolCalls) : null,
      },
    ];
    await trx.insertInto("messages").values(rows).execute();
    return id;
  });

  return { conversation_id: conversationId, response: turn.response, tool_calls: turn.toolCalls };
}

export async function listConversations(db: Db, userId: string) {
  const rows = await db.kysely
    .selectFrom("conversations")
    .selectAll()
    .where("user_id", "=", userId)
    .orderBy("updated_at", "desc")
    .orderBy("id", "desc")
    .execute();
  return rows.map((r) => ({
    id: r.id,
    title: r.title,
    created_at: new Date(r.created_at).toISOString(),
    updated_at: new Date(r.updated_at).toISOString(),
  }));
}

export async function listMessages(db: Db, userId: string, conversationId: number) {
  const conv = await db.kysely
    .selectFrom("conversations")
    .select("id")
    .where("id", "=", conversationId)
    .where("user_id", "=", userId)
    .executeTakeFirst();
  if (!conv) throw new ConversationNotFound(`conversation ${conversationId} was not found`);
  const rows = await db.kysely.selectFrom("messages").selectAll().where("conversation_id", "=", conversationId).orderBy("id").execute();
  return rows.map((r) => ({
    id: r.id,
    role: r.role,
    content: r.content,
    tool_calls: typeof r.tool_calls === "string" ? (JSON.parse(r.tool_calls) as unknown) : null,
    created_at: new Date(r.created_at).toISOString(),
  }));
}
