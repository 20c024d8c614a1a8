import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { mutate, type AppContext } from '../context.js';
import type { Trx } from '../db/database.js';
import type { Message, MessageKind } from '../db/schema.js';
import { allocateSeq, appendEvent, type Mutation } from '../events/log.js';
import { badRequest, conflict, notFound } from '../http/errors.js';
import { canPost, historyFloor, type ChannelAccess } from '../policy/channel.js';
import { enforce } from '../policy/decision.js';
import { canDelete, canEdit } from '../policy/message.js';
import { lockChannel } from '../channels/access.js';
import { addMemberIn } from '../channels/service.js';
import { parseMentions } from './mentions.js';
import { threadSummary, type MessageView } from './presenters.js';
import { viewOf } from './views.js';

export const maxBodyLength = 40_000;

export interface NewMessageInput {
  body: string;
  thread_root_id?: string | undefined;
  client_msg_id?: string | undefined;
  kind?: MessageKind | undefined;
}

/** Resolves `@handle`s to active members of the org and records them for mention counts. */
async function writeMentions(trx: Trx, message: Message): Promise<{ channel: boolean; here: boolean; agents: boolean }> {
  const parsed = parseMentions(message.body);
  await trx.deleteFrom('message_mentions').where('message_id', '=', message.id).execute();
  if (parsed.handles.length > 0) {
    const members = await trx
      .selectFrom('members')
      .select('id')
      .where('org_id', '=', message.org_id)
      .where('status', '=', 'active')
      .where((eb) => eb(eb.fn('lower', [eb.ref('handle')]), 'in', parsed.handles))
      .execute();
    if (members.length > 0) {
      await trx
        .insertInto('message_mentions')
        .values(members.map((m) => ({ message_id: message.id, member_id: m.id, channel_id: message.channel_id, seq: message.seq })))
        .execute();
    }
  }
  return { channel: parsed.channel, here: parsed.here, agents: parsed.agents };
}

/**
 * Claims `client_msg_id` for this author. Returns the id of the message that
 * already holds it (sent within 24 h), or null when this send may go ahead.
 * A concurrent send with the same id waits on the unique key, then sees the winner.
 */
async function claimClientId(trx: Trx, authorId: string, clientMsgId: string, messageId: string): Promise<string | null> {
  const claimed = await trx
    .insertInto('message_idempotency')
    .values({ author_id: authorId, client_msg_id: clientMsgId, message_id: messageId })
    .onConflict((oc) =>
      oc
        .columns(['author_id', 'client_msg_id'])
        .doUpdateSet({ message_id: messageId, created_at: sql`now()` })
        .where('message_idempotency.created_at', '<', sql<Date>`now() - interval '24 hours'`),
    )
    .returning('message_id')
    .executeTakeFirst();
  if (claimed) return null;
  const existing = await trx
    .selectFrom('message_idempotency')
    .select('message_id')
    .where('author_id', '=', authorId)
    .where('client_msg_id', '=', clientMsgId)
    .executeTakeFirstOrThrow();
  return existing.message_id;
}

class DuplicateSend extends Error {
  constructor(readonly messageId: string) {
    super('duplicate send');
  }
}

async function insertMessage(m: Mutation, a: ChannelAccess, input: NewMessageInput, id: string): Promise<MessageView> {
  const channel = a.channel;
  let root: Message | undefined;
  if (input.thread_root_id) {
    root = await m.trx.selectFrom('messages').selectAll().where('id', '=', input.thread_root_id).where('channel_id', '=', channel.id).forUpdate().executeTakeFirst();
    if (!root) throw notFound('thread_root');
    if (root.thread_root_id) throw badRequest('nested_thread', 'Reply to the thread root, not to a reply.');
    if (root.deleted_at) throw conflict('message_deleted', 'The thread root was deleted.');
    if (root.seq <= historyFloor(a)) throw notFound('thread_root');
  }
  if (!a.membership) {
    // Posting in a public channel joins it; under the channel lock, so first posts sent together join once.
    const locked = await lockChannel(m.trx, channel.id);
    const present = await m.trx.selectFrom('channel_members').select('member_id').where('channel_id', '=', channel.id).where('member_id', '=', a.actor.member.id).executeTakeFirst();
    if (!present) await addMemberIn(m, locked, a.actor.member, 'member', null);
  }

  const seq = await allocateSeq(m.trx, channel.id);
  const inserted = await m.trx
    .insertInto('messages')
    .values({
      id,
      org_id: channel.org_id,
      channel_id: channel.id,
      seq,
      author_id: a.actor.member.id,
      kind: input.kind ?? 'chat',
      body: input.body,
      thread_root_id: root?.id ?? null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  const flags = await writeMentions(m.trx, inserted);
  const message = await m.trx
    .updateTable('messages')
    .set({ mentions_all: flags.channel, mentions_here: flags.here, mentions_agents: flags.agents })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
  const view = await viewOf(m.trx, message);
  await appendEvent(m, { orgId: channel.org_id, channelId: channel.id, seq, type: 'message.created', actorId: a.actor.member.id, payload: { message: view } });

  if (root) {
    const updatedRoot = await m.trx
      .updateTable('messages')
      .set({
        reply_count: sql`reply_count + 1`,
        last_reply_at: message.created_at,
        reply_participants: sql`case when ${a.actor.member.id}::uuid = any(reply_participants) then reply_participants else array_append(reply_participants, ${a.actor.member.id}::uuid) end`,
      })
      .where('id', '=', root.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await appendEvent(m, { orgId: channel.org_id, channelId: channel.id, type: 'thread.updated', actorId: a.actor.member.id, payload: { thread: threadSummary(updatedRoot) } });
  }
  return view;
}

/**
 * Posts a message in one transaction: the message, its mentions, the thread
 * root's summary and the channel events. With a `client_msg_id` seen from the
 * same author in the last 24 h, returns the original message and writes nothing.
 */
export async function postMessage(ctx: AppContext, a: ChannelAccess, input: NewMessageInput): Promise<{ message: MessageView; duplicate: boolean }> {
  enforce(canPost(a));
  const id = randomUUID();
  try {
    const message = await mutate(ctx, async (m) => {
      if (input.client_msg_id) {
        const existing = await claimClientId(m.trx, a.actor.member.id, input.client_msg_id, id);
        if (existing) throw new DuplicateSend(existing);
      }
      return insertMessage(m, a, input, id);
    });
    return { message, duplicate: false };
  } catch (error) {
    if (!(error instanceof DuplicateSend)) throw error;
    const original = await ctx.db.selectFrom('messages').selectAll().where('id', '=', error.messageId).executeTakeFirstOrThrow();
    return { message: await viewOf(ctx.db, original), duplicate: true };
  }
}

export async function editMessage(ctx: AppContext, a: ChannelAccess, message: Message, body: string): Promise<MessageView> {
  enforce(canEdit(a, message));
  if (body === message.body) return viewOf(ctx.db, message);
  return mutate(ctx, async (m) => {
    const edited = await m.trx.updateTable('messages').set({ body, edited_at: new Date() }).where('id', '=', message.id).returningAll().executeTakeFirstOrThrow();
    const flags = await writeMentions(m.trx, edited);
    const final = await m.trx
      .updateTable('messages')
      .set({ mentions_all: flags.channel, mentions_here: flags.here, mentions_agents: flags.agents })
      .where('id', '=', message.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    const view = await viewOf(m.trx, final);
    await appendEvent(m, { orgId: final.org_id, channelId: final.channel_id, type: 'message.edited', actorId: a.actor.member.id, payload: { message: view } });
    return view;
  });
}

/** Deleting leaves a tombstone in history: the position and author remain, the content and reactions go. */
export async function deleteMessage(ctx: AppContext, a: ChannelAccess, message: Message): Promise<MessageView> {
  enforce(canDelete(a, message));
  return mutate(ctx, async (m) => {
    const deleted = await m.trx
      .updateTable('messages')
      .set({ deleted_at: new Date(), body: '', mentions_all: false, mentions_here: false, mentions_agents: false })
      .where('id', '=', message.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await m.trx.deleteFrom('message_mentions').where('message_id', '=', message.id).execute();
    await m.trx.deleteFrom('reactions').where('message_id', '=', message.id).execute();
    const view = await viewOf(m.trx, deleted);
    await appendEvent(m, { orgId: deleted.org_id, channelId: deleted.channel_id, type: 'message.deleted', actorId: a.actor.member.id, payload: { message: view } });
    return view;
  });
}
