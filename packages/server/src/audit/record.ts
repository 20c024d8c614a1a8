import type { Trx } from '../db/database.js';
import type { Actor } from '../policy/actor.js';
import { appendAudit, type AuditEntry } from './chain.js';

/**
 * Records what an actor did, in the transaction that did it: the event is on
 * the record exactly when the change is.
 */
export function recordAction(trx: Trx, actor: Actor, action: string, entry: Omit<AuditEntry, 'actorId' | 'actorKind' | 'action' | 'decision'> = {}): Promise<void> {
  return appendAudit(trx, actor.member.org_id, [{ actorId: actor.member.id, actorKind: actor.member.kind, action, decision: 'allow', ...entry }]);
}
