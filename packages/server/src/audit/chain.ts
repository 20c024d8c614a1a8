import { createHash } from 'node:crypto';
import type { Db, Trx } from '../db/database.js';
import { unnestRows, type ElementType } from '../db/bulk.js';

/** What happened, as the audit log records it. */
export interface AuditEntry {
  actorId: string | null;
  actorKind: 'human' | 'agent' | 'system' | null;
  action: string;
  targetType?: string | undefined;
  targetId?: string | undefined;
  channelId?: string | null | undefined;
  /** The ids read or written: every item an agent was served, every message it wrote. */
  items?: string[] | undefined;
  decision: 'allow' | 'deny';
  /** For a denial, the rule that denied (the error code). */
  reason?: string | null | undefined;
  details?: Record<string, unknown> | null | undefined;
}

export interface AuditRow {
  org_id: string;
  seq: number;
  actor_id: string | null;
  actor_kind: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  channel_id: string | null;
  items: string[];
  decision: 'allow' | 'deny';
  reason: string | null;
  details: Record<string, unknown> | null;
  created_at: Date;
  prev_hash: string;
  hash: string;
}

const auditTypes = {
  org_id: 'uuid', seq: 'bigint', actor_id: 'uuid', actor_kind: 'text', action: 'text', target_type: 'text', target_id: 'text', channel_id: 'uuid',
  items: 'jsonb', decision: 'text', reason: 'text', details: 'jsonb', created_at: 'timestamptz', prev_hash: 'text', hash: 'text',
} as const satisfies Record<keyof AuditRow, ElementType>;

/** The hash every org's chain starts from. */
export const genesis = '0'.repeat(64);

/** JSON with object keys sorted at every level: jsonb reorders keys, so hashing must not depend on their order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * The hash of an event: SHA-256 over the previous hash and the event's fields
 * in a fixed order. Changing any field of any event, or removing or reordering
 * events, breaks every hash after it.
 */
export function hashEvent(prevHash: string, row: Omit<AuditRow, 'prev_hash' | 'hash'>): string {
  const fields = canonical([
    row.org_id,
    row.seq,
    row.actor_id,
    row.actor_kind,
    row.action,
    row.target_type,
    row.target_id,
    row.channel_id,
    row.items,
    row.decision,
    row.reason,
    row.details,
    row.created_at.toISOString(),
  ]);
  return createHash('sha256').update(prevHash).update('\n').update(fields).digest('hex');
}

/**
 * Appends events to the org's chain inside the caller's transaction. The org's
 * chain head is locked for the rest of the transaction, so appends to one org
 * are serialised and the chain never forks; different orgs do not wait on each other.
 */
export async function appendAudit(trx: Trx, orgId: string, entries: AuditEntry[]): Promise<void> {
  if (entries.length === 0) return;
  // The org's head, created at genesis if new, locked (as an update locks it) until the transaction ends: one statement.
  const head = await trx
    .insertInto('audit_heads')
    .values({ org_id: orgId, seq: 0, hash: genesis })
    .onConflict((oc) => oc.column('org_id').doUpdateSet({ org_id: (eb) => eb.ref('excluded.org_id') }))
    .returning(['seq', 'hash'])
    .executeTakeFirstOrThrow();
  let { seq, hash } = head;
  // Millisecond timestamps survive the round trip through timestamptz exactly, so verify recomputes the same hash.
  const created_at = new Date();
  const rows: AuditRow[] = entries.map((e) => {
    seq += 1;
    const row = {
      org_id: orgId,
      seq,
      actor_id: e.actorId,
      actor_kind: e.actorKind,
      action: e.action,
      target_type: e.targetType ?? null,
      target_id: e.targetId ?? null,
      channel_id: e.channelId ?? null,
      items: e.items ?? [],
      decision: e.decision,
      reason: e.reason ?? null,
      details: e.details ?? null,
      created_at,
    };
    const prev = hash;
    hash = hashEvent(prev, row);
    return { ...row, prev_hash: prev, hash };
  });
  // The events and the new head together, in one statement.
  const appended = unnestRows(auditTypes, rows.map((r) => ({ ...r, items: JSON.stringify(r.items), details: r.details === null ? null : JSON.stringify(r.details) })));
  await trx
    .with('appended', (db) =>
      db
        .insertInto('audit_events')
        .columns(appended.columns)
        .expression(appended.rows)
        .returning('seq'),
    )
    .updateTable('audit_heads')
    .set({ seq, hash })
    .where('org_id', '=', orgId)
    .execute();
}

export type Verification = { ok: true; events: number; head: string } | { ok: false; events: number; broken_at: number; problem: string };

/**
 * Recomputes the org's whole chain and names the first event that does not fit.
 * The events and the head are read in one snapshot: an append committed while
 * the chain is being read is not mistaken for a head past removed events.
 */
export async function verifyChain(db: Db, orgId: string): Promise<Verification> {
  return db
    .transaction()
    .setIsolationLevel('repeatable read')
    .setAccessMode('read only')
    .execute((trx) => verifyIn(trx, orgId));
}

async function verifyIn(db: Trx, orgId: string): Promise<Verification> {
  let prev = genesis;
  let expected = 1;
  for (;;) {
    const page = await db.selectFrom('audit_events').selectAll().where('org_id', '=', orgId).where('seq', '>=', expected).orderBy('seq').limit(1000).execute();
    for (const row of page as unknown as AuditRow[]) {
      if (row.seq !== expected) return { ok: false, events: expected - 1, broken_at: expected, problem: `event ${expected} is missing` };
      if (row.prev_hash !== prev) return { ok: false, events: expected - 1, broken_at: row.seq, problem: 'its previous-hash does not match the event before it' };
      if (hashEvent(prev, row) !== row.hash) return { ok: false, events: expected - 1, broken_at: row.seq, problem: 'its content does not match its hash' };
      prev = row.hash;
      expected += 1;
    }
    if (page.length < 1000) break;
  }
  const head = await db.selectFrom('audit_heads').select(['seq', 'hash']).where('org_id', '=', orgId).executeTakeFirst();
  if (head && (head.seq !== expected - 1 || head.hash !== prev)) {
    return { ok: false, events: expected - 1, broken_at: expected, problem: 'events after this one were removed' };
  }
  return { ok: true, events: expected - 1, head: prev };
}
