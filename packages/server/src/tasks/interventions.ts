import { mutate, type AppContext } from '../context.js';
import type { InterventionKind, Task, TaskIntervention } from '../db/schema.js';
import { allocateSeq, appendEvent, type Mutation } from '../events/log.js';
import { conflict } from '../http/errors.js';
import type { MessageView } from '../messages/presenters.js';
import { writeMentions } from '../messages/service.js';
import { viewOf } from '../messages/views.js';
import { enforce } from '../policy/decision.js';
import { canJudgeTask, type TaskAccess } from '../policy/task.js';
import { auditTask, lockTask, publishTask, updateTask } from './writes.js';

/**
 * People judging an agent's result: rejecting it, asking for a redo, or
 * correcting it. Each is recorded on the task as a human intervention, sent
 * to the channel as `task.updated`, and written to the audit chain.
 */

/** A result exists to judge once the agent finished; a rejected result can still be redone, corrected or rated. */
export function judgeable(task: Task, allowed: readonly Task['status'][], what: string): void {
  if (!allowed.includes(task.status)) throw conflict('task_not_done', `The task is ${task.status}; only a finished result can be ${what}.`);
}

async function record(m: Mutation, t: TaskAccess, task: Task, kind: InterventionKind, reason: string | null, items: string[] = []): Promise<TaskIntervention> {
  const intervention = await m.trx.insertInto('task_interventions').values({ task_id: task.id, member_id: t.actor.member.id, kind, reason }).returningAll().executeTakeFirstOrThrow();
  await publishTask(m, task, 'task.updated', t.actor.member.id);
  await auditTask(m, task, t.actor, `task.${kind}`, { items, details: reason === null ? null : { reason } });
  return intervention;
}

export async function rejectTask(ctx: AppContext, t: TaskAccess, reason: string): Promise<{ task: Task; intervention: TaskIntervention }> {
  enforce(canJudgeTask(t));
  return mutate(ctx, async (m) => {
    const current = await lockTask(m.trx, t.task.id);
    judgeable(current, ['done'], 'rejected');
    const task = await updateTask(m.trx, current.id, { status: 'rejected' });
    return { task, intervention: await record(m, t, task, 'reject', reason) };
  });
}

/** Back to the queue for a fresh round of attempts; the agent hears it as `task.updated` with status `queued`. */
export async function redoTask(ctx: AppContext, t: TaskAccess, reason: string | null): Promise<{ task: Task; intervention: TaskIntervention }> {
  enforce(canJudgeTask(t));
  return mutate(ctx, async (m) => {
    const current = await lockTask(m.trx, t.task.id);
    judgeable(current, ['done', 'rejected'], 'redone');
    const task = await updateTask(m.trx, current.id, { status: 'queued', attempts: 0, lease_expires_at: null, finished_at: null, failure_reason: null, result_message_id: null });
    // The ratings were of the result that is now being redone.
    await m.trx.deleteFrom('task_ratings').where('task_id', '=', task.id).execute();
    return { task, intervention: await record(m, t, task, 'redo', reason) };
  });
}

/**
 * Corrects the agent's result in place: the result message gets the new body
 * (its mentions follow it), and the channel sees `message.edited`.
 */
export async function editResult(ctx: AppContext, t: TaskAccess, body: string, reason: string | null): Promise<{ task: Task; message: MessageView; intervention: TaskIntervention }> {
  enforce(canJudgeTask(t));
  return mutate(ctx, async (m) => {
    // Locks in the order every task write takes them: the task, the channel (as sends do), then the message.
    const task = await lockTask(m.trx, t.task.id);
    judgeable(task, ['done', 'rejected'], 'edited');
    if (!task.result_message_id) throw conflict('task_has_no_result', 'The agent named no result message for this task.');
    const seq = await allocateSeq(m.trx, t.channel.id);
    const current = await m.trx.selectFrom('messages').select('deleted_at').where('id', '=', task.result_message_id).forUpdate().executeTakeFirstOrThrow();
    if (current.deleted_at) throw conflict('message_deleted', 'The result message was deleted.');
    const edited = await m.trx.updateTable('messages').set({ body, edited_at: new Date() }).where('id', '=', task.result_message_id).returningAll().executeTakeFirstOrThrow();
    const flags = await writeMentions(m.trx, edited);
    const final = await m.trx
      .updateTable('messages')
      .set({ mentions_all: flags.channel, mentions_here: flags.here, mentions_agents: flags.agents })
      .where('id', '=', edited.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    const message = await viewOf(m.trx, final);
    await appendEvent(m, { orgId: final.org_id, channelId: final.channel_id, seq, type: 'message.edited', actorId: t.actor.member.id, payload: { message } });
    const touched = await updateTask(m.trx, task.id, {});
    return { task: touched, message, intervention: await record(m, t, touched, 'edit', reason, [final.id]) };
  });
}
