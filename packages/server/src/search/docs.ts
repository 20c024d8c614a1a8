import { sql, type SqlBool } from 'kysely';
import type { AppContext } from '../context.js';
import { afterCursor, createdUs, headline, rankOf, startMark, stopMark, tsquery } from './query.js';
import { channelIdsOf, type SearchScope } from './scope.js';
import type { SearchRequest, SourceHit } from './sources.js';

/**
 * The doc source: channel docs whose title (weight A) or body (B) match, in
 * the channels of the scope — a doc's readers are its channel's readers
 * (policy/doc.ts `canReadDocs`), with no history floor and none of the
 * agents' message rules, exactly as a doc is read by id. Archived docs only
 * when asked. The author is the doc's creator, the time its creation; the
 * snippet is cut from the title and the body together.
 *
 * One statement, like the message source: the GIN index on `search` finds
 * the matches, the page is cut, only the page gets a headline.
 */
export async function searchDocs(ctx: AppContext, scope: SearchScope, request: SearchRequest): Promise<SourceHit[]> {
  const { q, filters, after } = request;
  const channels = channelIdsOf(scope, filters.channelId);
  // Docs are never pinned.
  if (channels.length === 0 || filters.pinned === true) return [];
  const vector = sql`channel_docs.search`;

  const matches = ctx.db
    .selectFrom('channel_docs')
    .select([
      'channel_docs.id',
      'channel_docs.channel_id',
      'channel_docs.created_by',
      'channel_docs.created_at',
      'channel_docs.title',
      'channel_docs.body',
      'channel_docs.archived_at',
      rankOf(vector, q).as('rank'),
    ])
    .where(sql<SqlBool>`${vector} @@ ${tsquery(q)}`)
    .where('channel_docs.org_id', '=', scope.orgId)
    .where('channel_docs.channel_id', 'in', channels)
    .$if(filters.includeArchived !== true, (qb) => qb.where('channel_docs.archived_at', 'is', null))
    .$if(filters.authorId !== undefined, (qb) => qb.where('channel_docs.created_by', '=', filters.authorId ?? ''))
    .$if(filters.authorKind !== undefined, (qb) =>
      qb.where('channel_docs.created_by', 'in', (eb) => eb.selectFrom('members').select('members.id').where('members.org_id', '=', scope.orgId).where('members.kind', '=', filters.authorKind ?? 'human')),
    )
    .$if(filters.since !== undefined, (qb) => qb.where('channel_docs.created_at', '>=', filters.since ?? new Date(0)))
    .$if(filters.until !== undefined, (qb) => qb.where('channel_docs.created_at', '<', filters.until ?? new Date(0)));

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
    .select(['p.id', 'p.channel_id', 'p.created_by', 'p.created_at', 'p.title', 'p.archived_at', 'p.rank'])
    .select(createdUs.as('created_us'))
    .select(headline(sql<string>`translate(p.title || E'\n' || p.body, ${startMark + stopMark}, '')`, q).as('headline'))
    .orderBy('p.rank', 'desc')
    .orderBy('p.created_at', 'desc')
    .orderBy('p.id')
    .execute();

  return rows.map((r) => ({
    kind: 'doc',
    id: r.id,
    rank: r.rank,
    createdUs: r.created_us,
    channelId: r.channel_id,
    authorId: r.created_by,
    createdAt: r.created_at,
    title: r.title,
    headline: r.headline,
    status: r.archived_at ? 'archived' : 'active',
    seq: null,
    threadRootId: null,
  }));
}
