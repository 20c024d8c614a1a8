import type { SearchResult } from '@chorus/protocol/search';
import { recordAgentSearch } from '../audit/agent-reads.js';
import type { AppContext } from '../context.js';
import type { Actor } from '../policy/actor.js';
import { searchDocs } from './docs.js';
import { searchExperience } from './experience.js';
import { searchMessages } from './messages.js';
import { attachmentsOf } from '../messages/views.js';
import { presentHit } from './presenters.js';
import { compareHits, encodeCursor } from './query.js';
import { searchScope } from './scope.js';
import type { SearchKind, SearchRequest, SearchSource, SourceHit } from './sources.js';

/** One source per kind (see sources.ts). */
const sources: Record<SearchKind, SearchSource> = {
  message: searchMessages,
  doc: searchDocs,
  experience: searchExperience,
};

/**
 * Searches what the actor may read in the org (search/scope.ts decides
 * where, each source applies the read rules in SQL), merges the kinds' hits in
 * one order — rank, then recency, then id — and pages by cursor. An agent's
 * search is audited with the ids it returns before the answer leaves.
 */
export async function search(ctx: AppContext, actor: Actor, orgId: string, kinds: readonly SearchKind[], request: SearchRequest): Promise<SearchResult> {
  const scope = await searchScope(ctx, actor, orgId);
  // One more than a page tells whether another page follows.
  const wanted = { ...request, limit: request.limit + 1 };
  const found = (await Promise.all([...new Set(kinds)].map((kind) => sources[kind](ctx, scope, wanted)))).flat();
  found.sort(compareHits);
  const page = found.slice(0, request.limit);
  const last = page.at(-1);
  const nextCursor = found.length > request.limit && last ? encodeCursor(last) : null;

  // A hit is readable, and so are its message's files (files/access.ts: a file is read through its message).
  const [authors, files] = await Promise.all([authorsOf(ctx, page), attachmentsOf(ctx.db, page.filter((h) => h.kind === 'message').map((h) => h.id))]);
  const hits = page.map((hit) => presentHit(hit, authors.get(hit.authorId), hit.kind === 'message' ? files.get(hit.id) : []));
  await recordAgentSearch(
    ctx,
    actor,
    orgId,
    hits.map((h) => h.id),
    { q: request.q, kinds: [...kinds], ...filtersOf(request), ...(request.after ? { paged: true } : {}) },
  );
  return { hits, next_cursor: nextCursor };
}

function filtersOf({ filters }: SearchRequest): Record<string, string | boolean> {
  const out: Record<string, string | boolean> = {};
  if (filters.channelId) out.channel_id = filters.channelId;
  if (filters.authorId) out.author_id = filters.authorId;
  if (filters.authorKind) out.author_kind = filters.authorKind;
  if (filters.since) out.since = filters.since.toISOString();
  if (filters.until) out.until = filters.until.toISOString();
  if (filters.pinned) out.pinned = true;
  if (filters.includeArchived) out.include_archived = true;
  if (filters.status) out.status = filters.status;
  return out;
}

async function authorsOf(ctx: AppContext, hits: SourceHit[]) {
  const ids = [...new Set(hits.map((h) => h.authorId))];
  if (ids.length === 0) return new Map<string, { id: string; handle: string; display_name: string; kind: 'human' | 'agent' }>();
  const rows = await ctx.db.selectFrom('members').select(['id', 'handle', 'display_name', 'kind']).where('id', 'in', ids).execute();
  return new Map(rows.map((r) => [r.id, r]));
}
