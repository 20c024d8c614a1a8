import type { AppContext } from '../context.js';
import { forbidden } from '../http/errors.js';
import type { Actor } from '../policy/actor.js';
import { enforce } from '../policy/decision.js';
import { canReadAudit, type AuditScope } from '../policy/audit.js';
import { appendAudit, verifyChain, type AuditRow, type Verification } from './chain.js';

export interface AuditQuery {
  actor_id?: string | undefined;
  channel_id?: string | undefined;
  action?: string | undefined;
  since?: string | undefined;
  until?: string | undefined;
  /** Page by seq: events after this one. */
  after?: number | undefined;
  limit?: number | undefined;
}

/** Channels whose audit the actor may read as their owner; org admins read everything. */
async function scopeOf(ctx: AppContext, actor: Actor): Promise<AuditScope> {
  const owned = await ctx.db
    .selectFrom('channel_members')
    .select('channel_id')
    .where('member_id', '=', actor.member.id)
    .where('role', '=', 'owner')
    .execute();
  return { ownedChannelIds: owned.map((o) => o.channel_id) };
}

/**
 * Audit events of the org, oldest first, filtered. Org admins see the whole
 * chain; a channel owner sees the events of the channels they own.
 */
export async function queryAudit(ctx: AppContext, actor: Actor, q: AuditQuery): Promise<{ events: AuditRow[]; next_after: number | null }> {
  const scope = await scopeOf(ctx, actor);
  enforce(canReadAudit(actor, scope, q.channel_id));
  const limit = q.limit ?? 100;
  let query = ctx.db.selectFrom('audit_events').selectAll().where('org_id', '=', actor.member.org_id);
  if (q.actor_id) query = query.where('actor_id', '=', q.actor_id);
  if (q.channel_id) query = query.where('channel_id', '=', q.channel_id);
  // Without a channel filter, a channel owner who is not an admin reads the channels they own (the policy made sure there is one).
  else if (actor.member.role !== 'owner' && actor.member.role !== 'admin') query = query.where('channel_id', 'in', scope.ownedChannelIds);
  if (q.action) query = query.where('action', '=', q.action);
  if (q.since) query = query.where('created_at', '>=', new Date(q.since));
  if (q.until) query = query.where('created_at', '<', new Date(q.until));
  if (q.after !== undefined) query = query.where('seq', '>', q.after);
  const rows = (await query.orderBy('seq').limit(limit + 1).execute()) as unknown as AuditRow[];
  const page = rows.slice(0, limit);
  return { events: page, next_after: rows.length > limit ? (page.at(-1)?.seq ?? null) : null };
}

/** Every matching event, as JSON Lines, in pages; the export itself is audited. */
export async function* exportAudit(ctx: AppContext, actor: Actor, q: AuditQuery): AsyncGenerator<string> {
  await ctx.db.transaction().execute((trx) =>
    appendAudit(trx, actor.member.org_id, [
      { actorId: actor.member.id, actorKind: actor.member.kind, action: 'audit.export', channelId: q.channel_id ?? null, decision: 'allow', details: { filter: { ...q } } },
    ]),
  );
  let after = q.after;
  for (;;) {
    const { events, next_after } = await queryAudit(ctx, actor, { ...q, after, limit: 1000 });
    for (const e of events) yield `${JSON.stringify(presentAudit(e))}\n`;
    if (next_after === null) return;
    after = next_after;
  }
}

export async function verifyAudit(ctx: AppContext, actor: Actor): Promise<Verification> {
  if (actor.member.role !== 'owner' && actor.member.role !== 'admin') throw forbidden('admin_required', 'Only org owners and admins can verify the audit chain.');
  return verifyChain(ctx.db, actor.member.org_id);
}

export function presentAudit(e: AuditRow) {
  return {
    seq: e.seq,
    created_at: e.created_at.toISOString(),
    actor_id: e.actor_id,
    actor_kind: e.actor_kind,
    action: e.action,
    target_type: e.target_type,
    target_id: e.target_id,
    channel_id: e.channel_id,
    items: e.items,
    decision: e.decision,
    reason: e.reason,
    details: e.details,
    prev_hash: e.prev_hash,
    hash: e.hash,
  };
}
