import type { ChannelEvent } from '@chorus/protocol/events';
import type { Db } from '../db/database.js';
import { messageColumns } from '../db/schema.js';
import { createdEvent } from '../events/log.js';
import { viewsOf } from '../messages/views.js';

/**
 * Reads a channel's committed events in (after, upTo], in seq order: the
 * stored ones, and each message's `message.created`, derived from its row
 * (the event is not stored twice; events/log.ts). A replayed message is the
 * message as it is now: edited, or deleted with nothing of it left (its
 * edits too), and without reactions, whose own events follow it in the log. A message that
 * retention removed leaves its seq unused, as its `messages.expired` says.
 */
export async function readEvents(db: Db, orgId: string, channelId: string, after: number, upTo: number): Promise<ChannelEvent[]> {
  if (upTo <= after) return [];
  const [rows, messages] = await Promise.all([
    db
      .selectFrom('channel_events')
      .select(['seq', 'type', 'actor_id', 'payload', 'created_at'])
      .where('channel_id', '=', channelId)
      .where('seq', '>', after)
      .where('seq', '<=', upTo)
      .orderBy('seq')
      .execute(),
    db.selectFrom('messages').select(messageColumns).where('channel_id', '=', channelId).where('seq', '>', after).where('seq', '<=', upTo).orderBy('seq').execute(),
  ]);
  const stored = rows.map(
    (r) =>
      ({
        org_id: orgId,
        channel_id: channelId,
        seq: r.seq,
        type: r.type,
        actor_id: r.actor_id,
        payload: r.payload,
        created_at: r.created_at.toISOString(),
      }) as ChannelEvent,
  );
  const created = (await viewsOf(db, messages, { reactions: false })).map((view) => createdEvent(orgId, view));
  return merge(await withoutDeleted(db, stored), created);
}

/**
 * The stored edits of messages deleted since, carrying the message as it is
 * now (deleted, with nothing of it left) instead of the text it was edited to.
 */
async function withoutDeleted(db: Db, events: ChannelEvent[]): Promise<ChannelEvent[]> {
  const edited = [...new Set(events.flatMap((e) => (e.type === 'message.edited' ? [e.payload.message.id] : [])))];
  if (edited.length === 0) return events;
  const deleted = await db.selectFrom('messages').select(messageColumns).where('id', 'in', edited).where('deleted_at', 'is not', null).execute();
  if (deleted.length === 0) return events;
  const now = new Map((await viewsOf(db, deleted, { reactions: false })).map((view) => [view.id, view]));
  return events.map((e) => {
    const message = e.type === 'message.edited' ? now.get(e.payload.message.id) : undefined;
    return message ? ({ ...e, payload: { ...e.payload, message } } as ChannelEvent) : e;
  });
}

/** Two lists in seq order, as one. */
function merge(a: ChannelEvent[], b: ChannelEvent[]): ChannelEvent[] {
  const out: ChannelEvent[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const x = a[i];
    const y = b[j];
    if (x && (!y || x.seq < y.seq)) {
      out.push(x);
      i += 1;
    } else if (y) {
      out.push(y);
      j += 1;
    }
  }
  return out;
}

export async function channelHead(db: Db, channelId: string): Promise<{ org_id: string; last_seq: number } | undefined> {
  return db.selectFrom('channels').select(['org_id', 'last_seq']).where('id', '=', channelId).executeTakeFirst();
}
