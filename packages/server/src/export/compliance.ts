import { sql } from 'kysely';
import { appendAudit, type AuditEntry } from '../audit/chain.js';
import type { Db } from '../db/database.js';
import type { Scope } from './entities.js';
import { columnsOf, jsonRows, type RowQuery } from './rows.js';

/**
 * A compliance export (docs/BACKUP.md): what was said and what agents did in a
 * time range, for an org or one channel, as JSON Lines. Each line is
 * `{"kind": "message" | "task" | "agent_audit", "data": {…the row…}}`:
 * messages created in the range (tombstones included: a deleted message shows
 * that and when it was deleted), agents' tasks created in it, and the audit
 * events whose actor is an agent (every read and write it made).
 */

export interface ComplianceRange {
  from: Date;
  to: Date;
}

function queries(scope: Scope, range: ComplianceRange): { kind: string; q: RowQuery }[] {
  const inScope = scope.kind === 'org' ? sql`t.org_id = ${scope.orgId}` : sql`t.org_id = ${scope.orgId} and t.channel_id = ${scope.channelId}`;
  const within = sql`t.created_at >= ${range.from} and t.created_at < ${range.to}`;
  return [
    { kind: 'message', q: { table: 'messages', where: sql`${inScope} and ${within}`, order: ['created_at', 'id'] } },
    { kind: 'task', q: { table: 'tasks', where: sql`${inScope} and ${within}`, order: ['created_at', 'id'] } },
    { kind: 'agent_audit', q: { table: 'audit_events', where: sql`${inScope} and ${within} and t.actor_kind = 'agent'`, order: ['seq'] } },
  ];
}

/**
 * The lines, from one snapshot. `recordedAs` is who asked (the audit entry is
 * written before the first line, so an export that fails half way is on record too).
 */
export async function* complianceLines(db: Db, scope: Scope, range: ComplianceRange, recordedAs: Pick<AuditEntry, 'actorId' | 'actorKind'>): AsyncGenerator<string> {
  await db.transaction().execute((trx) =>
    appendAudit(trx, scope.orgId, [
      {
        ...recordedAs,
        action: 'compliance.exported',
        channelId: scope.kind === 'channel' ? scope.channelId : null,
        decision: 'allow',
        details: { from: range.from.toISOString(), to: range.to.toISOString(), channel_id: scope.kind === 'channel' ? scope.channelId : null },
      },
    ]),
  );
  const trx = await db.startTransaction().setIsolationLevel('repeatable read').setAccessMode('read only').execute();
  let complete = false;
  try {
    await sql`set local timezone = 'UTC'`.execute(trx);
    for (const { kind, q } of queries(scope, range)) {
      const columns = await columnsOf(trx, q.table);
      for await (const row of jsonRows(trx, q, columns)) yield `{"kind":${JSON.stringify(kind)},"data":${row}}\n`;
    }
    complete = true;
  } finally {
    // Also when the reader stops early (a client that hangs up): the connection goes back to the pool.
    await (complete ? trx.commit() : trx.rollback()).execute();
  }
}
