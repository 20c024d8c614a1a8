import type { Expression, ExpressionBuilder, SqlBool } from 'kysely';
import { readersOf } from '../channels/readers.js';
import type { AppContext } from '../context.js';
import type { Db, Trx } from '../db/database.js';
import type { Database, ExperienceEntry } from '../db/schema.js';
import { actorIn, type Principal } from '../http/auth.js';
import { notFound } from '../http/errors.js';
import type { Actor } from '../policy/actor.js';
import { flowAllowed, type Readers } from '../policy/audience.js';
import type { ChannelAccess } from '../policy/channel.js';
import { enforce, type Decision } from '../policy/decision.js';
import type { EntryAccess } from '../policy/experience.js';
import { canEnterOrgForChannel } from '../policy/org.js';

/**
 * Who reads experience, and loading an entry with what every decision about
 * it needs (policy/experience.ts), before anything of it is shown.
 */

/** The entry is current knowledge at `now`: active and not past its expiry instant. */
export function isCurrent(entry: Pick<ExperienceEntry, 'status' | 'expires_at'>, now: Date): boolean {
  return entry.status === 'active' && (entry.expires_at === null || entry.expires_at > now);
}

/** The same rule as SQL, for queries. */
export function currentWhere(now: Date) {
  return (eb: ExpressionBuilder<Database, 'experience_entries'>): Expression<SqlBool> =>
    eb.and([eb('experience_entries.status', '=', 'active'), eb.or([eb('experience_entries.expires_at', 'is', null), eb('experience_entries.expires_at', '>', now)])]);
}

/** Stored status, with `expired` computed at this instant. */
export function statusAt(entry: Pick<ExperienceEntry, 'status' | 'expires_at'>, now: Date) {
  return entry.status === 'active' && entry.expires_at !== null && entry.expires_at <= now ? ('expired' as const) : entry.status;
}

/** The org's members who read org-scope entries: active, not guests; `people` are those who are persons. */
export async function orgAudience(db: Db | Trx, orgId: string): Promise<{ members: Readers; people: Readers }> {
  const rows = await db.selectFrom('members').select(['id', 'kind']).where('org_id', '=', orgId).where('status', '=', 'active').where('role', '!=', 'guest').execute();
  return { members: new Set(rows.map((r) => r.id)), people: new Set(rows.filter((r) => r.kind === 'human').map((r) => r.id)) };
}

/** Who reads the entry now (DESIGN §2.2): its origin's readers, or the org's for org scope; never agents for `audience: humans`. */
export async function entryReaders(ctx: AppContext, entry: Pick<ExperienceEntry, 'org_id' | 'channel_id' | 'scope' | 'audience'>, db: Db | Trx = ctx.db): Promise<Readers> {
  const readers = entry.scope === 'org' ? (await orgAudience(db, entry.org_id)).members : ((await readersOf(ctx, [entry.channel_id], db)).get(entry.channel_id) ?? new Set<string>());
  if (entry.audience !== 'humans' || readers.size === 0) return readers;
  const agents = await db.selectFrom('members').select('id').where('org_id', '=', entry.org_id).where('kind', '=', 'agent').execute();
  const withoutAgents = new Set(readers);
  for (const a of agents) withoutAgents.delete(a.id);
  return withoutAgents;
}

/** Whether everyone who reads `channelId` reads the org's org-scope entries too. */
export async function orgEntriesFlowInto(ctx: AppContext, orgId: string, channelId: string): Promise<boolean> {
  const [audience, readers] = await Promise.all([orgAudience(ctx.db, orgId), readersOf(ctx, [channelId])]);
  return flowAllowed(audience.members, readers.get(channelId) ?? new Set());
}

/** The actor's access to a channel of its org (membership loaded), without a decision. */
export async function channelAccessOf(ctx: AppContext, actor: Actor, channelId: string): Promise<ChannelAccess> {
  const [channel, membership] = await Promise.all([
    ctx.db.selectFrom('channels').selectAll().where('id', '=', channelId).executeTakeFirstOrThrow(),
    ctx.db.selectFrom('channel_members').selectAll().where('channel_id', '=', channelId).where('member_id', '=', actor.member.id).executeTakeFirst(),
  ]);
  return { actor, channel, membership: membership ?? null };
}

/** What deciding about an entry takes, for this actor. */
export async function entryAccessOf(ctx: AppContext, actor: Actor, entry: ExperienceEntry): Promise<EntryAccess> {
  const origin = await channelAccessOf(ctx, actor, entry.channel_id);
  const boundaryCovered = entry.scope === 'org' && actor.boundary ? await orgEntriesFlowInto(ctx, entry.org_id, actor.boundary.channelId) : false;
  return { actor, entry, origin, boundaryCovered };
}

export interface LoadedEntry extends EntryAccess {
  entry: ExperienceEntry;
}

/**
 * Loads an entry and the caller as a member of its org, and checks `rule`
 * before anything of it is shown. Entries of other orgs, and entries the
 * caller does not read, do not exist from here.
 */
export async function accessEntry(ctx: AppContext, who: Principal | Actor, entryId: string, rule: (e: EntryAccess) => Decision, db: Db | Trx = ctx.db): Promise<LoadedEntry> {
  const entry = await db.selectFrom('experience_entries').selectAll().where('id', '=', entryId).$if(db.isTransaction, (q) => q.forUpdate()).executeTakeFirst();
  if (!entry) throw notFound('experience');
  const actor = 'member' in who ? who : await actorIn(ctx, who, entry.org_id);
  if (!actor || actor.member.org_id !== entry.org_id) throw notFound('experience');
  enforce(canEnterOrgForChannel(actor));
  const access = await entryAccessOf(ctx, actor, entry);
  enforce(rule(access));
  return { ...access, entry };
}

