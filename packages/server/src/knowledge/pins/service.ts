import type { PinEntry, PinView } from '@chorus/protocol/knowledge';
import { recordAgentRead } from '../../audit/agent-reads.js';
import { lockChannel } from '../../channels/access.js';
import { mutate, type AppContext } from '../../context.js';
import type { Message, Pin } from '../../db/schema.js';
import { allocateSeq, appendEvent, type Mutation } from '../../events/log.js';
import { notFound } from '../../http/errors.js';
import { visibleMessages } from '../../messages/history.js';
import { viewsOf } from '../../messages/views.js';
import type { ChannelAccess } from '../../policy/channel.js';
import { enforce } from '../../policy/decision.js';
import { canPin } from '../../policy/pin.js';
import { presentPin } from './presenters.js';

export const maxNoteLength = 500;

/**
 * Pins `message` (which the caller loaded through the channel's read path).
 * Pinning a pinned message is idempotent: the existing pin comes back
 * unchanged (its note too) with `created: false`, and no event is written.
 */
export async function pinMessage(ctx: AppContext, a: ChannelAccess, message: Message, note: string | null): Promise<{ pin: PinView; created: boolean }> {
  enforce(canPin(a, message));
  return mutate(ctx, async (m) => {
    // The channel's lock first, as sends take it; then a second pin of the same message waits for this one.
    await lockChannel(m.trx, message.channel_id);
    const existing = await m.trx.selectFrom('pins').selectAll().where('message_id', '=', message.id).executeTakeFirst();
    if (existing) return { pin: presentPin(existing), created: false };
    const seq = await allocateSeq(m.trx, message.channel_id);
    const row = await m.trx
      .insertInto('pins')
      .values({ message_id: message.id, org_id: message.org_id, channel_id: message.channel_id, pinned_by: a.actor.member.id, note, seq })
      .returningAll()
      .executeTakeFirstOrThrow();
    const pin = presentPin(row);
    await appendEvent(m, { orgId: message.org_id, channelId: message.channel_id, seq, type: 'pin.added', actorId: a.actor.member.id, payload: { pin } });
    return { pin, created: true };
  });
}

/** Unpins `message`; who may pin may unpin. A message that is not pinned is `404 pin_not_found`. */
export async function unpinMessage(ctx: AppContext, a: ChannelAccess, message: Message): Promise<void> {
  enforce(canPin(a, message));
  await mutate(ctx, async (m) => {
    await lockChannel(m.trx, message.channel_id);
    const removed = await m.trx.deleteFrom('pins').where('message_id', '=', message.id).returning('message_id').executeTakeFirst();
    if (!removed) throw notFound('pin');
    await appendEvent(m, { orgId: message.org_id, channelId: message.channel_id, type: 'pin.removed', actorId: a.actor.member.id, payload: { message_id: message.id, removed_by: a.actor.member.id } });
  });
}

/**
 * A deleted message keeps no pin: called in the deletion's transaction, after
 * its `message.deleted` event, so the pin's removal follows it in the log.
 */
export async function unpinDeleted(m: Mutation, message: Pick<Message, 'id' | 'org_id' | 'channel_id'>): Promise<void> {
  const removed = await m.trx.deleteFrom('pins').where('message_id', '=', message.id).returning('message_id').executeTakeFirst();
  if (!removed) return;
  await appendEvent(m, { orgId: message.org_id, channelId: message.channel_id, type: 'pin.removed', actorId: null, payload: { message_id: message.id, removed_by: null } });
}

/**
 * The channel's pins whose messages this reader may read now (through the
 * channel's read path: history floor and read rules), most recently pinned
 * first; with `limit`, only the first `limit` of them (read a page of pins at
 * a time, so a bundle that can hold a few messages does not read every pin).
 */
export async function readablePins(ctx: AppContext, a: ChannelAccess, now = new Date(), limit = Infinity): Promise<{ pin: Pin; message: Message }[]> {
  const found: { pin: Pin; message: Message }[] = [];
  const page = Number.isFinite(limit) ? Math.max(limit, 10) : null;
  let before: number | null = null;
  for (;;) {
    const pins: Pin[] = await ctx.db
      .selectFrom('pins')
      .selectAll()
      .where('channel_id', '=', a.channel.id)
      .$if(before !== null, (q) => q.where('seq', '<', before ?? 0))
      .orderBy('seq', 'desc')
      .$if(page !== null, (q) => q.limit(page ?? 0))
      .execute();
    if (pins.length === 0) return found;
    // The pins first, then their messages by id through the read rules: given the ids as a list the planner
    // looks the messages up by key, where a subquery of pins led it to scan the whole channel
    // (≈ 10× slower on a 100,000-message channel; see docs/PERFORMANCE.md, bench:context).
    const messages = await visibleMessages(ctx, a, now)
      .where('deleted_at', 'is', null)
      .where('id', 'in', pins.map((p) => p.message_id))
      .execute();
    const byId = new Map(messages.map((m) => [m.id, m]));
    for (const pin of pins) {
      const message = byId.get(pin.message_id);
      if (message) found.push({ pin, message });
      if (found.length >= limit) return found;
    }
    if (page === null || pins.length < page) return found;
    before = pins[pins.length - 1]?.seq ?? null;
  }
}

/** `GET /channels/:id/pins`: the pins with their message views; an agent's read is audited. */
export async function listPins(ctx: AppContext, a: ChannelAccess, limit: number): Promise<{ pins: PinEntry[]; has_more: boolean }> {
  const all = await readablePins(ctx, a, new Date(), limit + 1);
  const page = all.slice(0, limit);
  const views = await viewsOf(ctx.db, page.map((p) => p.message));
  await recordAgentRead(ctx, a, 'agent.messages.read', page.map((p) => p.message.id), { pins: true });
  return { pins: page.map((p, i) => ({ pin: presentPin(p.pin), message: views[i] as PinEntry['message'] })), has_more: all.length > limit };
}
