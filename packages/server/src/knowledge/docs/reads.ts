import { FILE_HEADERS_ONLY, formatPatch, structuredPatch } from 'diff';
import type { DocDiff, DocRevisionView, DocSummary, DocView } from '@chorus/protocol/knowledge';
import { recordAgentRead } from '../../audit/agent-reads.js';
import { accessChannel } from '../../channels/access.js';
import type { AppContext } from '../../context.js';
import type { ChannelDoc } from '../../db/schema.js';
import type { Principal } from '../../http/auth.js';
import { AppError, notFound } from '../../http/errors.js';
import type { Author } from '../../messages/presenters.js';
import type { ChannelAccess } from '../../policy/channel.js';
import type { Decision } from '../../policy/decision.js';
import { enforce } from '../../policy/decision.js';
import { canReadDocs } from '../../policy/doc.js';
import { presentDoc, presentDocSummary, presentRevision, docColumns } from './presenters.js';

/**
 * Loads a doc and the caller's access to its channel. Docs follow their
 * channel's readers exactly: whoever may not read the channel (a task token
 * outside its channel included) is told the doc does not exist.
 */
export async function accessDoc(
  ctx: AppContext,
  principal: Principal,
  docId: string,
  rule: (a: ChannelAccess, doc: ChannelDoc) => Decision = () => ({ allowed: true }),
): Promise<{ a: ChannelAccess; doc: ChannelDoc }> {
  const doc = await ctx.db.selectFrom('channel_docs').select(docColumns).where('id', '=', docId).executeTakeFirst();
  if (!doc) throw notFound('doc');
  const a = await accessChannel(ctx, principal, doc.channel_id, canReadDocs).catch((error: unknown) => {
    throw error instanceof AppError && error.code === 'channel_not_found' ? notFound('doc') : error;
  });
  enforce(rule(a, doc));
  return { a, doc };
}

export async function readDoc(ctx: AppContext, a: ChannelAccess, doc: ChannelDoc): Promise<DocView> {
  await recordAgentRead(ctx, a, 'agent.docs.read', [doc.id]);
  return presentDoc(doc);
}

/** The channel's docs (not archived ones unless asked), the guide first, then the most recently updated. */
export async function listDocs(ctx: AppContext, a: ChannelAccess, options: { includeArchived: boolean; limit: number }): Promise<{ docs: DocSummary[]; has_more: boolean }> {
  const rows = await ctx.db
    .selectFrom('channel_docs')
    .select(docColumns)
    .where('channel_id', '=', a.channel.id)
    .$if(!options.includeArchived, (q) => q.where('archived_at', 'is', null))
    .orderBy('agent_guide', 'desc')
    .orderBy('updated_at', 'desc')
    .orderBy('id')
    .limit(options.limit + 1)
    .execute();
  const page = rows.slice(0, options.limit);
  await recordAgentRead(ctx, a, 'agent.docs.read', page.map((d) => d.id), { list: true });
  return { docs: page.map(presentDocSummary), has_more: rows.length > options.limit };
}

async function authorsOf(ctx: AppContext, ids: string[]): Promise<Map<string, Author>> {
  if (ids.length === 0) return new Map();
  const rows = await ctx.db.selectFrom('members').select(['id', 'handle', 'display_name', 'kind']).where('id', 'in', [...new Set(ids)]).execute();
  return new Map(rows.map((r) => [r.id, r]));
}

const unknownAuthor = (id: string): Author => ({ id, handle: 'unknown', display_name: 'Unknown', kind: 'human' });

/** The doc's revisions, newest first, without bodies; `before` pages back. */
export async function listRevisions(ctx: AppContext, a: ChannelAccess, doc: ChannelDoc, options: { before?: number | undefined; limit: number }): Promise<{ revisions: DocRevisionView[]; has_more: boolean }> {
  const rows = await ctx.db
    .selectFrom('channel_doc_revisions')
    .selectAll()
    .where('doc_id', '=', doc.id)
    .$if(options.before !== undefined, (q) => q.where('revision', '<', options.before ?? 0))
    .orderBy('revision', 'desc')
    .limit(options.limit + 1)
    .execute();
  const page = rows.slice(0, options.limit);
  const authors = await authorsOf(ctx, page.map((r) => r.author_id));
  await recordAgentRead(ctx, a, 'agent.docs.read', [doc.id], { revisions: page.map((r) => r.revision) });
  return { revisions: page.map((r) => presentRevision(r, authors.get(r.author_id) ?? unknownAuthor(r.author_id), false)), has_more: rows.length > options.limit };
}

async function revisionOf(ctx: AppContext, doc: ChannelDoc, revision: number) {
  const row = await ctx.db.selectFrom('channel_doc_revisions').selectAll().where('doc_id', '=', doc.id).where('revision', '=', revision).executeTakeFirst();
  if (!row) throw notFound('revision');
  return row;
}

export async function readRevision(ctx: AppContext, a: ChannelAccess, doc: ChannelDoc, revision: number): Promise<DocRevisionView> {
  const row = await revisionOf(ctx, doc, revision);
  const authors = await authorsOf(ctx, [row.author_id]);
  await recordAgentRead(ctx, a, 'agent.docs.read', [doc.id], { revisions: [revision] });
  return presentRevision(row, authors.get(row.author_id) ?? unknownAuthor(row.author_id), true);
}

/**
 * A line-based diff of the body between two revisions (either order), as a
 * unified diff and as hunks, by jsdiff (`diff`), with three lines of context.
 */
export async function diffRevisions(ctx: AppContext, a: ChannelAccess, doc: ChannelDoc, from: number, to: number): Promise<DocDiff> {
  const [older, newer] = await Promise.all([revisionOf(ctx, doc, from), revisionOf(ctx, doc, to)]);
  const patch = structuredPatch(`rev ${from}`, `rev ${to}`, older.body, newer.body, undefined, undefined, { context: 3 });
  const hunks = patch.hunks.map((h) => ({ old_start: h.oldStart, old_lines: h.oldLines, new_start: h.newStart, new_lines: h.newLines, lines: h.lines }));
  const unified = hunks.length ? formatPatch(patch, FILE_HEADERS_ONLY) : '';
  await recordAgentRead(ctx, a, 'agent.docs.read', [doc.id], { revisions: [from, to] });
  return { doc_id: doc.id, from, to, title: { from: older.title, to: newer.title }, unified, hunks };
}
