import { mutate, type AppContext } from '../context.js';
import type { Message } from '../db/schema.js';
import { appendEvent } from '../events/log.js';
import { conflict } from '../http/errors.js';
import { canReact, type ChannelAccess } from '../policy/channel.js';
import { enforce } from '../policy/decision.js';

/** Adds the caller's reaction. Adding one that is already there changes nothing and records no event. */
export async function addReaction(ctx: AppContext, a: ChannelAccess, message: Message, emoji: string): Promise<void> {
  enforce(canReact(a));
  if (message.deleted_at) throw conflict('message_deleted', 'This message was deleted.');
  await mutate(ctx, async (m) => {
    const added = await m.trx
      .insertInto('reactions')
      .values({ message_id: message.id, member_id: a.actor.member.id, emoji })
      .onConflict((oc) => oc.doNothing())
      .returning('emoji')
      .executeTakeFirst();
    if (!added) return;
    await appendEvent(m, { orgId: message.org_id, channelId: message.channel_id, type: 'reaction.added', actorId: a.actor.member.id, payload: { message_id: message.id, emoji, member_id: a.actor.member.id } });
  });
}

export async function removeReaction(ctx: AppContext, a: ChannelAccess, message: Message, emoji: string): Promise<void> {
  enforce(canReact(a));
  await mutate(ctx, async (m) => {
    const removed = await m.trx
      .deleteFrom('reactions')
      .where('message_id', '=', message.id)
      .where('member_id', '=', a.actor.member.id)
      .where('emoji', '=', emoji)
      .executeTakeFirst();
    if (Number(removed.numDeletedRows) === 0) return;
    await appendEvent(m, { orgId: message.org_id, channelId: message.channel_id, type: 'reaction.removed', actorId: a.actor.member.id, payload: { message_id: message.id, emoji, member_id: a.actor.member.id } });
  });
}
