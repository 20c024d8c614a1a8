import type { ContextExperience } from '@chorus/protocol/experience';
import { sql } from 'kysely';
import type { AppContext } from '../context.js';
import type { Trx } from '../db/database.js';
import type { ExperienceEntry } from '../db/schema.js';
import type { ChannelAccess } from '../policy/channel.js';
import { currentWhere, orgEntriesFlowInto } from './access.js';
import { presentContextEntry } from './presenters.js';
import { freshness, score, signalsOf, noSignals } from './quality.js';

/** How many entries the bundle considers by text relevance before ranking by quality and freshness, and how many it serves at most. */
const candidates = 50;
const maxItems = 10;

export interface ExperienceSection {
  items: ContextExperience[];
  /** Characters of titles and bodies served. */
  chars: number;
  truncated: boolean;
}

/** An entry considered for the bundle, with its rank. */
export interface RankedEntry {
  row: ExperienceEntry & { relevance: number };
  quality: number;
  rank: number;
}

/**
 * The experience an agent working in `a.channel` is served for the task text
 * (DESIGN §2.1, §2.3): current entries only (never deprecated, superseded or
 * past their expiry instant), never one kept from agents; the channel's own
 * entries, and org-scope entries only when everyone who reads this channel
 * reads them too (the audience rule). Ranked by ts_rank relevance × quality
 * score × freshness (quality.ts), most relevant first, within `maxChars` of
 * titles and bodies (stopping at the first that does not fit). Each entry
 * served counts one use: the caller records it with {@link countUses}, in the
 * transaction that records the read.
 *
 * Without a task text, entries are ranked by quality × freshness alone.
 *
 * In two halves: the candidates ranked (this), which needs no budget, so the
 * bundle runs it beside its other reads, then {@link cutExperience} to what is
 * left of the budget.
 */
export async function rankExperience(ctx: AppContext, a: ChannelAccess, taskText: string, now: Date): Promise<RankedEntry[]> {
  const orgCovered = await orgEntriesFlowInto(ctx, a.channel.org_id, a.channel.id);
  // Any word of the task may match: plainto_tsquery's & become |.
  const query = sql`replace(plainto_tsquery('english', ${taskText})::text, '&', '|')::tsquery`;
  const hasText = taskText.trim().length > 0;
  const rows = await ctx.db
    .selectFrom('experience_entries')
    .selectAll()
    .select(hasText ? sql<number>`ts_rank(search, ${query})::float8`.as('relevance') : sql<number>`1::float8`.as('relevance'))
    .where(currentWhere(now))
    .where('audience', '=', 'all')
    .where((eb) =>
      eb.or([
        eb.and([eb('channel_id', '=', a.channel.id), eb('scope', '=', 'channel')]),
        ...(orgCovered ? [eb.and([eb('org_id', '=', a.channel.org_id), eb('scope', '=', 'org')])] : []),
      ]),
    )
    .$if(hasText, (q) => q.where(sql<boolean>`search @@ ${query}`).orderBy('relevance', 'desc'))
    .orderBy('updated_at', 'desc')
    .limit(candidates)
    .execute();
  const signals = await signalsOf(ctx.db, rows.map((r) => r.id));
  return rows
    .map((row) => {
      const quality = score(signals.get(row.id) ?? noSignals);
      return { row, quality, rank: row.relevance * quality * freshness(row, now) };
    })
    .sort((x, y) => y.rank - x.rank || (x.row.id < y.row.id ? -1 : 1));
}

/** The second half of {@link rankExperience}: the best entries, within `maxChars` of titles and bodies. */
export function cutExperience(ranked: readonly RankedEntry[], maxChars: number): ExperienceSection {
  const items: ContextExperience[] = [];
  let chars = 0;
  for (const { row, quality, rank } of ranked.slice(0, maxItems)) {
    const size = row.title.length + row.body.length;
    if (chars + size > maxChars) break;
    chars += size;
    items.push(presentContextEntry(row, rank, quality));
  }
  return { items, chars, truncated: items.length < ranked.length };
}

/** Counts one use of each entry served (in the transaction that records the read). */
export async function countUses(trx: Trx, ids: string[], now: Date): Promise<void> {
  if (ids.length === 0) return;
  await trx
    .updateTable('experience_entries')
    .set((eb) => ({ use_count: eb('use_count', '+', 1), last_used_at: now }))
    .where('id', 'in', ids)
    .execute();
}
