import type { ExperienceView } from '@chorus/protocol/experience';
import { recordAction } from '../audit/record.js';
import { readersOf } from '../channels/readers.js';
import { mutate, type AppContext } from '../context.js';
import type { ExperienceEntry } from '../db/schema.js';
import { appendEvent, type Mutation } from '../events/log.js';
import type { Principal } from '../http/auth.js';
import { AppError, badRequest, conflict } from '../http/errors.js';
import { isAgent, type Actor } from '../policy/actor.js';
import { flowAllowed } from '../policy/audience.js';
import type { ChannelAccess } from '../policy/channel.js';
import { allow, deny, enforce, hidden } from '../policy/decision.js';
import { canConfirmEntry, canEditEntry, canPromoteEntry, readsEntry } from '../policy/experience.js';
import { accessEntry, entryReaders, isCurrent, orgAudience, statusAt } from './access.js';
import { presentEntry, refOf } from './presenters.js';
import { resolveProvenance, type SourceInput } from './provenance.js';
import { signalsOf } from './quality.js';

/**
 * Creating experience and its lifecycle (DESIGN §2.3): edits by its owners,
 * confirmation after review, deprecation, supersession and promotion to org
 * scope. Each change is one transaction with its event on the origin channel.
 */

export interface NewEntry {
  title: string;
  body: string;
  tags?: string[] | undefined;
  sources: SourceInput[];
  expires_at?: string | null | undefined;
  review_by?: string | null | undefined;
}

export type EntryChanges = Partial<Pick<NewEntry, 'title' | 'body' | 'tags' | 'expires_at' | 'review_by'>>;

/** Tags are compared and stored lower-case, once each. */
const normalTags = (tags: readonly string[]) => [...new Set(tags.map((t) => t.trim().toLowerCase()).filter((t) => t.length > 0))];
const dateOf = (value: string | null | undefined) => (value === undefined ? undefined : value === null ? null : new Date(value));

export async function viewOf(ctx: AppContext, entry: ExperienceEntry): Promise<ExperienceView> {
  const signals = await signalsOf(ctx.db, [entry.id]);
  return presentEntry(entry, signals.get(entry.id));
}

/**
 * Appends the entry's event to its origin channel's log; an agent's change is
 * also put on the audit record (DESIGN §2.4: every agent write), in the same transaction.
 */
export async function publishEntry(
  m: Mutation,
  entry: ExperienceEntry,
  actor: Actor,
  change: { created: true } | { changed: string[] } | { previous: Pick<ExperienceEntry, 'status' | 'scope'> },
): Promise<void> {
  const base = { orgId: entry.org_id, channelId: entry.channel_id, actorId: actor.member.id };
  const experience = refOf(entry);
  if ('created' in change) await appendEvent(m, { ...base, type: 'experience.created', payload: { experience } });
  else if ('changed' in change) await appendEvent(m, { ...base, type: 'experience.updated', payload: { experience, changed: change.changed } });
  else await appendEvent(m, { ...base, type: 'experience.status_changed', payload: { experience, previous: change.previous } });
  if (!isAgent(actor)) return;
  await recordAction(m.trx, actor, 'agent.experience.write', {
    targetType: 'experience',
    targetId: entry.id,
    channelId: entry.channel_id,
    items: 'created' in change ? [entry.id, ...entry.sources.map((s) => s.id)] : [entry.id],
    details: { change: 'created' in change ? 'created' : 'changed' in change ? change.changed : { status: entry.status, scope: entry.scope }, ...(actor.boundary ? { task_id: actor.boundary.taskId } : {}) },
  });
}

/** A new channel-scoped entry distilled in `a.channel`, after its provenance passed the audience rule. */
export async function createEntry(ctx: AppContext, a: ChannelAccess, input: NewEntry): Promise<ExperienceView> {
  const { sources, audience } = await resolveProvenance(ctx, a, input.sources);
  const entry = await mutate(ctx, async (m) => {
    const row = await m.trx
      .insertInto('experience_entries')
      .values({
        org_id: a.channel.org_id,
        channel_id: a.channel.id,
        author_id: a.actor.member.id,
        title: input.title,
        body: input.body,
        tags: normalTags(input.tags ?? []),
        sources: JSON.stringify(sources),
        audience,
        expires_at: dateOf(input.expires_at) ?? null,
        review_by: dateOf(input.review_by) ?? null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await publishEntry(m, row, a.actor, { created: true });
    return row;
  });
  return presentEntry(entry);
}

export async function editEntry(ctx: AppContext, principal: Principal, entryId: string, changes: EntryChanges): Promise<ExperienceView> {
  const changed = Object.keys(changes).filter((k) => changes[k as keyof EntryChanges] !== undefined);
  if (changed.length === 0) throw badRequest('nothing_to_change', 'Name at least one field to change.');
  const entry = await mutate(ctx, async (m) => {
    const { entry: current, actor } = await accessEntry(ctx, principal, entryId, canEditEntry, m.trx);
    const row = await m.trx
      .updateTable('experience_entries')
      .set({
        ...(changes.title !== undefined ? { title: changes.title } : {}),
        ...(changes.body !== undefined ? { body: changes.body } : {}),
        ...(changes.tags !== undefined ? { tags: normalTags(changes.tags) } : {}),
        ...(changes.expires_at !== undefined ? { expires_at: dateOf(changes.expires_at) ?? null } : {}),
        ...(changes.review_by !== undefined ? { review_by: dateOf(changes.review_by) ?? null } : {}),
        updated_at: new Date(),
      })
      .where('id', '=', current.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await publishEntry(m, row, actor, { changed });
    return row;
  });
  return viewOf(ctx, entry);
}

/**
 * A person confirms the entry still holds: it leaves the review queue, with
 * `review_by` set to the next date given (or cleared); negative signals so far
 * no longer queue it.
 */
export async function confirmEntry(ctx: AppContext, principal: Principal, entryId: string, reviewBy: string | null | undefined): Promise<ExperienceView> {
  const entry = await mutate(ctx, async (m) => {
    const { entry: current, actor } = await accessEntry(ctx, principal, entryId, canConfirmEntry, m.trx);
    if (!isCurrent(current, new Date())) throw conflict('entry_not_current', `This entry is ${statusAt(current, new Date())}; only current entries are reviewed.`);
    const now = new Date();
    const next = dateOf(reviewBy) ?? null;
    if (next && next <= now) throw badRequest('review_by_in_past', 'The next review date must be in the future.');
    const row = await m.trx.updateTable('experience_entries').set({ confirmed_at: now, review_by: next }).where('id', '=', current.id).returningAll().executeTakeFirstOrThrow();
    await publishEntry(m, row, actor, { changed: ['confirmed_at', 'review_by'] });
    return row;
  });
  return viewOf(ctx, entry);
}

/** Deprecated, or superseded by `byId`: never served as current again, still readable as history. */
export async function retireEntry(ctx: AppContext, principal: Principal, entryId: string, to: { status: 'deprecated' } | { status: 'superseded'; byId: string }): Promise<ExperienceView> {
  const entry = await mutate(ctx, async (m) => {
    const { entry: current, actor } = await accessEntry(ctx, principal, entryId, canEditEntry, m.trx);
    const now = new Date();
    if (current.status !== 'active') throw conflict('entry_retired', `This entry is already ${current.status}.`);
    let supersededBy: string | null = null;
    if (to.status === 'superseded') {
      if (to.byId === current.id) throw badRequest('supersedes_itself', 'An entry cannot supersede itself.');
      // The successor must be something the superseder reads, and everyone who reads this entry must read it too.
      const successor = (
        await accessEntry(ctx, actor, to.byId, (e) => (readsEntry(e) ? allow : hidden('experience')), m.trx).catch((error: unknown) => {
          throw error instanceof AppError && error.status === 404 ? badRequestSuccessor(to.byId) : error;
        })
      ).entry;
      if (!isCurrent(successor, now)) throw conflict('successor_not_current', 'An entry is superseded only by a current one.');
      const [readersOfThis, readersOfSuccessor] = await Promise.all([entryReaders(ctx, current, m.trx), entryReaders(ctx, successor, m.trx)]);
      if (!flowAllowed(readersOfSuccessor, readersOfThis)) {
        enforce(deny(403, 'audience_violation', 'Not everyone who reads this entry may read its successor.', { successor: successor.id }));
      }
      supersededBy = successor.id;
    }
    const row = await m.trx
      .updateTable('experience_entries')
      .set({ status: to.status, superseded_by: supersededBy, updated_at: now })
      .where('id', '=', current.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await publishEntry(m, row, actor, { previous: { status: current.status, scope: current.scope } });
    return row;
  });
  return viewOf(ctx, entry);
}

const badRequestSuccessor = (id: string) => badRequest('successor_not_found', `No entry ${id} that you and every reader of this entry may read.`);

/**
 * Promotion to org scope: when the origin channel and every source are read
 * by every person of the org who is not a guest (the audience rule for the
 * whole org), or by an org admin's explicit override with a reason. Either
 * way the promotion is on the audit record.
 */
export async function promoteEntry(ctx: AppContext, principal: Principal, entryId: string, options: { override: boolean; reason?: string | undefined }): Promise<ExperienceView> {
  if (options.override && !options.reason) throw badRequest('reason_required', 'An override of the audience rule needs a reason.');
  const entry = await mutate(ctx, async (m) => {
    const probe = await accessEntry(ctx, principal, entryId, canEditEntry, m.trx);
    const current = probe.entry;
    if (!isCurrent(current, new Date())) throw conflict('entry_not_current', `This entry is ${statusAt(current, new Date())}; only current entries are promoted.`);
    const channels = [current.channel_id, ...current.sources.map((s) => s.channel_id)];
    const [readers, audience] = await Promise.all([readersOf(ctx, channels, m.trx), orgAudience(m.trx, current.org_id)]);
    const ruleHolds = channels.every((id) => flowAllowed(readers.get(id) ?? new Set(), audience.people));
    enforce(canPromoteEntry(probe, ruleHolds, options.override));
    const override = !ruleHolds;
    const now = new Date();
    const row = await m.trx
      .updateTable('experience_entries')
      .set({ scope: 'org', promoted_at: now, promoted_by: probe.actor.member.id, promotion_override: override, updated_at: now })
      .where('id', '=', current.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordAction(m.trx, probe.actor, override ? 'experience.promote.override' : 'experience.promote', {
      targetType: 'experience',
      targetId: row.id,
      channelId: row.channel_id,
      items: [row.id],
      details: { override, ...(override ? { reason: options.reason } : {}), sources: current.sources.map((s) => s.id) },
    });
    await publishEntry(m, row, probe.actor, { previous: { status: current.status, scope: current.scope } });
    return row;
  });
  return viewOf(ctx, entry);
}
