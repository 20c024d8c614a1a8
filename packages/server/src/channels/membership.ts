import { sql } from 'kysely';
import { recordAction } from '../audit/record.js';
import { mutate, type AppContext } from '../context.js';
import type { Trx } from '../db/database.js';
import type { Channel, ChannelRole, Member } from '../db/schema.js';
import { appendEvent, type Mutation } from '../events/log.js';
import { conflict, notFound } from '../http/errors.js';
import { canAddMember, canChangeRole, canJoin, canLeave, canMarkRead, canRemoveMember, canSee, type ChannelAccess } from '../policy/channel.js';
import { enforce } from '../policy/decision.js';
import { failOpenTasks } from '../tasks/writes.js';
import { memberOf } from '../orgs/access.js';
import { lockChannel } from './access.js';
import { bumpReaders } from './readers.js';
import { addMemberIn } from './service.js';
import { withdrawSponsoredAgents } from './sponsor-access.js';

export async function listChannelMembers(ctx: AppContext, channelId: string) {
  return ctx.db
    .selectFrom('channel_members as cm')
    .innerJoin('members as m', 'm.id', 'cm.member_id')
    .selectAll('m')
    .select(['cm.role as channel_role', 'cm.joined_at'])
    .where('cm.channel_id', '=', channelId)
    .orderBy('m.handle')
    .execute();
}

/** Joining a public channel; people also join by posting in one. */
export async function join(ctx: AppContext, a: ChannelAccess): Promise<void> {
  enforce(canJoin(a));
  await mutate(ctx, async (m) => {
    const channel = await lockChannel(m.trx, a.channel.id);
    const present = await m.trx.selectFrom('channel_members').select('member_id').where('channel_id', '=', channel.id).where('member_id', '=', a.actor.member.id).executeTakeFirst();
    if (present) throw conflict('already_member', 'You are already a member of this channel.');
    await addMemberIn(m, channel, a.actor.member, 'member', null);
    await recordAction(m.trx, a.actor, 'channel.member_joined', { targetType: 'member', targetId: a.actor.member.id, channelId: channel.id, details: { role: 'member' } });
  });
}

export async function removeIn(m: Mutation, a: ChannelAccess, memberId: string): Promise<void> {
  const channel = await lockChannel(m.trx, a.channel.id);
  const removed = await m.trx.deleteFrom('channel_members').where('channel_id', '=', channel.id).where('member_id', '=', memberId).executeTakeFirst();
  if (Number(removed.numDeletedRows) === 0) throw notFound('channel_member');
  await bumpReaders(m.trx, [channel.id]);
  await appendEvent(m, {
    orgId: channel.org_id,
    channelId: channel.id,
    type: 'member.left',
    actorId: a.actor.member.id,
    payload: { member_id: memberId, removed_by: memberId === a.actor.member.id ? null : a.actor.member.id },
  });
  await recordAction(m.trx, a.actor, memberId === a.actor.member.id ? 'channel.member_left' : 'channel.member_removed', { targetType: 'member', targetId: memberId, channelId: channel.id });
  // An agent out of the channel can never work its tasks there (none for a person).
  await failOpenTasks(m, memberId, a.actor, 'the agent was removed from the channel', [channel.id]);
  // A sponsor who can no longer read the channel takes their agents out of it.
  await withdrawSponsoredAgents(m, memberId, a.actor, [channel.id]);
}

export async function leave(ctx: AppContext, a: ChannelAccess): Promise<void> {
  enforce(canLeave(a));
  await mutate(ctx, (m) => removeIn(m, a, a.actor.member.id));
}

export async function addMember(ctx: AppContext, a: ChannelAccess, memberId: string, role: ChannelRole): Promise<Member> {
  const target = await memberOf(ctx, a.channel.org_id, memberId);
  enforce(canAddMember(a, target));
  if (role === 'owner' || role === 'moderator') enforce(canChangeRole(a));
  await mutate(ctx, async (m) => {
    const channel = await lockChannel(m.trx, a.channel.id);
    // Under the channel's lock: a sponsor's concurrent removal from it, or demotion to guest, is decided before or after, not during.
    if (target.kind === 'agent') await ensureSponsorCanRead(m.trx, channel, target);
    const present = await m.trx.selectFrom('channel_members').select('member_id').where('channel_id', '=', channel.id).where('member_id', '=', target.id).executeTakeFirst();
    if (present) throw conflict('already_member', `@${target.handle} is already a member of this channel.`);
    await addMemberIn(m, channel, target, role, a.actor.member.id);
    await recordAction(m.trx, a.actor, 'channel.member_added', { targetType: 'member', targetId: target.id, channelId: channel.id, details: { role, kind: target.kind } });
  });
  return target;
}

/** An agent may serve only where its sponsor could read: its access is never wider than its sponsor's. */
async function ensureSponsorCanRead(trx: Trx, channel: Channel, agent: Member): Promise<void> {
  const sponsor = await trx
    .selectFrom('agents')
    .innerJoin('members', 'members.id', 'agents.sponsor_id')
    .selectAll('members')
    .where('agents.member_id', '=', agent.id)
    .executeTakeFirstOrThrow();
  const membership =
    (await trx.selectFrom('channel_members').selectAll().where('channel_id', '=', channel.id).where('member_id', '=', sponsor.id).executeTakeFirst()) ?? null;
  const sponsorCanSee = sponsor.status === 'active' && canSee({ actor: { member: sponsor, scopes: 'all' }, channel, membership }).allowed;
  if (!sponsorCanSee) throw conflict('sponsor_lacks_access', "The agent's sponsor cannot read this channel, so the agent may not serve in it.");
}

export async function removeMember(ctx: AppContext, a: ChannelAccess, memberId: string): Promise<void> {
  if (memberId === a.actor.member.id) return leave(ctx, a);
  const target = await ctx.db.selectFrom('channel_members').select('role').where('channel_id', '=', a.channel.id).where('member_id', '=', memberId).executeTakeFirst();
  enforce(canRemoveMember(a, target?.role ?? null));
  await mutate(ctx, (m) => removeIn(m, a, memberId));
}

export async function changeMemberRole(ctx: AppContext, a: ChannelAccess, memberId: string, role: ChannelRole): Promise<void> {
  enforce(canChangeRole(a));
  await mutate(ctx, async (m) => {
    const channel = await lockChannel(m.trx, a.channel.id);
    const present = await m.trx.selectFrom('channel_members').select('role').where('channel_id', '=', channel.id).where('member_id', '=', memberId).executeTakeFirst();
    if (!present) throw notFound('channel_member');
    if (present.role === role) return; // already in that role
    await m.trx.updateTable('channel_members').set({ role }).where('channel_id', '=', channel.id).where('member_id', '=', memberId).execute();
    await recordAction(m.trx, a.actor, 'channel.member_role_changed', { targetType: 'member', targetId: memberId, channelId: channel.id, details: { from: present.role, to: role } });
    await appendEvent(m, { orgId: channel.org_id, channelId: channel.id, type: 'member.role_changed', actorId: a.actor.member.id, payload: { member_id: memberId, role } });
  });
}

/** Moves the caller's read cursor forward (never back) to `seq`, capped at the channel's latest. */
export async function markRead(ctx: AppContext, a: ChannelAccess, seq: number): Promise<number> {
  enforce(canMarkRead(a));
  const row = await ctx.db
    .updateTable('channel_members')
    .set({ last_read_seq: sql<number>`greatest(last_read_seq, least(${seq}::bigint, (select last_seq from channels where id = ${a.channel.id})))` })
    .where('channel_id', '=', a.channel.id)
    .where('member_id', '=', a.actor.member.id)
    .returning('last_read_seq')
    .executeTakeFirstOrThrow();
  return row.last_read_seq;
}
