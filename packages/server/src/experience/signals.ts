import type { ExperienceView } from '@chorus/protocol/experience';
import { mutate, type AppContext } from '../context.js';
import type { ExperienceOutcome, ExperienceVote } from '../db/schema.js';
import type { Principal } from '../http/auth.js';
import { actorIn } from '../http/auth.js';
import { badRequest, conflict, notFound } from '../http/errors.js';
import type { Actor } from '../policy/actor.js';
import { canReportOutcome, canVoteEntry } from '../policy/experience.js';
import { accessEntry } from './access.js';
import { publishEntry, viewOf } from './service.js';

/**
 * The quality record (DESIGN §2.3): people endorse or flag (one vote each,
 * changeable; a flag says why), agents report whether an entry helped in a
 * task they hold (one report per task and entry). Negative signals stamp
 * `last_negative_at`, which puts a poorly scored entry back in review.
 */

export async function vote(ctx: AppContext, principal: Principal, entryId: string, input: { vote: ExperienceVote; reason?: string | undefined }): Promise<ExperienceView> {
  if (input.vote === 'flag' && !input.reason?.trim()) throw badRequest('reason_required', 'A flag says what is wrong with the entry.');
  const entry = await mutate(ctx, async (m) => {
    const { entry: current, actor } = await accessEntry(ctx, principal, entryId, canVoteEntry, m.trx);
    const now = new Date();
    await m.trx
      .insertInto('experience_votes')
      .values({ entry_id: current.id, member_id: actor.member.id, vote: input.vote, reason: input.reason ?? null, created_at: now })
      .onConflict((oc) => oc.columns(['entry_id', 'member_id']).doUpdateSet({ vote: input.vote, reason: input.reason ?? null, created_at: now }))
      .execute();
    const row =
      input.vote === 'flag'
        ? await m.trx.updateTable('experience_entries').set({ last_negative_at: now }).where('id', '=', current.id).returningAll().executeTakeFirstOrThrow()
        : current;
    await publishEntry(m, row, actor, { changed: ['quality'] });
    return row;
  });
  return viewOf(ctx, entry);
}

export async function unvote(ctx: AppContext, principal: Principal, entryId: string): Promise<void> {
  await mutate(ctx, async (m) => {
    const { entry, actor } = await accessEntry(ctx, principal, entryId, canVoteEntry, m.trx);
    const removed = await m.trx.deleteFrom('experience_votes').where('entry_id', '=', entry.id).where('member_id', '=', actor.member.id).executeTakeFirst();
    if (removed.numDeletedRows === 0n) throw notFound('vote');
    await publishEntry(m, entry, actor, { changed: ['quality'] });
  });
}

/**
 * An agent's outcome after using the entry in a task it holds. The entry is
 * judged as the task's channel reads it: an agent cannot report on what its
 * task could not have been served.
 */
export async function report(
  ctx: AppContext,
  principal: Principal,
  entryId: string,
  input: { task_id: string; outcome: ExperienceOutcome; note?: string | undefined },
): Promise<ExperienceView> {
  const entry = await mutate(ctx, async (m) => {
    const task = await m.trx.selectFrom('tasks').selectAll().where('id', '=', input.task_id).executeTakeFirst();
    const probe = await m.trx.selectFrom('experience_entries').select('org_id').where('id', '=', entryId).executeTakeFirst();
    const actor = probe ? await actorIn(ctx, principal, probe.org_id) : null;
    if (!probe || !actor) throw notFound('experience');
    // Within the task: its channel is the boundary, whichever token the agent holds.
    const asInTask: Actor = task ? { ...actor, boundary: { taskId: task.id, channelId: task.channel_id, threadRootId: task.thread_root_id } } : actor;
    const { entry: current } = await accessEntry(ctx, actor.boundary || !task ? actor : asInTask, entryId, (e) => canReportOutcome(e, task && task.org_id === probe.org_id ? task : null), m.trx);
    const now = new Date();
    const inserted = await m.trx
      .insertInto('experience_reports')
      .values({ entry_id: current.id, task_id: input.task_id, agent_id: actor.member.id, outcome: input.outcome, note: input.note ?? null, created_at: now })
      .onConflict((oc) => oc.columns(['entry_id', 'task_id']).doNothing())
      .returning('task_id')
      .executeTakeFirst();
    if (!inserted) throw conflict('already_reported', 'This task already reported on this entry.');
    const row =
      input.outcome === 'unhelpful'
        ? await m.trx.updateTable('experience_entries').set({ last_negative_at: now }).where('id', '=', current.id).returningAll().executeTakeFirstOrThrow()
        : current;
    await publishEntry(m, row, actor, { changed: ['quality'] });
    return row;
  });
  return viewOf(ctx, entry);
}
