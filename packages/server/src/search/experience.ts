import { sql, type Expression, type ExpressionBuilder, type SqlBool } from 'kysely';
import type { AppContext } from '../context.js';
import type { Database } from '../db/schema.js';
import { currentWhere, statusAt } from '../experience/access.js';
import { isAgent } from '../policy/actor.js';
import { afterCursor, createdUs, headline, rankOf, startMark, stopMark, tsquery } from './query.js';
import { channelIdsOf, type SearchScope } from './scope.js';
import type { SearchFilters, SearchRequest, SourceHit } from './sources.js';

type Where = (eb: ExpressionBuilder<Database, 'experience_entries'>) => Expression<SqlBool>;

/** Current entries by default (active and not past expiry); history by status, `expired` computed at `now`. */
function statusWhere(status: NonNullable<SearchFilters['status']>, now: Date): Where | null {
  switch (status) {
    case 'all':
      return null;
    case 'active':
      return currentWhere(now);
    case 'expired':
      return (eb) => eb.and([eb('experience_entries.status', '=', 'active'), eb('experience_entries.expires_at', '<=', now)]);
    default:
      return (eb) => eb('experience_entries.status', '=', status);
  }
}

/**
 * The experience source: entries whose title (A), tags (B) or body (C) match
 * and that the actor reads (policy/experience.ts): channel-scope entries of
 * the scope's channels (their origin channel's readers; with a task token,
 * channels whose readers include the task channel's), org-scope entries when
 * the scope says the actor reads them (`orgEntries`), and never an
 * `audience: humans` entry to an agent. Current entries unless `status` asks
 * for history. `channel_id` filters by origin channel, only one in scope. The
 * author is the entry's author, the time its creation; the snippet is cut from
 * the title and the body.
 */
export async function searchExperience(ctx: AppContext, scope: SearchScope, request: SearchRequest): Promise<SourceHit[]> {
  const { q, filters, after } = request;
  const channels = channelIdsOf(scope, filters.channelId);
  // An origin channel out of scope is not searched, not even for its org-scope entries: the filter tells nothing.
  const orgScope = scope.orgEntries && (filters.channelId === undefined || channels.length > 0);
  // Entries are never pinned.
  if ((channels.length === 0 && !orgScope) || filters.pinned === true) return [];
  const vector = sql`experience_entries.search`;
  const status = statusWhere(filters.status ?? 'active', scope.now);

  const readable: Where = (eb) =>
    eb.or([
      ...(channels.length > 0 ? [eb.and([eb('experience_entries.scope', '=', 'channel'), eb('experience_entries.channel_id', 'in', channels)])] : []),
      ...(orgScope ? [eb('experience_entries.scope', '=', 'org')] : []),
    ]);

  const matches = ctx.db
    .selectFrom('experience_entries')
    .select([
      'experience_entries.id',
      'experience_entries.channel_id',
      'experience_entries.author_id',
      'experience_entries.created_at',
      'experience_entries.title',
      'experience_entries.body',
      'experience_entries.status',
      'experience_entries.expires_at',
      rankOf(vector, q).as('rank'),
    ])
    .where(sql<SqlBool>`${vector} @@ ${tsquery(q)}`)
    .where('experience_entries.org_id', '=', scope.orgId)
    .where(readable)
    .$if(isAgent(scope.actor), (qb) => qb.where('experience_entries.audience', '=', 'all'))
    .$call((qb) => (status ? qb.where(status) : qb))
    .$if(filters.channelId !== undefined, (qb) => qb.where('experience_entries.channel_id', '=', filters.channelId ?? ''))
    .$if(filters.authorId !== undefined, (qb) => qb.where('experience_entries.author_id', '=', filters.authorId ?? ''))
    .$if(filters.authorKind !== undefined, (qb) =>
      qb.where('experience_entries.author_id', 'in', (eb) => eb.selectFrom('members').select('members.id').where('members.org_id', '=', scope.orgId).where('members.kind', '=', filters.authorKind ?? 'human')),
    )
    .$if(filters.since !== undefined, (qb) => qb.where('experience_entries.created_at', '>=', filters.since ?? new Date(0)))
    .$if(filters.until !== undefined, (qb) => qb.where('experience_entries.created_at', '<', filters.until ?? new Date(0)));

  const page = ctx.db
    .selectFrom(matches.as('m'))
    .selectAll('m')
    .$call((qb) => (after ? qb.where(afterCursor(after)) : qb))
    .orderBy('m.rank', 'desc')
    .orderBy('m.created_at', 'desc')
    .orderBy('m.id')
    .limit(request.limit);

  const rows = await ctx.db
    .selectFrom(page.as('p'))
    .select(['p.id', 'p.channel_id', 'p.author_id', 'p.created_at', 'p.title', 'p.status', 'p.expires_at', 'p.rank'])
    .select(createdUs.as('created_us'))
    .select(headline(sql<string>`translate(p.title || E'\n' || p.body, ${startMark + stopMark}, '')`, q).as('headline'))
    .orderBy('p.rank', 'desc')
    .orderBy('p.created_at', 'desc')
    .orderBy('p.id')
    .execute();

  return rows.map((r) => ({
    kind: 'experience',
    id: r.id,
    rank: r.rank,
    createdUs: r.created_us,
    channelId: r.channel_id,
    authorId: r.author_id,
    createdAt: r.created_at,
    title: r.title,
    headline: r.headline,
    status: statusAt(r, scope.now),
    seq: null,
    threadRootId: null,
  }));
}
