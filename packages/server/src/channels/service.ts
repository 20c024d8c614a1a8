import { sql } from 'kysely';
import { recordAction } from '../audit/record.js';
import { mutate, type AppContext } from '../context.js';
import type { Channel, ChannelKind, ChannelRole, Member } from '../db/schema.js';
import type { ChannelSettings } from '@chorus/protocol/views';
import { allocateSeq, appendEvent, type Mutation } from '../events/log.js';
import { badRequest, conflict } from '../http/errors.js';
import type { Actor } from '../policy/actor.js';
import { canManage, type ChannelAccess } from '../policy/channel.js';
import { enforce } from '../policy/decision.js';
import { canCreateChannel, canIncludeAgentsInDm, canOpenDm } from '../policy/org.js';
import { failChannelTasks } from '../tasks/writes.js';
import { lockChannel } from './access.js';
import { visibleMessages } from '../messages/history.js';
import { presentChannel } from './presenters.js';
import { bumpReaders } from './readers.js';


/** Adds a member inside a mutation and records `member.joined`. Their history boundary is the seq before they joined. */
export async function addMemberIn(m: Mutation, channel: Channel, member: Member, role: ChannelRole, addedBy: string | null): Promise<void> {
  const seq = await allocateSeq(m.trx, channel.id);
  await m.trx
    .insertInto('channel_members')
    .values({ channel_id: channel.id, member_id: member.id, role, joined_seq: seq - 1, last_read_seq: seq })
    .execute();
  await bumpReaders(m.trx, [channel.id]);
  await appendEvent(m, { orgId: channel.org_id, channelId: channel.id, seq, type: 'member.joined', actorId: addedBy ?? member.id, payload: { member_id: member.id, role, added_by: addedBy, channel: presentChannel({ ...channel, last_seq: seq }) } });
}

/** Creates a channel with its creator as owner, inside a mutation (org creation uses it for #general). */
export async function createChannelIn(
  m: Mutation,
  creator: Member,
  input: { kind: ChannelKind; name: string | null; topic?: string | undefined; settings?: Partial<ChannelSettings> | undefined; dmKey?: string },
): Promise<Channel> {
  const created = await m.trx
    .insertInto('channels')
    .values({
      org_id: creator.org_id,
      kind: input.kind,
      name: input.name,
      topic: input.topic ?? '',
      dm_key: input.dmKey ?? null,
      created_by: creator.id,
      ...input.settings,
    })
    .onConflict((oc) => oc.doNothing())
    .returningAll()
    .executeTakeFirst();
  if (!created) throw conflict('channel_name_taken', `A channel named #${input.name ?? ''} already exists.`);
  const seq = await allocateSeq(m.trx, created.id);
  const channel = { ...created, last_seq: seq };
  await appendEvent(m, { orgId: channel.org_id, channelId: channel.id, seq, type: 'channel.created', actorId: creator.id, payload: { channel: presentChannel(channel) } });
  await addMemberIn(m, channel, creator, input.kind === 'public' || input.kind === 'private' ? 'owner' : 'member', null);
  return lockChannel(m.trx, channel.id);
}

export async function createChannel(
  ctx: AppContext,
  actor: Actor,
  input: { kind: 'public' | 'private'; name: string; topic?: string | undefined; settings?: Partial<ChannelSettings> | undefined },
): Promise<Channel> {
  enforce(canCreateChannel(actor));
  return mutate(ctx, (m) => createChannelIn(m, actor.member, { ...input, name: input.name.toLowerCase() }));
}

/**
 * Finds or creates the direct conversation of exactly this set of members
 * (the caller included): a `dm` for one or two people, a `group_dm` beyond.
 */
export async function openDm(ctx: AppContext, actor: Actor, memberIds: string[]): Promise<{ channel: Channel; created: boolean }> {
  const ids = [...new Set([actor.member.id, ...memberIds])].sort();
  enforce(canOpenDm(actor, { allShareAChannel: actor.member.role !== 'guest' || (await allShareAChannel(ctx, actor.member.id, ids)) }));
  if (ids.length > 9) throw badRequest('too_many_members', 'A group DM holds at most 9 members.');
  const members = await ctx.db.selectFrom('members').selectAll().where('org_id', '=', actor.member.org_id).where('id', 'in', ids).execute();
  const missing = ids.filter((id) => !members.some((mm) => mm.id === id));
  if (missing.length > 0) throw badRequest('unknown_members', 'Some members are not in this org.', { member_ids: missing });
  const inactive = members.filter((mm) => mm.status !== 'active' && mm.id !== actor.member.id);
  if (inactive.length > 0) throw conflict('member_inactive', 'Some members are not active.', { member_ids: inactive.map((mm) => mm.id) });
  const agentIds = members.filter((mm) => mm.kind === 'agent').map((mm) => mm.id);
  if (agentIds.length > 0) {
    const sponsors = await ctx.db.selectFrom('agents').select(['member_id', 'sponsor_id']).where('member_id', 'in', agentIds).execute();
    enforce(canIncludeAgentsInDm(sponsors.filter((s) => !ids.includes(s.sponsor_id)).map((s) => s.member_id)));
  }

  const kind = ids.length <= 2 ? 'dm' : 'group_dm';
  const dmKey = `${kind}:${ids.join(',')}`;
  const find = () => ctx.db.selectFrom('channels').selectAll().where('org_id', '=', actor.member.org_id).where('dm_key', '=', dmKey).executeTakeFirst();
  const existing = await find();
  if (existing) return { channel: existing, created: false };
  try {
    const channel = await mutate(ctx, async (m) => {
      const channel = await createChannelIn(m, actor.member, { kind, name: null, dmKey });
      for (const member of members) {
        if (member.id !== actor.member.id) await addMemberIn(m, channel, member, 'member', actor.member.id);
      }
      return lockChannel(m.trx, channel.id);
    });
    return { channel, created: true };
  } catch (error) {
    // Two people opened the same DM at once: the other one won, use theirs.
    const raced = await find();
    if (raced) return { channel: raced, created: false };
    throw error;
  }
}

async function allShareAChannel(ctx: AppContext, memberId: string, ids: string[]): Promise<boolean> {
  const others = ids.filter((id) => id !== memberId);
  if (others.length === 0) return true;
  const shared = await ctx.db
    .selectFrom('channel_members as mine')
    .innerJoin('channel_members as theirs', 'theirs.channel_id', 'mine.channel_id')
    .select('theirs.member_id')
    .distinct()
    .where('mine.member_id', '=', memberId)
    .where('theirs.member_id', 'in', others)
    .execute();
  return shared.length === others.length;
}

export interface ChannelListEntry {
  channel: Channel;
  role: ChannelRole;
  joined_at: Date;
  last_read_seq: number;
  unread_count: number;
  mention_count: number;
  /** The member muted the channel (notifications/service.ts): clients show mentions only. */
  muted: boolean;
}

/**
 * The caller's channels, each with unread and mention counts: top-level
 * messages by others after the read cursor, within the member's visible history.
 */
export async function listJoined(ctx: AppContext, actor: Actor, includeArchived: boolean): Promise<ChannelListEntry[]> {
  const me = actor.member.id;
  let q = ctx.db
    .selectFrom('channel_members as cm')
    .innerJoin('channels as c', 'c.id', 'cm.channel_id')
    .selectAll('c')
    .select(['cm.role as my_role', 'cm.joined_at as my_joined_at', 'cm.last_read_seq as my_last_read_seq', 'cm.joined_seq as my_joined_seq'])
    .select((eb) => [
      eb
        .selectFrom('messages as msg')
        .select(eb.fn.countAll<number>().as('n'))
        .whereRef('msg.channel_id', '=', 'c.id')
        .whereRef('msg.seq', '>', 'cm.last_read_seq')
        .where(sql<boolean>`(c.history_for_new_members = 'all' or msg.seq > cm.joined_seq)`)
        .where('msg.thread_root_id', 'is', null)
        .where('msg.deleted_at', 'is', null)
        .where('msg.author_id', '!=', me)
        .as('unread_count'),
      eb
        .selectFrom('messages as msg')
        .select(eb.fn.countAll<number>().as('n'))
        .whereRef('msg.channel_id', '=', 'c.id')
        .whereRef('msg.seq', '>', 'cm.last_read_seq')
        .where(sql<boolean>`(c.history_for_new_members = 'all' or msg.seq > cm.joined_seq)`)
        .where('msg.deleted_at', 'is', null)
        .where('msg.author_id', '!=', me)
        .where((w) =>
          w.or([
            w('msg.mentions_all', '=', true),
            w('msg.mentions_here', '=', true),
            // `@agents` addresses every agent in the channel.
            ...(actor.member.kind === 'agent' ? [w('msg.mentions_agents', '=', true)] : []),
            w.exists(w.selectFrom('message_mentions as mm').select('mm.member_id').whereRef('mm.message_id', '=', 'msg.id').where('mm.member_id', '=', me)),
          ]),
        )
        .as('mention_count'),
      eb.exists(eb.selectFrom('channel_mutes as mute').select('mute.member_id').whereRef('mute.channel_id', '=', 'c.id').where('mute.member_id', '=', me)).as('muted'),
    ])
    .where('cm.member_id', '=', me);
  if (!includeArchived) q = q.where('c.archived_at', 'is', null);
  const rows = await q.orderBy('c.kind').orderBy('c.name').execute();
  const entries = rows.map(({ my_role, my_joined_at, my_last_read_seq, my_joined_seq, unread_count, mention_count, muted, ...channel }) => ({
    channel,
    role: my_role,
    joined_at: my_joined_at,
    last_read_seq: my_last_read_seq,
    joined_seq: my_joined_seq,
    unread_count: unread_count ?? 0,
    mention_count: mention_count ?? 0,
    muted: Boolean(muted),
  }));
  if (actor.member.kind !== 'agent') return entries.map(({ joined_seq: _joined, ...entry }) => entry);
  return Promise.all(entries.map(({ joined_seq, ...entry }) => agentCounts(ctx, { actor, channel: entry.channel, membership: { channel_id: entry.channel.id, member_id: me, role: entry.role, joined_at: entry.joined_at, joined_seq, last_read_seq: entry.last_read_seq } }, entry)));
}

/**
 * An agent's counts cover only what it may read (the channel's read rules,
 * replies' roots): a count of hidden messages would tell it they exist. One
 * pair of counts per channel — agents serve few.
 */
async function agentCounts(ctx: AppContext, a: ChannelAccess, entry: ChannelListEntry): Promise<ChannelListEntry> {
  const me = a.actor.member.id;
  const unseen = () => visibleMessages(ctx, a).clearSelect().select((eb) => eb.fn.countAll<string>().as('n')).where('seq', '>', entry.last_read_seq).where('deleted_at', 'is', null).where('author_id', '!=', me);
  const [unread, mentions] = await Promise.all([
    unseen().where('thread_root_id', 'is', null).executeTakeFirst(),
    unseen()
      .where((w) =>
        w.or([
          w('mentions_all', '=', true),
          w('mentions_here', '=', true),
          w('mentions_agents', '=', true),
          w.exists(w.selectFrom('message_mentions as mm').select('mm.member_id').whereRef('mm.message_id', '=', 'messages.id').where('mm.member_id', '=', me)),
        ]),
      )
      .executeTakeFirst(),
  ]);
  return { ...entry, unread_count: Number(unread?.n ?? 0), mention_count: Number(mentions?.n ?? 0) };
}

/** Public channels of the org, to browse and join. Guests and agents browse nothing. */
export async function browsePublic(ctx: AppContext, actor: Actor) {
  if (actor.member.kind === 'agent' || actor.member.role === 'guest') return [];
  return ctx.db
    .selectFrom('channels as c')
    .selectAll('c')
    .select((eb) => [
      eb.selectFrom('channel_members').select(eb.fn.countAll<number>().as('n')).whereRef('channel_id', '=', 'c.id').as('member_count'),
      eb.exists(eb.selectFrom('channel_members').select('member_id').whereRef('channel_id', '=', 'c.id').where('member_id', '=', actor.member.id)).as('is_member'),
    ])
    .where('c.org_id', '=', actor.member.org_id)
    .where('c.kind', '=', 'public')
    .where('c.archived_at', 'is', null)
    .orderBy('c.name')
    .execute();
}

export async function updateChannel(
  ctx: AppContext,
  a: ChannelAccess,
  input: { name?: string | undefined; topic?: string | undefined } & Partial<ChannelSettings>,
): Promise<Channel> {
  enforce(canManage(a));
  const changes = Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)) as Partial<ChannelSettings> & { name?: string; topic?: string };
  if (changes.name) changes.name = changes.name.toLowerCase();
  const changed = Object.keys(changes).filter((k) => (a.channel as unknown as Record<string, unknown>)[k] !== (changes as Record<string, unknown>)[k]);
  if (changed.length === 0) return a.channel;
  return mutate(ctx, async (m) => {
    if (changes.name) {
      const clash = await m.trx
        .selectFrom('channels')
        .select('id')
        .where('org_id', '=', a.channel.org_id)
        .where((eb) => eb(eb.fn('lower', [eb.ref('name')]), '=', changes.name ?? ''))
        .where('id', '!=', a.channel.id)
        .executeTakeFirst();
      if (clash) throw conflict('channel_name_taken', `A channel named #${changes.name} already exists.`);
    }
    await m.trx
      .updateTable('channels')
      .set(changes)
      .where('id', '=', a.channel.id)
      .execute()
      .catch((error: unknown) => {
        // A concurrent rename took the name between our check and our update.
        if (isUniqueViolation(error)) throw conflict('channel_name_taken', `A channel named #${changes.name ?? ''} already exists.`);
        throw error;
      });
    const seq = await allocateSeq(m.trx, a.channel.id);
    const channel = await lockChannel(m.trx, a.channel.id);
    await appendEvent(m, { orgId: channel.org_id, channelId: channel.id, seq, type: 'channel.updated', actorId: a.actor.member.id, payload: { channel: presentChannel(channel), changed } });
    const values = (c: Channel) => Object.fromEntries(changed.map((k) => [k, (c as unknown as Record<string, unknown>)[k] ?? null]));
    await recordAction(m.trx, a.actor, 'channel.updated', { targetType: 'channel', targetId: channel.id, channelId: channel.id, details: { before: values(a.channel), after: values(channel) } });
    return channel;
  });
}

function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && error.code === '23505';
}

export async function setArchived(ctx: AppContext, a: ChannelAccess, archived: boolean): Promise<Channel> {
  enforce(canManage(a));
  if (Boolean(a.channel.archived_at) === archived) {
    throw conflict(archived ? 'already_archived' : 'not_archived', archived ? 'The channel is already archived.' : 'The channel is not archived.');
  }
  return mutate(ctx, async (m) => {
    await m.trx.updateTable('channels').set({ archived_at: archived ? new Date() : null }).where('id', '=', a.channel.id).execute();
    const seq = await allocateSeq(m.trx, a.channel.id);
    const channel = await lockChannel(m.trx, a.channel.id);
    await appendEvent(m, {
      orgId: channel.org_id,
      channelId: channel.id,
      seq,
      type: archived ? 'channel.archived' : 'channel.unarchived',
      actorId: a.actor.member.id,
      payload: { channel: presentChannel(channel) },
    });
    await recordAction(m.trx, a.actor, archived ? 'channel.archived' : 'channel.unarchived', { targetType: 'channel', targetId: channel.id, channelId: channel.id });
    // Nobody posts in an archived channel, agents' results included: the work it still waited for ends here.
    if (archived) await failChannelTasks(m, channel.id, a.actor, 'the channel was archived');
    return channel;
  });
}
