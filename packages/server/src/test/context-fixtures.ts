import type { MessageView } from '@chorus/protocol/views';
import { sql } from 'kysely';
import { newToken } from '../accounts/secrets.js';
import { mutate } from '../context.js';
import type { Audience, MessageKind } from '../db/schema.js';
import { allocateSeq, announceMessage } from '../events/log.js';
import { viewOf } from '../messages/views.js';
import type { RunningServer } from '../server.js';

/**
 * Test helpers for the context rules: tasks with their task tokens, messages
 * with an audience or a kind, aged history and the audit trail, written
 * straight through the server's database where no API does it yet.
 */

/** A running task for `agentId` in the channel, about `requestMessageId`'s thread, and a task token for it. */
export async function issueTaskToken(
  server: RunningServer,
  input: { orgId: string; channelId: string; agentId: string; requesterId: string; requestMessageId: string; threadRootId?: string; scopes?: string[] },
): Promise<{ taskId: string; token: string }> {
  const db = server.ctx.db;
  const task = await db
    .insertInto('tasks')
    .values({
      org_id: input.orgId,
      channel_id: input.channelId,
      agent_id: input.agentId,
      requester_id: input.requesterId,
      request_message_id: input.requestMessageId,
      thread_root_id: input.threadRootId ?? input.requestMessageId,
      origin: 'assignment',
      status: 'running',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const { token, hash } = newToken('cht');
  await db
    .insertInto('task_tokens')
    .values({
      task_id: task.id,
      agent_id: input.agentId,
      channel_id: input.channelId,
      token_hash: hash,
      scopes: input.scopes ?? ['messages:read', 'messages:write', 'channels:read', 'context:read'],
      expires_at: new Date(Date.now() + 3_600_000),
    })
    .execute();
  return { taskId: task.id, token };
}

/**
 * Writes a message the way the send path does — the row, its seq and its
 * `message.created` event, in one transaction — with the audience and kind
 * given (the send path takes them from its own request fields).
 */
export async function writeMessage(
  server: RunningServer,
  input: { channelId: string; authorId: string; body: string; audience?: Audience; kind?: MessageKind; threadRootId?: string },
): Promise<MessageView> {
  return mutate(server.ctx, async (m) => {
    const channel = await m.trx.selectFrom('channels').select('org_id').where('id', '=', input.channelId).executeTakeFirstOrThrow();
    const seq = await allocateSeq(m.trx, input.channelId);
    const row = await m.trx
      .insertInto('messages')
      .values({
        org_id: channel.org_id,
        channel_id: input.channelId,
        seq,
        author_id: input.authorId,
        body: input.body,
        kind: input.kind ?? 'chat',
        audience: input.audience ?? 'all',
        thread_root_id: input.threadRootId ?? null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    const view = await viewOf(m.trx, row);
    announceMessage(m, channel.org_id, view);
    return view;
  });
}

/** Makes messages look `days` old. */
export async function age(server: RunningServer, messageIds: string[], days: number): Promise<void> {
  await server.ctx.db
    .updateTable('messages')
    .set({ created_at: sql<Date>`now() - make_interval(days => ${days})` })
    .where('id', 'in', messageIds)
    .execute();
}

/** The org's audit events of one action, oldest first. */
export async function auditOf(server: RunningServer, orgId: string, action: string) {
  return server.ctx.db.selectFrom('audit_events').selectAll().where('org_id', '=', orgId).where('action', '=', action).orderBy('seq').execute();
}
