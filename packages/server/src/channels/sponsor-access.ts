import { appendAudit } from '../audit/chain.js';
import { appendEvent, type Mutation } from '../events/log.js';
import type { Actor } from '../policy/actor.js';
import { canSee } from '../policy/channel.js';
import { failOpenTasks } from '../tasks/writes.js';
import { bumpReaders } from './readers.js';

/**
 * An agent's permission in a channel never exceeds its sponsor's (DESIGN §2.2):
 * when the sponsor can no longer read a channel — removed from or leaving a
 * private one, or made a guest where they are not a member — the agents they
 * sponsor are removed from it in the same transaction, with a `member.left`
 * naming who caused it, and the tasks they held there fail.
 *
 * Call it after the sponsor's own change is written, with the channels that
 * change concerns (all of them when omitted). A deactivated sponsor's agents
 * are suspended instead and keep their channels, for a reactivation.
 */
export async function withdrawSponsoredAgents(m: Mutation, sponsorId: string, by: Actor | null, channelIds?: readonly string[]): Promise<string[]> {
  const byId = by?.member.id ?? null;
  if (channelIds?.length === 0) return [];
  let served = m.trx
    .selectFrom('channel_members as cm')
    .innerJoin('agents as ag', 'ag.member_id', 'cm.member_id')
    .select(['cm.channel_id', 'cm.member_id'])
    .where('ag.sponsor_id', '=', sponsorId);
  if (channelIds) served = served.where('cm.channel_id', 'in', [...channelIds]);
  const placements = await served.execute();
  if (placements.length === 0) return [];

  const sponsor = await m.trx.selectFrom('members').selectAll().where('id', '=', sponsorId).executeTakeFirstOrThrow();
  const where = [...new Set(placements.map((p) => p.channel_id))];
  const channels = await m.trx.selectFrom('channels').selectAll().where('id', 'in', where).execute();
  const memberships = await m.trx.selectFrom('channel_members').selectAll().where('member_id', '=', sponsorId).where('channel_id', 'in', where).execute();
  const lost = channels
    .filter((channel) => {
      const membership = memberships.find((ms) => ms.channel_id === channel.id) ?? null;
      return !canSee({ actor: { member: sponsor, scopes: 'all' }, channel, membership }).allowed;
    })
    .map((c) => c.id)
    .sort();
  if (lost.length === 0) return [];

  // Only the channels that change are locked, in id order as sends lock them (the caller's own change holds them already).
  const locked = await m.trx.selectFrom('channels').select(['id', 'org_id']).where('id', 'in', lost).orderBy('id').forUpdate().execute();
  const withdrawn: string[] = [];
  for (const channel of locked) {
    const agentIds = placements.filter((p) => p.channel_id === channel.id).map((p) => p.member_id);
    const removed = await m.trx.deleteFrom('channel_members').where('channel_id', '=', channel.id).where('member_id', 'in', agentIds).returning('member_id').execute();
    for (const { member_id } of removed.sort((x, y) => (x.member_id < y.member_id ? -1 : 1))) {
      await appendEvent(m, { orgId: channel.org_id, channelId: channel.id, type: 'member.left', actorId: byId, payload: { member_id, removed_by: byId } });
      await appendAudit(m.trx, channel.org_id, [
        { actorId: byId, actorKind: by ? by.member.kind : 'system', action: 'channel.agent_withdrawn', targetType: 'member', targetId: member_id, channelId: channel.id, decision: 'allow', details: { sponsor_id: sponsorId } },
      ]);
      await failOpenTasks(m, member_id, by, 'its sponsor can no longer read the channel', [channel.id]);
    }
    if (removed.length > 0) withdrawn.push(channel.id);
  }
  await bumpReaders(m.trx, withdrawn);
  return withdrawn;
}
