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
  // When the caller's member is known before the channel (an agent, a connection's actor), its
  // membership (and its member row, to re-read) are read beside the channel rather than after it.
  const knownId = 'member' in who ? who.member.id : who.type === 'agent' ? who.agent.id : null;
  const membershipOf = (memberId: string) =>
    ctx.db.selectFrom('channel_members').selectAll().where('channel_id', '=', channelId).where('member_id', '=', memberId).executeTakeFirst();
  const [channel, early, member] = await Promise.all([
    ctx.db.selectFrom('channels').selectAll().where('id', '=', channelId).executeTakeFirst(),
    knownId ? membershipOf(knownId) : undefined,
    'member' in who ? ctx.db.selectFrom('members').selectAll().where('id', '=', who.member.id).executeTakeFirst() : undefined,
  ]);
  if (!channel) throw notFound('channel');
  const actor = 'member' in who ? refreshActor(who, member, channel.org_id) : await channelActor(ctx, who, channel.org_id);
  const membership = (actor.member.id === knownId ? early : await membershipOf(actor.member.id)) ?? null;
  const access = { actor, channel, membership };
  enforce(rule(access));
  return access;
}

/**
 * An actor known since a connection opened, with its member row as re-read
 * now: the member's status may have changed since (a deactivated member's
 * socket must not post).
 */
function refreshActor(actor: Actor, member: Actor['member'] | undefined, orgId: string): Actor {
  if (actor.member.org_id !== orgId) throw notFound('channel');
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
