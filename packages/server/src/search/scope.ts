import { readersOf } from '../channels/readers.js';
import type { AppContext } from '../context.js';
import type { Actor } from '../policy/actor.js';
import { readAccessOf, type ReadAccess } from '../policy/agent-reads.js';
import { orgAudience } from '../experience/access.js';
import { flowAllowed, type Readers } from '../policy/audience.js';
import { historyFloor, type ChannelAccess } from '../policy/channel.js';
import { readsOrgEntry } from '../policy/experience.js';
import { isSearchable, unbounded } from '../policy/search.js';

/**
 * Where a search looks: each channel the actor may search (policy/search.ts),
 * with its access (for the channel's read rules) and history floor. Sources
 * filter by it in SQL, so what the actor may not read never leaves the database.
 */
export interface SearchScope {
  actor: Actor;
  orgId: string;
  /** One moment for every rule evaluated in this search (agent_history_days). */
  now: Date;
  /** Channels whose content (messages above the floor, docs, channel-scope experience) the actor may find. */
  channels: ScopedChannel[];
  /**
   * Whether the actor reads the org's org-scope experience (policy/experience.ts
   * `readsOrgEntry`; with a task token, only when everyone who reads the task's
   * channel reads them too). `audience: humans` entries are the source's to keep from agents.
   */
  orgEntries: boolean;
}

export interface ScopedChannel {
  access: ChannelAccess;
  /** Messages at or below this seq are hidden (`since_join`). */
  floor: number;
}

/**
 * Channels that read alike — the same read rules for the same reader — so
 * that one `readableWhere` clause serves them all.
 */
export interface ChannelGroup {
  read: ReadAccess;
  /** Channels with no history floor. */
  open: string[];
  /** Channels with one, each with its floor. */
  floored: { channelId: string; floor: number }[];
}

/** The channels this actor may search in the org, as the policy decides them now. */
export async function searchScope(ctx: AppContext, actor: Actor, orgId: string): Promise<SearchScope> {
  const self = unbounded(actor);
  const me = actor.member.id;
  const [channels, memberships] = await Promise.all([
    ctx.db
      .selectFrom('channels')
      .selectAll()
      .where('org_id', '=', orgId)
      .where((eb) => eb.or([eb('kind', '=', 'public'), eb('id', 'in', eb.selectFrom('channel_members').select('channel_id').where('member_id', '=', me))]))
      .execute(),
    ctx.db.selectFrom('channel_members').selectAll().where('member_id', '=', me).execute(),
  ]);
  const membershipOf = new Map(memberships.map((m) => [m.channel_id, m]));
  const accesses: ChannelAccess[] = channels.map((channel) => ({ actor: self, channel, membership: membershipOf.get(channel.id) ?? null }));

  const boundary = actor.boundary;
  let readers: Awaited<ReturnType<typeof readersOf>> | null = null;
  let orgReaders: Readers | null = null;
  if (boundary) {
    [readers, orgReaders] = await Promise.all([
      readersOf(ctx, [boundary.channelId, ...accesses.filter((a) => a.membership).map((a) => a.channel.id)]),
      orgAudience(ctx.db, orgId).then((audience) => audience.members),
    ]);
  }
  const taskReaders = boundary ? readers?.get(boundary.channelId) : undefined;
  // Org-scope entries flow into the task's channel only if its readers all read them (and the channel still exists).
  const boundaryCovered = taskReaders !== undefined && orgReaders !== null && flowAllowed(orgReaders, taskReaders);

  const scoped = accesses
    .filter((a) => {
      if (!boundary) return isSearchable(a, null);
      // A task channel that no longer exists bounds the search to nothing.
      return taskReaders !== undefined && isSearchable(a, { channel: readers?.get(a.channel.id), task: taskReaders });
    })
    .map((access) => ({ access, floor: historyFloor(access) }));
  return { actor, orgId, now: new Date(), channels: scoped, orgEntries: readsOrgEntry(actor, { audience: 'all' }, boundaryCovered) };
}

/** The scope's channel ids (only `only`, when given and in scope). */
export function channelIdsOf(scope: SearchScope, only?: string): string[] {
  return scope.channels.map((c) => c.access.channel.id).filter((id) => only === undefined || id === only);
}

/** The scope's channels grouped by how they read (see {@link ChannelGroup}). */
export function groupsOf(scope: SearchScope, only?: string): ChannelGroup[] {
  const groups = new Map<string, ChannelGroup>();
  for (const { access, floor } of scope.channels) {
    if (only !== undefined && access.channel.id !== only) continue;
    // Nothing is above the floor: `since_join` for someone reading a public channel without joining it.
    if (floor >= access.channel.last_seq) continue;
    const read = readAccessOf(access);
    const key = JSON.stringify([read.reader, read.rules.agent_access, read.rules.agent_history_days, read.rules.reasoning_visibility, read.rules.agents_see_reasoning]);
    const group = groups.get(key) ?? { read: { reader: { ...read.reader }, rules: read.rules }, open: [], floored: [] };
    if (floor > 0) group.floored.push({ channelId: access.channel.id, floor });
    else group.open.push(access.channel.id);
    groups.set(key, group);
  }
  return [...groups.values()];
}
