import { sql } from 'kysely';
import type { AppContext } from '../context.js';
import type { ChannelDoc } from '../db/schema.js';
import { docColumns } from '../knowledge/docs/presenters.js';
import type { ChannelAccess } from '../policy/channel.js';

/**
 * The knowledge the context bundle draws on, within the channel the agent
 * works in: its guide for agents, and its docs ranked for the task. (Pins are
 * messages and come through the channel's read path: knowledge/pins.)
 * Docs follow the channel's readers, so an agent that may read the channel's
 * context may read every doc in it.
 */

/** Docs considered for a bundle, and at most served. */
export const docCandidates = 10;
export const maxDocs = 5;

/** Days after which a doc's freshness halves (1 / (1 + age / this)). */
const freshnessDays = 30;

export async function guideOf(ctx: AppContext, a: ChannelAccess): Promise<ChannelDoc | undefined> {
  return ctx.db.selectFrom('channel_docs').select(docColumns).where('channel_id', '=', a.channel.id).where('agent_guide', '=', true).where('archived_at', 'is', null).executeTakeFirst();
}

/**
 * The words of a request as an OR query for `websearch_to_tsquery` (which never
 * fails on user text): any shared word makes a doc a candidate, and `ts_rank`
 * rewards the docs that share more, and in their titles (weight A).
 */
export function orQueryOf(text: string): string | null {
  const words = [...new Set(text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [])].slice(0, 64);
  return words.length > 0 ? words.join(' or ') : null;
}

export type RankedDoc = ChannelDoc & { score: number };

/**
 * The channel's current docs (not archived, not the guide) ranked for the task:
 * `ts_rank(search, query) × freshness`, freshness = 1 / (1 + age in days / 30),
 * the age counted from the last edit. Without a task text, the freshest docs.
 * The `search` vector (english, title A, body B) has a GIN index.
 */
export async function rankedDocs(ctx: AppContext, a: ChannelAccess, taskText: string | null, now: Date): Promise<RankedDoc[]> {
  const freshness = sql<number>`(1.0 / (1.0 + extract(epoch from (${now}::timestamptz - channel_docs.updated_at)) / ${freshnessDays * 86_400}))::float8`;
  const words = taskText ? orQueryOf(taskText) : null;
  if (taskText && !words) return [];
  const query = sql`websearch_to_tsquery('english', ${words ?? ''})`;
  return ctx.db
    .selectFrom('channel_docs')
    .select(docColumns)
    .select((words ? sql<number>`(ts_rank(channel_docs.search, ${query}) * ${freshness})::float8` : freshness).as('score'))
    .where('channel_id', '=', a.channel.id)
    .where('archived_at', 'is', null)
    .where('agent_guide', '=', false)
    .$if(words !== null, (q) => q.where(sql<boolean>`channel_docs.search @@ ${query}`))
    .orderBy('score', 'desc')
    .orderBy('updated_at', 'desc')
    .limit(docCandidates)
    .execute();
}
