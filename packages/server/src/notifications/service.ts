import type { DesktopNotifications, NotificationSettings } from '@chorus/protocol/views';
import { mutate, type AppContext } from '../context.js';
import type { Trx } from '../db/database.js';
import type { Actor } from '../policy/actor.js';
import type { ChannelAccess } from '../policy/channel.js';

/**
 * A person's notification preferences in an org, kept by the server so that
 * every device follows them: when to show desktop notifications, and which
 * channels are muted (no badge count except mentions, no notifications). The
 * client applies them; the server only stores and broadcasts them.
 */
async function settingsOf(db: AppContext['db'] | Trx, memberId: string): Promise<NotificationSettings> {
  const [member, mutes] = await Promise.all([
    db.selectFrom('members').select('desktop_notifications').where('id', '=', memberId).executeTakeFirstOrThrow(),
    db.selectFrom('channel_mutes').select('channel_id').where('member_id', '=', memberId).orderBy('created_at').execute(),
  ]);
  return { desktop: member.desktop_notifications, muted_channel_ids: mutes.map((m) => m.channel_id) };
}

export function notificationSettings(ctx: AppContext, actor: Actor): Promise<NotificationSettings> {
  return settingsOf(ctx.db, actor.member.id);
}

export function setDesktopNotifications(ctx: AppContext, actor: Actor, desktop: DesktopNotifications): Promise<NotificationSettings> {
  return mutate(ctx, async (m) => {
    await m.trx.updateTable('members').set({ desktop_notifications: desktop }).where('id', '=', actor.member.id).execute();
    const settings = await settingsOf(m.trx, actor.member.id);
    m.signals.push({ kind: 'notifications', member_id: actor.member.id, settings });
    return settings;
  });
}

/** Mutes or unmutes the caller's membership of the channel (idempotent). */
export function setChannelMuted(ctx: AppContext, a: ChannelAccess, muted: boolean): Promise<NotificationSettings> {
  const memberId = a.actor.member.id;
  return mutate(ctx, async (m) => {
    if (muted) await m.trx.insertInto('channel_mutes').values({ channel_id: a.channel.id, member_id: memberId }).onConflict((oc) => oc.doNothing()).execute();
    else await m.trx.deleteFrom('channel_mutes').where('channel_id', '=', a.channel.id).where('member_id', '=', memberId).execute();
    const settings = await settingsOf(m.trx, memberId);
    m.signals.push({ kind: 'notifications', member_id: memberId, settings });
    return settings;
  });
}
