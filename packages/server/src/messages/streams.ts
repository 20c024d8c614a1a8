import { sql } from 'kysely';
import { mutate, type AppContext } from '../context.js';
import type { Message, StreamState } from '../db/schema.js';
import { allocateSeq, appendEvent, type Mutation } from '../events/log.js';
import { AppError, conflict } from '../http/errors.js';
import type { ChannelAccess } from '../policy/channel.js';
import { enforce } from '../policy/decision.js';
import { canEdit } from '../policy/message.js';
import type { MessageView } from './presenters.js';
import { maxBodyLength, writeMentions } from './service.js';
import { viewOf } from './views.js';
import { every } from '../periodic.js';

/**
 * Streaming replies. A message posted with `stream: true` is stored with its
 * first chunk and `stream_state = open`; its author appends chunks, which go to
 * the channel's readers as ephemeral `stream` frames (no event, no write to the
 * message); the text so far is kept in `message_streams`, so any node can end
 * the stream. Ending it writes the final text once, as one `message.edited`
 * event; a stream whose author stopped sending is closed by the sweep with the
 * text it had, marked `abandoned`.
 */

/** At most this many characters per chunk. */
export const maxChunkLength = 4_000;

const streamClosed = () => conflict('stream_closed', 'This message is not an open stream.');

/** Appends a chunk to the author's open stream and sends it to the channel; returns its index. */
export async function appendChunk(ctx: AppContext, a: ChannelAccess, message: Message, text: string): Promise<{ index: number }> {
  enforce(canEdit(a, message));
  if (message.stream_state !== 'open') throw streamClosed();
  const row = await ctx.db
    .updateTable('message_streams')
    .set({ text: sql`text || ${text}`, chunks: sql`chunks + 1`, last_chunk_at: new Date() })
    .where('message_id', '=', message.id)
    .where(sql<boolean>`char_length(text) + char_length(${text}) <= ${maxBodyLength}`)
    .returning('chunks')
    .executeTakeFirst();
  if (!row) {
    const open = await ctx.db.selectFrom('message_streams').select('message_id').where('message_id', '=', message.id).executeTakeFirst();
    throw open ? new AppError(413, 'stream_too_long', `A message holds at most ${maxBodyLength} characters.`) : streamClosed();
  }
  ctx.bus.signal({ kind: 'stream', org_id: message.org_id, channel_id: message.channel_id, message_id: message.id, index: row.chunks, text });
  return { index: row.chunks };
}

/** Ends the author's open stream: its final text (the chunks, or `body` when given) is written once. */
export async function endStream(ctx: AppContext, a: ChannelAccess, message: Message, body?: string): Promise<MessageView> {
  enforce(canEdit(a, message));
  if (message.stream_state !== 'open') throw streamClosed();
  try {
    return await mutate(ctx, (m) => closeStream(m, message, 'ended', body));
  } catch (error) {
    throw error instanceof StreamGone ? streamClosed() : error;
  }
}

/**
 * Closes the stream in the mutation: the channel's lock first (as sends take
 * it), then the stream's row; throws StreamGone when another node closed it
 * first or the message was deleted meanwhile.
 */
async function closeStream(m: Mutation, message: Pick<Message, 'id' | 'channel_id'>, state: Exclude<StreamState, 'open'>, body?: string): Promise<MessageView> {
  const seq = await allocateSeq(m.trx, message.channel_id);
  const stream = await m.trx.deleteFrom('message_streams').where('message_id', '=', message.id).returningAll().executeTakeFirst();
  if (!stream) throw new StreamGone();
  const current = await m.trx.selectFrom('messages').selectAll().where('id', '=', message.id).executeTakeFirstOrThrow();
  // A message deleted mid-stream keeps its tombstone; deletion drops its stream (messages/service.ts).
  if (current.deleted_at) throw new StreamGone();
  const written = await m.trx.updateTable('messages').set({ body: body ?? stream.text, stream_state: state }).where('id', '=', message.id).returningAll().executeTakeFirstOrThrow();
  const flags = await writeMentions(m.trx, written);
  const final = await m.trx
    .updateTable('messages')
    .set({ mentions_all: flags.channel, mentions_here: flags.here, mentions_agents: flags.agents })
    .where('id', '=', message.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  const view = await viewOf(m.trx, final);
  await appendEvent(m, { orgId: final.org_id, channelId: final.channel_id, seq, type: 'message.edited', actorId: stream.author_id, payload: { message: view } });
  return view;
}

/** Rolls the closing transaction back (the seq it took is not used) when there is nothing to close. */
class StreamGone extends Error {}

/**
 * Closes streams whose last chunk is older than the timeout, as `abandoned`,
 * with the text they had; each in its own transaction, so several nodes
 * sweeping at once agree. Returns the ids closed.
 *
 * @example
 * // tests: age a stream, then sweep, without waiting
 * await server.ctx.db.updateTable('message_streams').set({ last_chunk_at: new Date(0) }).where('message_id', '=', id).execute();
 * await abandonStreams(server.ctx);
 */
export async function abandonStreams(ctx: AppContext, batch = 100): Promise<string[]> {
  const cutoff = new Date(Date.now() - ctx.config.streams.timeoutSeconds * 1000);
  const due = await ctx.db.selectFrom('message_streams').select(['message_id', 'channel_id']).where('last_chunk_at', '<', cutoff).orderBy('last_chunk_at').limit(batch).execute();
  const closed: string[] = [];
  for (const row of due) {
    try {
      await mutate(ctx, (m) => closeStream(m, { id: row.message_id, channel_id: row.channel_id }, 'abandoned'));
      closed.push(row.message_id);
    } catch (error) {
      if (!(error instanceof StreamGone)) throw error;
    }
  }
  return closed;
}

/** Sweeps abandoned streams every `sweepSeconds` (0: never). The timer does not keep the process alive. */
export function startStreamSweeper(ctx: AppContext): { stop(): Promise<void> } {
  return every(ctx.config.streams.sweepSeconds, () => abandonStreams(ctx), (err) => { ctx.log.error({ err }, 'stream sweep failed'); });
}
