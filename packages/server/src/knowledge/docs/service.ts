import type { DocView } from '@chorus/protocol/knowledge';
import { recordAction } from '../../audit/record.js';
import { lockChannel } from '../../channels/access.js';
import { mutate, type AppContext } from '../../context.js';
import type { ChannelDoc } from '../../db/schema.js';
import { appendEvent, type Mutation } from '../../events/log.js';
import { conflict, notFound } from '../../http/errors.js';
import { isAgent } from '../../policy/actor.js';
import type { ChannelAccess } from '../../policy/channel.js';
import { enforce } from '../../policy/decision.js';
import { canArchiveDoc, canCreateDoc, canEditDoc, canSetGuide } from '../../policy/doc.js';
import { presentDoc, presentDocSummary, docColumns } from './presenters.js';

/** Sizes a doc may have (also checked by the database). */
export const docLimits = { title: 200, body: 100_000 } as const;

/**
 * Channel docs: every save is a revision with its author; an edit names the
 * revision it started from, and an edit of an older one is refused with the
 * current doc (optimistic concurrency). Each change writes its rows and its
 * channel event in one transaction, after taking the channel's lock (as sends
 * do) and then the doc's row lock.
 */

/** Agents' writes are on the record (DESIGN §2.4), in the transaction that makes them. */
async function auditAgentWrite(m: Mutation, a: ChannelAccess, doc: ChannelDoc, change: string): Promise<void> {
  if (!isAgent(a.actor)) return;
  await recordAction(m.trx, a.actor, 'agent.doc.write', {
    targetType: 'doc',
    targetId: doc.id,
    channelId: doc.channel_id,
    items: [doc.id],
    details: { change, revision: doc.revision, ...(a.actor.boundary ? { task_id: a.actor.boundary.taskId } : {}) },
  });
}

/** The doc re-read under its row lock, after the channel's lock. */
async function lockDoc(m: Mutation, doc: ChannelDoc): Promise<ChannelDoc> {
  await lockChannel(m.trx, doc.channel_id);
  const current = await m.trx.selectFrom('channel_docs').select(docColumns).where('id', '=', doc.id).forUpdate().executeTakeFirst();
  if (!current) throw notFound('doc');
  return current;
}

export async function createDoc(ctx: AppContext, a: ChannelAccess, input: { title: string; body: string }): Promise<DocView> {
  enforce(canCreateDoc(a));
  return mutate(ctx, async (m) => {
    await lockChannel(m.trx, a.channel.id);
    const doc = await m.trx
      .insertInto('channel_docs')
      .values({ org_id: a.channel.org_id, channel_id: a.channel.id, title: input.title, body: input.body, created_by: a.actor.member.id, updated_by: a.actor.member.id })
      .returning(docColumns)
      .executeTakeFirstOrThrow();
    await m.trx.insertInto('channel_doc_revisions').values({ doc_id: doc.id, revision: 1, title: doc.title, body: doc.body, author_id: a.actor.member.id, created_at: doc.created_at }).execute();
    await appendEvent(m, { orgId: doc.org_id, channelId: doc.channel_id, type: 'doc.created', actorId: a.actor.member.id, payload: { doc: presentDocSummary(doc) } });
    await auditAgentWrite(m, a, doc, 'created');
    return presentDoc(doc);
  });
}

/** Writes a new revision with `title` and `body`; `restoredFrom` names the revision a restore brought back. */
async function newRevision(m: Mutation, a: ChannelAccess, current: ChannelDoc, next: { title: string; body: string }, restoredFrom: number | null): Promise<ChannelDoc> {
  const now = new Date();
  const doc = await m.trx
    .updateTable('channel_docs')
    .set({ title: next.title, body: next.body, revision: current.revision + 1, updated_by: a.actor.member.id, updated_at: now })
    .where('id', '=', current.id)
    .returning(docColumns)
    .executeTakeFirstOrThrow();
  await m.trx
    .insertInto('channel_doc_revisions')
    .values({ doc_id: doc.id, revision: doc.revision, title: doc.title, body: doc.body, author_id: a.actor.member.id, restored_from: restoredFrom, created_at: now })
    .execute();
  await appendEvent(m, { orgId: doc.org_id, channelId: doc.channel_id, type: 'doc.updated', actorId: a.actor.member.id, payload: { doc: presentDocSummary(doc), restored_from: restoredFrom } });
  await auditAgentWrite(m, a, doc, restoredFrom === null ? 'edited' : 'restored');
  return doc;
}

function staleEdit(current: ChannelDoc, edited: number) {
  return conflict('revision_conflict', `This doc changed since revision ${edited}; it is now at revision ${current.revision}. Merge your change into the current doc and save again.`, {
    doc: presentDoc(current),
  });
}

/**
 * Saves an edit made to revision `input.revision`. When the doc has moved on
 * since, nothing is written: `409 revision_conflict` carries the current doc in
 * `details.doc`. An edit that changes nothing writes no revision.
 */
export async function editDoc(ctx: AppContext, a: ChannelAccess, doc: ChannelDoc, input: { revision: number; title?: string | undefined; body?: string | undefined }): Promise<DocView> {
  enforce(canEditDoc(a, doc));
  return mutate(ctx, async (m) => {
    const current = await lockDoc(m, doc);
    enforce(canEditDoc(a, current));
    if (current.revision !== input.revision) throw staleEdit(current, input.revision);
    const next = { title: input.title ?? current.title, body: input.body ?? current.body };
    if (next.title === current.title && next.body === current.body) return presentDoc(current);
    return presentDoc(await newRevision(m, a, current, next, null));
  });
}

/** Brings back revision `input.revision` as a new revision (history is never rewritten). `current_revision`, when given, guards like an edit's. */
export async function restoreDoc(ctx: AppContext, a: ChannelAccess, doc: ChannelDoc, input: { revision: number; current_revision?: number | undefined }): Promise<DocView> {
  enforce(canEditDoc(a, doc));
  return mutate(ctx, async (m) => {
    const current = await lockDoc(m, doc);
    enforce(canEditDoc(a, current));
    if (input.current_revision !== undefined && current.revision !== input.current_revision) throw staleEdit(current, input.current_revision);
    const old = await m.trx.selectFrom('channel_doc_revisions').selectAll().where('doc_id', '=', doc.id).where('revision', '=', input.revision).executeTakeFirst();
    if (!old) throw notFound('revision');
    return presentDoc(await newRevision(m, a, current, { title: old.title, body: old.body }, old.revision));
  });
}

/**
 * Archives or unarchives a doc (setting the state it already has changes
 * nothing). An archived doc is listed only on request and never served as
 * context; archiving the channel's guide leaves the channel without one.
 */
export async function setDocArchived(ctx: AppContext, a: ChannelAccess, doc: ChannelDoc, archived: boolean): Promise<DocView> {
  enforce(canArchiveDoc(a, doc));
  return mutate(ctx, async (m) => {
    const current = await lockDoc(m, doc);
    if ((current.archived_at !== null) === archived) return presentDoc(current);
    const updated = await m.trx
      .updateTable('channel_docs')
      .set(archived ? { archived_at: new Date(), archived_by: a.actor.member.id, agent_guide: false } : { archived_at: null, archived_by: null })
      .where('id', '=', doc.id)
      .returning(docColumns)
      .executeTakeFirstOrThrow();
    const actorId = a.actor.member.id;
    await appendEvent(m, { orgId: updated.org_id, channelId: updated.channel_id, type: archived ? 'doc.archived' : 'doc.unarchived', actorId, payload: { doc: presentDocSummary(updated) } });
    if (current.agent_guide && archived) {
      await appendEvent(m, { orgId: updated.org_id, channelId: updated.channel_id, type: 'doc.guide_changed', actorId, payload: { doc_id: null, previous_doc_id: updated.id } });
    }
    await auditAgentWrite(m, a, updated, archived ? 'archived' : 'unarchived');
    return presentDoc(updated);
  });
}

/** Marks `doc` as the channel's guide for agents (null: no guide), replacing the previous one. */
export async function setGuide(ctx: AppContext, a: ChannelAccess, doc: ChannelDoc | null): Promise<ChannelDoc | null> {
  enforce(canSetGuide(a, doc));
  return mutate(ctx, async (m) => {
    await lockChannel(m.trx, a.channel.id);
    const previous = await m.trx.selectFrom('channel_docs').select(docColumns).where('channel_id', '=', a.channel.id).where('agent_guide', '=', true).executeTakeFirst();
    const next = doc ? await m.trx.selectFrom('channel_docs').select(docColumns).where('id', '=', doc.id).forUpdate().executeTakeFirst() : null;
    if (doc && !next) throw notFound('doc');
    if (next) enforce(canSetGuide(a, next));
    if ((previous?.id ?? null) === (next?.id ?? null)) return next ?? null;
    if (previous) await m.trx.updateTable('channel_docs').set({ agent_guide: false }).where('id', '=', previous.id).execute();
    const marked = next ? await m.trx.updateTable('channel_docs').set({ agent_guide: true }).where('id', '=', next.id).returning(docColumns).executeTakeFirstOrThrow() : null;
    await appendEvent(m, {
      orgId: a.channel.org_id,
      channelId: a.channel.id,
      type: 'doc.guide_changed',
      actorId: a.actor.member.id,
      payload: { doc_id: marked?.id ?? null, previous_doc_id: previous?.id ?? null },
    });
    await recordAction(m.trx, a.actor, 'channel.guide_set', { targetType: 'channel', targetId: a.channel.id, channelId: a.channel.id, items: marked ? [marked.id] : [], details: { previous_doc_id: previous?.id ?? null } });
    return marked;
  });
}
