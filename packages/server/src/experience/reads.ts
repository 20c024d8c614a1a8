import type { ExperienceInsights, ExperienceStatus, ExperienceView } from '@chorus/protocol/experience';
import { sql } from 'kysely';
import { appendAudit } from '../audit/chain.js';
import type { AppContext } from '../context.js';
import type { ExperienceEntry } from '../db/schema.js';
import { isAgent, type Actor } from '../policy/actor.js';
import type { ChannelAccess } from '../policy/channel.js';
import { readsEntry, readsOrgEntry } from '../policy/experience.js';
import { currentWhere, orgEntriesFlowInto } from './access.js';
import { presentEntry, reviewReasons } from './presenters.js';
import { noSignals, signalsOf } from './quality.js';

/**
 * Lists of experience: a channel's (entries that originated there), the org's
 * org-scope entries, the review queues and the insights. Each entry passes the
 * same rule as a read by id (policy/experience.ts `readsEntry`). By default
 * only current entries are listed; `status` asks for history.
 */

export type StatusFilter = ExperienceStatus | 'all';

export interface ListOptions {
  status?: StatusFilter | undefined;
  tag?: string | undefined;
  limit: number;
}

type Query = ReturnType<typeof baseQuery>;
/** Tags are stored lower-case. */
const hasTag = (tag: string) => sql<boolean>`tags @> array[${tag.toLowerCase()}]::text[]`;
const baseQuery = (ctx: AppContext) => ctx.db.selectFrom('experience_entries').selectAll();

function withStatus(q: Query, status: StatusFilter, now: Date): Query {
  switch (status) {
    case 'all':
      return q;
    case 'active':
      return q.where(currentWhere(now));
    case 'expired':
      return q.where('status', '=', 'active').where('expires_at', '<=', now);
    default:
      return q.where('status', '=', status);
  }
}

/** The rows the actor reads, decided per entry by the policy; `originOf` gives the actor's access to a channel-scope entry's origin. */
async function readable(ctx: AppContext, actor: Actor, rows: ExperienceEntry[], originOf: (e: ExperienceEntry) => ChannelAccess | null): Promise<ExperienceEntry[]> {
  const covered = new Map<string, boolean>();
  const result: ExperienceEntry[] = [];
  for (const entry of rows) {
    let boundaryCovered = false;
    if (entry.scope === 'org' && actor.boundary) {
      const key = `${entry.org_id}:${actor.boundary.channelId}`;
      if (!covered.has(key)) covered.set(key, await orgEntriesFlowInto(ctx, entry.org_id, actor.boundary.channelId));
      boundaryCovered = covered.get(key) ?? false;
    }
    const origin = originOf(entry);
    const reads = entry.scope === 'org' ? readsOrgEntry(actor, entry, boundaryCovered) : origin !== null && readsEntry({ actor, entry, origin, boundaryCovered });
    if (reads) result.push(entry);
  }
  return result;
}

async function present(ctx: AppContext, rows: ExperienceEntry[], now: Date): Promise<ExperienceView[]> {
  const signals = await signalsOf(ctx.db, rows.map((r) => r.id));
  return rows.map((r) => presentEntry(r, signals.get(r.id), now));
}

/** Entries that originated in the channel, newest first. */
export async function channelEntries(ctx: AppContext, a: ChannelAccess, options: ListOptions): Promise<ExperienceView[]> {
  const now = new Date();
  const rows = await withStatus(baseQuery(ctx).where('channel_id', '=', a.channel.id), options.status ?? 'active', now)
    .$if(options.tag !== undefined, (q) => q.where(hasTag(options.tag ?? '')))
    .orderBy('created_at', 'desc')
    .limit(options.limit)
    .execute();
  return present(ctx, await readable(ctx, a.actor, rows, () => a), now);
}

/** The org's org-scope entries, newest first (readable by its members who are not guests). */
export async function orgEntries(ctx: AppContext, actor: Actor, options: ListOptions): Promise<ExperienceView[]> {
  const now = new Date();
  const rows = await withStatus(baseQuery(ctx).where('org_id', '=', actor.member.org_id).where('scope', '=', 'org'), options.status ?? 'active', now)
    .$if(options.tag !== undefined, (q) => q.where(hasTag(options.tag ?? '')))
    .orderBy('created_at', 'desc')
    .limit(options.limit)
    .execute();
  return present(ctx, await readable(ctx, actor, rows, () => null), now);
}

/**
 * Current entries awaiting review, longest-waiting first: past `review_by`, or
 * poorly scored since their last confirmation (quality.ts). `where` picks the
 * channel's entries or the org's org-scope ones.
 */
async function reviewQueue(ctx: AppContext, actor: Actor, where: { channel: ChannelAccess } | { orgId: string }, limit: number): Promise<ExperienceView[]> {
  const now = new Date();
  let q = baseQuery(ctx).where(currentWhere(now));
  q = 'channel' in where ? q.where('channel_id', '=', where.channel.channel.id) : q.where('org_id', '=', where.orgId).where('scope', '=', 'org');
  const candidates = await q
    .where((eb) =>
      eb.or([
        eb('review_by', '<=', now),
        eb.and([eb('last_negative_at', 'is not', null), eb.or([eb('confirmed_at', 'is', null), eb('last_negative_at', '>', eb.ref('confirmed_at'))])]),
      ]),
    )
    .orderBy('review_by', 'asc')
    .orderBy('created_at', 'asc')
    .limit(500)
    .execute();
  const rows = await readable(ctx, actor, candidates, () => ('channel' in where ? where.channel : null));
  const signals = await signalsOf(ctx.db, rows.map((r) => r.id));
  return rows
    .filter((r) => reviewReasons(r, signals.get(r.id) ?? noSignals, now).length > 0)
    .slice(0, limit)
    .map((r) => presentEntry(r, signals.get(r.id), now));
}

export const channelReviewQueue = (ctx: AppContext, a: ChannelAccess, limit: number) => reviewQueue(ctx, a.actor, { channel: a }, limit);
export const orgReviewQueue = (ctx: AppContext, actor: Actor, limit: number) => reviewQueue(ctx, actor, { orgId: actor.member.org_id }, limit);

/**
 * The most used and best rated current entries, and those due for review:
 * a channel's own entries, or the org's org-scope ones.
 */
export async function experienceInsights(ctx: AppContext, actor: Actor, where: { channel: ChannelAccess } | { orgId: string }, limit = 10): Promise<ExperienceInsights> {
  const now = new Date();
  let q = baseQuery(ctx).where(currentWhere(now));
  q = 'channel' in where ? q.where('channel_id', '=', where.channel.channel.id) : q.where('org_id', '=', where.orgId).where('scope', '=', 'org');
  const rows = await readable(ctx, actor, await q.orderBy('created_at', 'desc').limit(1000).execute(), () => ('channel' in where ? where.channel : null));
  const views = await present(ctx, rows, now);
  const byId = (x: ExperienceView, y: ExperienceView) => (x.id < y.id ? -1 : 1);
  return {
    most_used: views.filter((v) => v.quality.use_count > 0).sort((x, y) => y.quality.use_count - x.quality.use_count || byId(x, y)).slice(0, limit),
    best_rated: views
      .filter((v) => v.quality.endorsements + v.quality.helpful > 0)
      .sort((x, y) => y.quality.score - x.quality.score || byId(x, y))
      .slice(0, limit),
    due_for_review: 'channel' in where ? await channelReviewQueue(ctx, where.channel, limit) : await orgReviewQueue(ctx, actor, limit),
  };
}

/** An agent's read of the org's entries, on the record like its channel reads (audit/agent-reads.ts). */
export async function recordOrgRead(ctx: AppContext, actor: Actor, items: string[]): Promise<void> {
  if (!isAgent(actor)) return;
  await ctx.db.transaction().execute((trx) =>
    appendAudit(trx, actor.member.org_id, [
      { actorId: actor.member.id, actorKind: 'agent', action: 'agent.experience.read', targetType: 'org', targetId: actor.member.org_id, items, decision: 'allow' },
    ]),
  );
}
