import type { Updateable } from 'kysely';
import type { TaskView } from '@chorus/protocol/views';
import { appendAudit, type AuditEntry } from '../audit/chain.js';
import type { Db, Trx } from '../db/database.js';
import type { Task, TaskIntervention, TaskRatingRow, TasksTable } from '../db/schema.js';
import { allocateSeq, announceMessage, appendEvent, type Mutation } from '../events/log.js';
import { notFound } from '../http/errors.js';
import { viewOf } from '../messages/views.js';
import type { Actor } from '../policy/actor.js';
import { presentTask } from './presenters.js';

/** Write steps every task mutation shares. Each runs inside the caller's mutation. */

/** The task's row, locked for the rest of the transaction so concurrent claims and judgements queue. */
export async function lockTask(trx: Trx, taskId: string): Promise<Task> {
  const task = await trx.selectFrom('tasks').selectAll().where('id', '=', taskId).forUpdate().executeTakeFirst();
  if (!task) throw notFound('task');
  return task;
}

/** Changes the task's row and stamps `updated_at`. */
export async function updateTask(trx: Trx, taskId: string, changes: Omit<Updateable<TasksTable>, 'updated_at'>): Promise<Task> {
  return trx
    .updateTable('tasks')
    .set({ ...changes, updated_at: new Date() })
    .where('id', '=', taskId)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** The task's view as events carry it (no reader's own rating). A new task passes its empty interventions and ratings. */
export async function eventView(trx: Trx, task: Task, known: { interventions?: TaskIntervention[]; ratings?: TaskRatingRow[] } = {}): Promise<TaskView> {
  const interventions = known.interventions ?? (await interventionsOf(trx, [task.id]));
  const ratings = known.ratings ?? (await ratingsOf(trx, [task.id]));
  return presentTask(task, interventions, false, ratings);
}

/** Appends `task.created` or `task.updated` with the task's view; published after commit. */
export async function publishTask(
  m: Mutation,
  task: Task,
  type: 'task.created' | 'task.updated',
  actorId: string | null,
  options: { seq?: number; interventions?: TaskIntervention[]; ratings?: TaskRatingRow[] } = {},
): Promise<TaskView> {
  const view = await eventView(m.trx, task, options);
  await appendEvent(m, { orgId: task.org_id, channelId: task.channel_id, type, actorId, payload: { task: view }, ...(options.seq === undefined ? {} : { seq: options.seq }) });
  return view;
}

/** Every person's rating of these tasks. */
export async function ratingsOf(db: Db | Trx, taskIds: string[]): Promise<TaskRatingRow[]> {
  if (taskIds.length === 0) return [];
  return db.selectFrom('task_ratings').selectAll().where('task_id', 'in', taskIds).execute();
}

/** The interventions on these tasks, oldest first. */
export async function interventionsOf(db: Db | Trx, taskIds: string[]): Promise<TaskIntervention[]> {
  if (taskIds.length === 0) return [];
  return db.selectFrom('task_interventions').selectAll().where('task_id', 'in', taskIds).orderBy('created_at').orderBy('id').execute();
}

/** A task token stops working the moment its task is no longer running. */
export async function revokeTaskTokens(trx: Trx, taskId: string): Promise<void> {
  await trx.updateTable('task_tokens').set({ revoked_at: new Date() }).where('task_id', '=', taskId).where('revoked_at', 'is', null).execute();
}

/**
 * Says in the channel, for everyone to see, that the task failed for good.
 * A `system` message, written directly rather than through the send queue:
 * it must not join its author to the channel, and it wakes no agent.
 */
export async function announceFailure(m: Mutation, task: Task, reason: string): Promise<void> {
  const agent = await m.trx.selectFrom('members').select('display_name').where('id', '=', task.agent_id).executeTakeFirstOrThrow();
  const seq = await allocateSeq(m.trx, task.channel_id);
  const attempts = task.attempts === 1 ? '1 attempt' : `${task.attempts} attempts`;
  const outcome = task.attempts === 0 ? 'never started it' : `did not finish it after ${attempts}`;
  const message = await m.trx
    .insertInto('messages')
    .values({
      org_id: task.org_id,
      channel_id: task.channel_id,
      seq,
      author_id: task.agent_id,
      kind: 'system',
      body: `Task failed: ${agent.display_name} ${outcome} (${reason}).`,
      thread_root_id: null,
      task_id: task.id,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  announceMessage(m, task.org_id, await viewOf(m.trx, message));
}

/** Records a write on a task in the org's audit chain, in the same transaction. */
export async function auditTask(m: Mutation, task: Task, by: Actor | null, action: string, extra: Pick<AuditEntry, 'items' | 'details'> = {}): Promise<void> {
  await appendAudit(m.trx, task.org_id, [
    {
      actorId: by?.member.id ?? null,
      actorKind: by ? by.member.kind : 'system',
      action,
      targetType: 'task',
      targetId: task.id,
      channelId: task.channel_id,
      items: extra.items,
      details: extra.details,
      decision: 'allow',
    },
  ]);
}

/**
 * Fails for good every task the agent still holds, queued or running — in
 * `channelIds` only when given: an agent that is retired, or no longer in the
 * channel, will never take them. By `by` (the system when null), in the
 * caller's mutation; see `failTasks`.
 */
export async function failOpenTasks(m: Mutation, agentId: string, by: Actor | null, reason: string, channelIds?: readonly string[]): Promise<void> {
  if (channelIds?.length === 0) return;
  let query = m.trx.selectFrom('tasks').select('id').where('agent_id', '=', agentId).where('status', 'in', ['queued', 'running']);
  if (channelIds) query = query.where('channel_id', 'in', [...channelIds]);
  await failTasks(m, await query.orderBy('id').forUpdate().execute(), by, reason);
}

/** Fails for good every queued or running task of the channel: an archived channel takes no more work. */
export async function failChannelTasks(m: Mutation, channelId: string, by: Actor | null, reason: string): Promise<void> {
  const open = await m.trx.selectFrom('tasks').select('id').where('channel_id', '=', channelId).where('status', 'in', ['queued', 'running']).orderBy('id').forUpdate().execute();
  await failTasks(m, open, by, reason);
}

/**
 * Ends each task as an expired last lease ends it — its token revoked, a
 * `system` message in its channel, `task.updated`, the audit record.
 */
async function failTasks(m: Mutation, tasks: readonly { id: string }[], by: Actor | null, reason: string): Promise<void> {
  for (const { id } of tasks) {
    const task = await lockTask(m.trx, id);
    await revokeTaskTokens(m.trx, task.id);
    const failed = await updateTask(m.trx, task.id, { status: 'failed', lease_expires_at: null, failure_reason: reason, finished_at: new Date() });
    await announceFailure(m, failed, reason);
    await publishTask(m, failed, 'task.updated', by?.member.id ?? null);
    await auditTask(m, failed, by, 'task.fail', { details: { reason, attempt: task.attempts } });
  }
}
