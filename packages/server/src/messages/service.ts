import { mutate, type AppContext } from '../context.js';
import type { Trx } from '../db/database.js';
import type { Audience, Message, MessageKind, SourceRef } from '../db/schema.js';
import { allocateSeq, appendEvent } from '../events/log.js';
import { conflict } from '../http/errors.js';
import { accessChannel } from '../channels/access.js';
import type { Actor } from '../policy/actor.js';
import { canPost, canSee, type ChannelAccess } from '../policy/channel.js';
import { enforce } from '../policy/decision.js';
import { canDelete, canEdit, canPostKind } from '../policy/message.js';
import { parseMentions } from './mentions.js';
import type { MessageView } from './presenters.js';
import type { SendOutcome } from './send-batch.js';
import { sendQueue } from './send-queue.js';
import { checkThreadRoot } from './history.js';
import { checkSources, distinctSources } from './sources.js';
import { unpinDeleted } from '../knowledge/pins/service.js';
import { viewOf } from './views.js';
import { purgeFiles, tombstoneAttachments } from '../files/service.js';

export const maxBodyLength = 40_000;

export interface NewMessageInput {
  body: string;
  thread_root_id?: string | undefined;
  client_msg_id?: string | undefined;
  kind?: MessageKind | undefined;
  /** `humans`: never reaches an agent. Omitted = `all`. */
  audience?: Audience | undefined;
  /** What the message drew on; an agent's post is refused when one fails the audience rule. */
  sources?: SourceRef[] | undefined;
  /** Opens a streamed reply: `body` is its first chunk (messages/streams.ts). */
  stream?: boolean | undefined;
  /** The author's pending uploads in this channel, attached in the message's transaction (files/attach.ts). */
  file_ids?: string[] | undefined;
}

/** Resolves `@handle`s to active members of the org and records them for mention counts. */
export async function writeMentions(trx: Trx, message: Message): Promise<{ channel: boolean; here: boolean; agents: boolean }> {
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
 * Posts a message: the message, its mentions, the thread root's summary, a
 * first poster's join and the channel events, committed together (grouped
 * with concurrent sends into one transaction by the send queue). With a
 * `client_msg_id` seen from the same author in the last 24 h, returns the
 * original message and writes nothing. An agent's declared sources are
 * checked against the audience rule before anything joins the queue.
 */
export async function postMessage(ctx: AppContext, a: ChannelAccess, input: NewMessageInput): Promise<{ message: MessageView; duplicate: boolean }> {
  enforce(canPost(a));
  enforce(canPostKind(a.actor, input.kind ?? 'chat'));
  const sources = distinctSources(input.sources ?? []);
  await checkSources(ctx, a, sources);
  if (input.thread_root_id) await checkThreadRoot(ctx, a, input.thread_root_id);
  return settle(ctx, await sendQueue(ctx).submit({ actor: a.actor, channelId: a.channel.id, input: { ...input, sources } }));
}

/**
 * Posts for an actor known since its connection opened, with no reads before
 * the send queue: the batch judges the send under the channel's lock (the
 * member's status, the membership, the channel's settings, as they are then).
 * A post that declares sources (checked against the audience rule), replies
 * in a thread (whose root the author must be able to read under the channel's
 * rules) or attaches files needs the channel first, so it takes the full path.
 */
export async function postMessageAs(ctx: AppContext, actor: Actor, channelId: string, input: NewMessageInput): Promise<{ message: MessageView; duplicate: boolean }> {
  if (input.sources?.length || input.thread_root_id || input.file_ids?.length) return postMessage(ctx, await accessChannel(ctx, actor, channelId, canSee), input);
  enforce(canPostKind(actor, input.kind ?? 'chat'));
  return settle(ctx, await sendQueue(ctx).submit({ actor, channelId, input: { ...input, sources: [] } }));
}

async function settle(ctx: AppContext, outcome: SendOutcome): Promise<{ message: MessageView; duplicate: boolean }> {
  switch (outcome.kind) {
    case 'stored':
      return { message: outcome.message, duplicate: false };
    case 'refused':
      throw outcome.error;
    case 'duplicate': {
      const original = await ctx.db.selectFrom('messages').selectAll().where('id', '=', outcome.messageId).executeTakeFirstOrThrow();
      return { message: await viewOf(ctx.db, original), duplicate: true };
    }
  }
}

export async function editMessage(ctx: AppContext, a: ChannelAccess, message: Message, body: string): Promise<MessageView> {
  enforce(canEdit(a, message));
  if (message.stream_state === 'open') throw conflict('stream_open', 'This message is still streaming: end the stream to set its final text.');
  if (body === message.body) return viewOf(ctx.db, message);
  return mutate(ctx, async (m) => {
    const seq = await allocateSeq(m.trx, message.channel_id); // the channel's lock first, as sends take it
    const edited = await m.trx.updateTable('messages').set({ body, edited_at: new Date() }).where('id', '=', message.id).returningAll().executeTakeFirstOrThrow();
    const flags = await writeMentions(m.trx, edited);
    const final = await m.trx
      .updateTable('messages')
      .set({ mentions_all: flags.channel, mentions_here: flags.here, mentions_agents: flags.agents })
      .where('id', '=', message.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    const view = await viewOf(m.trx, final);
    await appendEvent(m, { orgId: final.org_id, channelId: final.channel_id, seq, type: 'message.edited', actorId: a.actor.member.id, payload: { message: view } });
    return view;
  });
}

/** Deleting leaves a tombstone in history: the position and author remain, the content, reactions, pin and attached files go. */
export async function deleteMessage(ctx: AppContext, a: ChannelAccess, message: Message): Promise<MessageView> {
  enforce(canDelete(a, message));
  const { view, files } = await mutate(ctx, async (m) => {
    const seq = await allocateSeq(m.trx, message.channel_id); // the channel's lock first, as sends take it
    const deleted = await m.trx
      .updateTable('messages')
      .set({ deleted_at: new Date(), body: '', mentions_all: false, mentions_here: false, mentions_agents: false, stream_state: message.stream_state === 'open' ? 'ended' : message.stream_state })
      .where('id', '=', message.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await m.trx.deleteFrom('message_mentions').where('message_id', '=', message.id).execute();
    await m.trx.deleteFrom('reactions').where('message_id', '=', message.id).execute();
    await m.trx.deleteFrom('message_streams').where('message_id', '=', message.id).execute();
    const view = await viewOf(m.trx, deleted);
    await appendEvent(m, { orgId: deleted.org_id, channelId: deleted.channel_id, seq, type: 'message.deleted', actorId: a.actor.member.id, payload: { message: view } });
    await unpinDeleted(m, deleted);
    return { view, files: await tombstoneAttachments(m.trx, message.id) };
  });
  await purgeFiles(ctx, files); // the bytes go after commit; the file sweep retries what fails here
  return view;
}
