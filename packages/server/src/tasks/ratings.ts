import { mutate, type AppContext } from '../context.js';
import type { Task } from '../db/schema.js';
import { appendEvent, type Mutation } from '../events/log.js';
import { notFound } from '../http/errors.js';
import { enforce } from '../policy/decision.js';
import { canJudgeTask, canWithdrawRating, type TaskAccess } from '../policy/task.js';
import { judgeable } from './interventions.js';
import { auditTask, eventView, lockTask } from './writes.js';

/**
 * People rating an agent's result, 1 to 5 with an optional comment: one rating
 * per person and task, replaced by a new one, withdrawn by its author. Who may
 * rate is who may judge the result (the requester, the channel's moderators,
 * org admins; never an agent). Each change is audited and sent to the channel
 * as `task.rated`, whose view carries the new average and count but nobody's
 * score or comment.
 */

export interface RatingInput {
  score: number;
  comment?: string | undefined;
}

async function publishRating(m: Mutation, task: Task, t: TaskAccess): Promise<void> {
  const view = await eventView(m.trx, task);
  await appendEvent(m, { orgId: task.org_id, channelId: task.channel_id, type: 'task.rated', actorId: t.actor.member.id, payload: { task: view, rated_by: t.actor.member.id } });
}

export async function rateTask(ctx: AppContext, t: TaskAccess, input: RatingInput): Promise<Task> {
  enforce(canJudgeTask(t));
  const comment = input.comment?.trim() || null;
  return mutate(ctx, async (m) => {
    const task = await lockTask(m.trx, t.task.id);
    judgeable(task, ['done', 'rejected'], 'rated');
    await m.trx
      .insertInto('task_ratings')
      .values({ task_id: task.id, member_id: t.actor.member.id, score: input.score, comment })
      .onConflict((oc) => oc.columns(['task_id', 'member_id']).doUpdateSet({ score: input.score, comment, updated_at: new Date() }))
      .execute();
    await publishRating(m, task, t);
    await auditTask(m, task, t.actor, 'task.rated', { details: comment === null ? { score: input.score } : { score: input.score, comment } });
    return task;
  });
}

/** Withdraws the caller's own rating; `404 rating_not_found` when there is none. */
export async function unrateTask(ctx: AppContext, t: TaskAccess): Promise<Task> {
  enforce(canWithdrawRating(t));
  return mutate(ctx, async (m) => {
    const task = await lockTask(m.trx, t.task.id);
    const removed = await m.trx.deleteFrom('task_ratings').where('task_id', '=', task.id).where('member_id', '=', t.actor.member.id).returning('score').executeTakeFirst();
    if (!removed) throw notFound('rating');
    await publishRating(m, task, t);
    await auditTask(m, task, t.actor, 'task.unrated', { details: { score: removed.score } });
    return task;
  });
}
