// One chat turn: the agent acts through the tools, and the tools' effects and
// the whole turn (user message, tool calls with results, reply) commit in one
// transaction, or none of it does.
// Nothing lives in memory between turns, so any replica can take the next one.
import { type ControlledTransaction, type Kysely, sql } from "kysely";
import type { Db } from "../db/database.js";
import type { Database } from "../db/schema.js";
import type { Agent, AgentTurn, HistoryMessage, ToolCallRecord } from "./types.js";

export class ConversationNotFound extends Error {}

export interface ChatResult {
  conversation_id: number;
  response: string;
  tool_calls: ToolCallRecord[];
}

const HISTORY_LIMIT = 40;

/** A model's reply can carry what PostgreSQL text cannot hold (NUL, lone surrogates): drop those, keep the rest. */
const storable = (text: string) => text.replace(/\u0000/g, "").replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, "\uFFFD");

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

  // The turn's transaction begins with the agent's first tool call (a turn that
  // only talks holds no connection while the model thinks) and ends after the
  // turn is stored: the tools' effects commit with the turn or not at all.
  let trx: ControlledTransaction<Database> | undefined;
  let begun: Promise<Db> | undefined;
  const transaction = () =>
    (begun ??= db.kysely
      .startTransaction()
      .execute()
      .then((t) => {
        trx = t;
        return { ...db, kysely: t };
      }));
  let conversationId: number;
  let turn: AgentTurn;
  try {
    turn = await agent.respond({ db, userId, transaction }, input.message, history);
    turn = { ...turn, response: storable(turn.response) };
    const store = async (k: Kysely<Database>) => {
      let id = input.conversation_id;
      if (id === undefined) {
        const title = input.message.trim().slice(0, 80);
        id = (await k.insertInto("conversations").values({ user_id: userId, title }).returning("id").executeTakeFirstOrThrow()).id;
      } else {
        await k.updateTable("conversations").set({ updated_at: sql`now()` }).where("id", "=", id).execute();
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
      await k.insertInto("messages").values(rows).execute();
      return id;
    };
    if (begun) {
      const t = (await begun).kysely;
      conversationId = await store(t);
      await trx!.commit().execute();
    } else {
      conversationId = await db.kysely.transaction().execute(store);
    }
  } catch (err) {
    // Undo whatever the tools did; a rollback that fails (the connection is gone)
    // still releases the connection, and the database discards the transaction.
    if (trx && !trx.isCommitted && !trx.isRolledBack) await trx.rollback().execute().catch(() => undefined);
    throw err;
  }

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
