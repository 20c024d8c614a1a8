import { sql, type Expression, type ExpressionBuilder, type SqlBool } from 'kysely';
import type { AppContext } from '../context.js';
import type { Database } from '../db/schema.js';
import { readableWhere } from '../policy/agent-reads.js';
import { afterCursor, createdUs, headline, rankOf, startMark, stopMark, tsquery } from './query.js';
import { groupsOf, type SearchScope } from './scope.js';
import type { SearchRequest, SourceHit } from './sources.js';

/**
 * The message source: messages whose current body matches, in the channels
 * of the scope, above each channel's history floor and within its read rules
 * (`readableWhere`, the SQL every read of messages uses); deleted messages
 * never match; `has:pin` keeps pinned ones. Ranked by `ts_rank`, then recency.
 *
 * One statement: the GIN index on `search_tsv` finds the matches, the scope's
 * clauses keep the readable ones, the page is cut, and only the page's rows get
 * a headline (it parses the body again).
 */
export async function searchMessages(ctx: AppContext, scope: SearchScope, request: SearchRequest): Promise<SourceHit[]> {
  const groups = groupsOf(scope, request.filters.channelId);
  if (groups.length === 0) return [];
  const { q, filters, after } = request;
  const vector = sql`messages.search_tsv`;

  const visible = (eb: ExpressionBuilder<Database, 'messages'>): Expression<SqlBool> =>
    eb.or(
      groups.map((g) => {
        const where: Expression<SqlBool>[] = [];
        if (g.open.length > 0) where.push(eb('messages.channel_id', 'in', g.open));
        for (const f of g.floored) where.push(eb.and([eb('messages.channel_id', '=', f.channelId), eb('messages.seq', '>', f.floor)]));
        return eb.and([eb.or(where), readableWhere(g.read, scope.now)(eb)]);
      }),
    );

  const matches = ctx.db
    .selectFrom('messages')
    .select([
      'messages.id',
      'messages.channel_id',
      'messages.author_id',
      'messages.created_at',
      'messages.seq',
      'messages.thread_root_id',
      'messages.body',
      rankOf(vector, q).as('rank'),
    ])
    .where(sql<SqlBool>`${vector} @@ ${tsquery(q)}`)
    .where('messages.org_id', '=', scope.orgId)
    .where('messages.deleted_at', 'is', null)
    .where(visible)
    .$if(filters.authorId !== undefined, (qb) => qb.where('messages.author_id', '=', filters.authorId ?? ''))
    .$if(filters.authorKind !== undefined, (qb) =>
      qb.where('messages.author_id', 'in', (eb) => eb.selectFrom('members').select('members.id').where('members.org_id', '=', scope.orgId).where('members.kind', '=', filters.authorKind ?? 'human')),
    )
    .$if(filters.since !== undefined, (qb) => qb.where('messages.created_at', '>=', filters.since ?? new Date(0)))
    .$if(filters.until !== undefined, (qb) => qb.where('messages.created_at', '<', filters.until ?? new Date(0)))
    // `has:pin` (pins.message_id is the pins table's key).
    .$if(filters.pinned === true, (qb) => qb.where((eb) => eb.exists(eb.selectFrom('pins').select(sql`1`.as('one')).whereRef('pins.message_id', '=', 'messages.id'))));

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
    .select(['p.id', 'p.channel_id', 'p.author_id', 'p.created_at', 'p.seq', 'p.thread_root_id', 'p.rank'])
    .select(createdUs.as('created_us'))
    .select(
      headline(sql<string>`translate(p.body, ${startMark + stopMark}, '')`, q).as('headline'),
    )
    .orderBy('p.rank', 'desc')
    .orderBy('p.created_at', 'desc')
    .orderBy('p.id')
    .execute();

  return rows.map((r) => ({
    kind: 'message',
    id: r.id,
    rank: r.rank,
    createdUs: r.created_us,
    channelId: r.channel_id,
    authorId: r.author_id,
    createdAt: r.created_at,
    title: null,
    headline: r.headline,
    status: null,
    seq: r.seq,
    threadRootId: r.thread_root_id,
  }));
}
