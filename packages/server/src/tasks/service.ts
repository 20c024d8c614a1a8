import { newToken } from '../accounts/secrets.js';
import { mutate, type AppContext } from '../context.js';
import type { Task } from '../db/schema.js';
import type { Mutation } from '../events/log.js';
import { conflict, notFound } from '../http/errors.js';
import { writeSends } from '../messages/send-batch.js';
import type { MessageView } from '../messages/presenters.js';
import { agentScopes } from '../policy/actor.js';
import type { ChannelAccess } from '../policy/channel.js';
import { enforce } from '../policy/decision.js';
import { canAssignTask, canClaimTask, canWorkOnTask, type TaskAccess } from '../policy/task.js';
import { agentsOnDuty, expectAssignment } from './mentions.js';
import { announceFailure, auditTask, lockTask, publishTask, revokeTaskTokens, updateTask } from './writes.js';

/** The agent side of a task: assignment, claim, heartbeat, completion and failure. */

/**
 * Assigns work to an agent on duty in the channel: posts the request message
 * as the caller and creates the task, in one transaction.
 */
export async function assignTask(
  ctx: AppContext,
  a: ChannelAccess,
  input: { agent_id: string; body: string; thread_root_id?: string | undefined },
): Promise<{ task: Task; request: MessageView }> {
  enforce(canAssignTask(a));
  const agent = await ctx.db.selectFrom('members').select(['id', 'kind']).where('id', '=', input.agent_id).where('org_id', '=', a.channel.org_id).executeTakeFirst();
  if (!agent || agent.kind !== 'agent') throw notFound('agent');
  if (agent.id === a.actor.member.id) throw conflict('self_assignment', 'An agent cannot assign a task to itself.');
  return mutate(ctx, async (m) => {
    const onDuty = await agentsOnDuty(m.trx, [a.channel.id]);
    if (!onDuty.some((d) => d.agent_id === agent.id)) {
      throw conflict('agent_unavailable', 'That agent cannot take work here: it must be an active member of the channel, with an active sponsor.');
    }
    expectAssignment(m, agent.id);
    const [outcome] = await writeSends(m, [{ actor: a.actor, channelId: a.channel.id, input: { body: input.body, thread_root_id: input.thread_root_id } }]);
    if (outcome?.kind !== 'stored') throw outcome?.kind === 'refused' ? outcome.error : new Error('unreachable: a send without client_msg_id is stored or refused');
    const task = await m.trx.selectFrom('tasks').selectAll().where('request_message_id', '=', outcome.message.id).where('agent_id', '=', agent.id).executeTakeFirst();
    if (!task) throw conflict('agent_unavailable', 'That agent stopped being able to take work here.');
    return { task, request: outcome.message };
  });
}

const leaseEnd = (ctx: AppContext) => new Date(Date.now() + ctx.config.tasks.leaseSeconds * 1000);

/**
 * The assigned agent claims a queued task: the task runs, its lease starts,
 * and a task token confined to the task's channel is minted. The token's
 * secret is returned here once; only its hash is kept.
 */
export async function claimTask(ctx: AppContext, t: TaskAccess): Promise<{ task: Task; token: string; expiresAt: Date }> {
  enforce(canClaimTask(t));
  const { token, hash } = newToken('cht');
  const expiresAt = leaseEnd(ctx);
  const task = await mutate(ctx, async (m) => {
    const current = await lockTask(m.trx, t.task.id);
    if (current.status !== 'queued') throw conflict('task_not_queued', `The task is ${current.status}; only a queued task can be claimed.`);
    const scopes = t.actor.scopes === 'all' ? [...agentScopes] : [...t.actor.scopes];
    const minted = await m.trx
      .insertInto('task_tokens')
      .values({ task_id: current.id, agent_id: current.agent_id, channel_id: current.channel_id, token_hash: hash, scopes, expires_at: expiresAt })
      .returning('id')
      .executeTakeFirstOrThrow();
    const claimed = await updateTask(m.trx, current.id, { status: 'running', attempts: current.attempts + 1, claimed_at: new Date(), lease_expires_at: expiresAt });
    await publishTask(m, claimed, 'task.updated', t.actor.member.id);
    await auditTask(m, claimed, t.actor, 'task.claim', { details: { attempt: claimed.attempts, token_id: minted.id, lease_expires_at: expiresAt.toISOString() } });
    return claimed;
  });
  return { task, token, expiresAt };
}

async function runningTask(m: Mutation, taskId: string): Promise<Task> {
  const current = await lockTask(m.trx, taskId);
  if (current.status !== 'running') throw conflict('task_not_running', `The task is ${current.status}, not running.`);
  return current;
}

/** Extends a running task's lease, and its task token with it. No event: the channel need not hear every heartbeat. */
export async function heartbeat(ctx: AppContext, t: TaskAccess): Promise<Task> {
  enforce(canWorkOnTask(t));
  const expiresAt = leaseEnd(ctx);
  return mutate(ctx, async (m) => {
    const current = await runningTask(m, t.task.id);
    await m.trx.updateTable('task_tokens').set({ expires_at: expiresAt }).where('task_id', '=', current.id).where('revoked_at', 'is', null).execute();
    return updateTask(m.trx, current.id, { lease_expires_at: expiresAt });
  });
}

/** The agent finishes: the task is done, optionally naming its result message (the agent's own, in the task's channel). */
export async function completeTask(ctx: AppContext, t: TaskAccess, input: { result_message_id?: string | undefined }): Promise<Task> {
  enforce(canWorkOnTask(t));
  return mutate(ctx, async (m) => {
    const current = await runningTask(m, t.task.id);
    if (input.result_message_id) {
      const result = await m.trx.selectFrom('messages').select(['id', 'author_id', 'deleted_at']).where('id', '=', input.result_message_id).where('channel_id', '=', current.channel_id).executeTakeFirst();
      if (!result || result.deleted_at) throw notFound('result_message');
      if (result.author_id !== current.agent_id) throw conflict('result_not_by_agent', "A task's result is a message its agent posted.");
      await m.trx.updateTable('messages').set({ task_id: current.id }).where('id', '=', result.id).execute();
    }
    await revokeTaskTokens(m.trx, current.id);
    const done = await updateTask(m.trx, current.id, {
      status: 'done',
      finished_at: new Date(),
      lease_expires_at: null,
      failure_reason: null,
      result_message_id: input.result_message_id ?? null,
    });
    await publishTask(m, done, 'task.updated', t.actor.member.id);
    await auditTask(m, done, t.actor, 'task.complete', { items: input.result_message_id ? [input.result_message_id] : [] });
    return done;
  });
}

/**
 * The agent gives up on this attempt. While attempts remain (and unless it
 * asks for no retry) the task goes back to the queue; otherwise it fails, and
 * the channel is told.
 */
export async function failTask(ctx: AppContext, t: TaskAccess, input: { reason: string; retry?: boolean | undefined }): Promise<Task> {
  enforce(canWorkOnTask(t));
  return mutate(ctx, async (m) => {
    const current = await runningTask(m, t.task.id);
    await revokeTaskTokens(m.trx, current.id);
    const requeue = input.retry !== false && current.attempts < current.max_attempts;
    const next = requeue
      ? await updateTask(m.trx, current.id, { status: 'queued', lease_expires_at: null, failure_reason: input.reason })
      : await updateTask(m.trx, current.id, { status: 'failed', lease_expires_at: null, failure_reason: input.reason, finished_at: new Date() });
    if (!requeue) await announceFailure(m, next, 'the agent gave up');
    await publishTask(m, next, 'task.updated', t.actor.member.id);
    await auditTask(m, next, t.actor, 'task.fail', { details: { reason: input.reason, requeued: requeue, attempt: current.attempts } });
    return next;
  });
}
