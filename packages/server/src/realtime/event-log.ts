import type { ChannelEvent } from '@chorus/protocol/events';
import type { Db } from '../db/database.js';

/** Reads a channel's committed events in (after, upTo], in seq order. */
export async function readEvents(db: Db, orgId: string, channelId: string, after: number, upTo: number): Promise<ChannelEvent[]> {
  if (upTo <= after) return [];
  const rows = await db
    .selectFrom('channel_events')
    .select(['seq', 'type', 'actor_id', 'payload', 'created_at'])
    .where('channel_id', '=', channelId)
    .where('seq', '>', after)
    .where('seq', '<=', upTo)
    .orderBy('seq')
    .execute();
  return rows.map(
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
}

export async function channelHead(db: Db, channelId: string): Promise<{ org_id: string; last_seq: number } | undefined> {
  return db.selectFrom('channels').select(['org_id', 'last_seq']).where('id', '=', channelId).executeTakeFirst();
}
