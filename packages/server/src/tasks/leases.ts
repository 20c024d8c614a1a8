import { mutate, type AppContext } from '../context.js';
import { announceFailure, auditTask, lockTask, publishTask, revokeTaskTokens, updateTask } from './writes.js';
import { every } from '../periodic.js';

/** What one sweep did. */
export interface LeaseSweep {
  requeued: string[];
  failed: string[];
}

/**
 * Ends the claims whose lease ran out: the task goes back to the queue while
 * it has attempts left, and otherwise fails, with a `system` message in its
 * channel saying so. The task's token is revoked either way. Each task is
 * handled in its own transaction under its row lock, after re-checking it, so
 * several nodes sweeping at once (or a heartbeat racing the sweep) agree.
 *
 * @example
 * // tests: expire a lease, then sweep, without waiting
 * await server.ctx.db.updateTable('tasks').set({ lease_expires_at: new Date(0) }).where('id', '=', id).execute();
 * await expireLeases(server.ctx);
 */
export async function expireLeases(ctx: AppContext, batch = 100): Promise<LeaseSweep> {
  const sweep: LeaseSweep = { requeued: [], failed: [] };
  const due = await ctx.db
    .selectFrom('tasks')
    .select('id')
    .where('status', '=', 'running')
    .where('lease_expires_at', '<', new Date())
    .orderBy('lease_expires_at')
    .limit(batch)
    .execute();
  for (const { id } of due) {
    await mutate(ctx, async (m) => {
      const task = await lockTask(m.trx, id);
      if (task.status !== 'running' || !task.lease_expires_at || task.lease_expires_at >= new Date()) return;
      await revokeTaskTokens(m.trx, task.id);
      const requeue = task.attempts < task.max_attempts;
      const reason = 'the lease expired';
      const next = requeue
        ? await updateTask(m.trx, task.id, { status: 'queued', lease_expires_at: null, failure_reason: reason })
        : await updateTask(m.trx, task.id, { status: 'failed', lease_expires_at: null, failure_reason: reason, finished_at: new Date() });
      if (!requeue) await announceFailure(m, next, reason);
      await publishTask(m, next, 'task.updated', null);
      await auditTask(m, next, null, requeue ? 'task.requeue' : 'task.fail', { details: { reason, attempt: task.attempts } });
      (requeue ? sweep.requeued : sweep.failed).push(task.id);
    });
  }
  return sweep;
}

/** Sweeps expired leases every `sweepSeconds` (0: never). The timer does not keep the process alive. */
export function startLeaseSweeper(ctx: AppContext): { stop(): Promise<void> } {
  return every(ctx.config.tasks.sweepSeconds, () => expireLeases(ctx), (err) => { ctx.log.error({ err }, 'task lease sweep failed'); });
}
