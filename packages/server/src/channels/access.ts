import type { AppContext } from '../context.js';
import type { Trx } from '../db/database.js';
import type { Channel } from '../db/schema.js';
import { actorIn, type Principal } from '../http/auth.js';
import { notFound } from '../http/errors.js';
import type { Actor } from '../policy/actor.js';
import type { ChannelAccess } from '../policy/channel.js';
import { canEnterOrgForChannel } from '../policy/org.js';
import type { Decision } from '../policy/decision.js';
import { enforce } from '../policy/decision.js';

/**
 * Loads what every channel decision needs — the channel, the caller as a
 * member of its org, and the caller's membership — and checks `rule` before
 * the route reads anything else. Channels the caller may not see are 404s.
 */
export async function accessChannel(
  ctx: AppContext,
  who: Principal | Actor,
  channelId: string,
  rule: (a: ChannelAccess) => Decision,
): Promise<ChannelAccess> {
  const channel = await ctx.db.selectFrom('channels').selectAll().where('id', '=', channelId).executeTakeFirst();
  if (!channel) throw notFound('channel');
  const actor = 'member' in who ? await refreshActor(ctx, who, channel.org_id) : await channelActor(ctx, who, channel.org_id);
  const membership =
    (await ctx.db.selectFrom('channel_members').selectAll().where('channel_id', '=', channelId).where('member_id', '=', actor.member.id).executeTakeFirst()) ?? null;
  const access = { actor, channel, membership };
  enforce(rule(access));
  return access;
}

/**
 * An actor known since a connection opened, re-read now: the member's status
 * may have changed since (a deactivated member's socket must not post).
 */
async function refreshActor(ctx: AppContext, actor: Actor, orgId: string): Promise<Actor> {
  if (actor.member.org_id !== orgId) throw notFound('channel');
  const member = await ctx.db.selectFrom('members').selectAll().where('id', '=', actor.member.id).executeTakeFirst();
  const current: Actor | null = member ? { ...actor, member } : null;
  enforce(canEnterOrgForChannel(current));
  return current as Actor;
}

/** The principal as a member of the channel's org; a non-member is told the channel does not exist. */
async function channelActor(ctx: AppContext, principal: Principal, orgId: string): Promise<Actor> {
  const actor = await actorIn(ctx, principal, orgId);
  if (!actor) throw notFound('channel');
  enforce(canEnterOrgForChannel(actor));
  return actor;
}

/** Re-reads the channel row under a lock inside a mutation, so concurrent changes apply one after another. */
export async function lockChannel(trx: Trx, channelId: string): Promise<Channel> {
  return trx.selectFrom('channels').selectAll().where('id', '=', channelId).forUpdate().executeTakeFirstOrThrow();
}
