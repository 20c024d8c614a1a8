import { sql } from 'kysely';
import type { Trx } from '../db/database.js';
import type { Message, TaskOrigin } from '../db/schema.js';
import { allocateSeq, type Mutation } from '../events/log.js';
import { enqueueTaskDeliveries } from '../integrations/outgoing.js';
import { findInvocations } from './commands.js';
import { publishTask } from './writes.js';

/**
 * Agents that can take work in these channels: active agent members that are
 * not read-only observers, whose sponsor is active too. An integration's
 * member (an incoming webhook posts as it) takes no work.
 */
export async function agentsOnDuty(trx: Trx, channelIds: string[]): Promise<{ channel_id: string; agent_id: string }[]> {
  if (channelIds.length === 0) return [];
  return trx
    .selectFrom('channel_members')
    .innerJoin('members', 'members.id', 'channel_members.member_id')
    .innerJoin('agents', 'agents.member_id', 'members.id')
    .innerJoin('members as sponsors', 'sponsors.id', 'agents.sponsor_id')
    .select(['channel_members.channel_id', 'members.id as agent_id'])
    .where('channel_members.channel_id', 'in', channelIds)
    .where('channel_members.role', '<>', 'observer')
    .where('members.kind', '=', 'agent')
    .where('members.status', '=', 'active')
    .where('sponsors.status', '=', 'active')
    .where(sql<string | null>`agents.card->>'integration'`, 'is', null)
    .orderBy('members.id')
    .execute();
}

/** The agent an assignment's request message is for, by the mutation that writes it. */
const assignments = new WeakMap<Mutation, string>();

/**
 * Marks the one message this mutation sends as an assignment to `agentId`: the
 * task the message creates for that agent has origin `assignment`, mentioned or not.
 */
export function expectAssignment(m: Mutation, agentId: string): void {
  assignments.set(m, agentId);
}

/**
 * Creates the tasks that freshly written messages ask for, in their
 * transaction: one per mentioned agent (`@agents`: every agent) that is on
 * duty in the channel, never for the author itself, and one for the agent a
 * `/command` invokes (origin `command`, see `commands.ts`). Only chat messages
 * that agents may see ask: a `system` notice or a humans-only message wakes no
 * one. A batch in which no message mentions a member or `@agents` or starts
 * with `/` costs no query.
 */
export async function createTasksFromMessages(m: Mutation, messages: Message[], mentionIds: ReadonlyMap<string, string[]>): Promise<void> {
  const assigned = assignments.get(m);
  const invoked = new Map((await findInvocations(m.trx, messages)).map((i) => [i.message.id, i]));
  const asking = messages.filter(
    (msg) =>
      msg.kind === 'chat' &&
      msg.audience !== 'humans' &&
      (assigned !== undefined || msg.mentions_agents || (mentionIds.get(msg.id)?.length ?? 0) > 0 || invoked.has(msg.id)),
  );
  if (asking.length === 0) return;
  const onDuty = await agentsOnDuty(m.trx, [...new Set(asking.map((msg) => msg.channel_id))]);
  const rows = asking.flatMap((msg) => {
    const mentioned = new Set(mentionIds.get(msg.id) ?? []);
    const invocation = invoked.get(msg.id);
    return onDuty
      .filter(
        (d) =>
          d.channel_id === msg.channel_id &&
          d.agent_id !== msg.author_id &&
          (d.agent_id === assigned || msg.mentions_agents || mentioned.has(d.agent_id) || d.agent_id === invocation?.agent_id),
      )
      .map((d) => {
        const command = d.agent_id === invocation?.agent_id ? invocation : undefined;
        const origin: TaskOrigin = d.agent_id === assigned ? 'assignment' : command ? 'command' : 'mention';
        // The agent works in the request's thread, or in a new thread under the request.
        const thread_root_id = msg.thread_root_id ?? msg.id;
        return {
          origin,
          org_id: msg.org_id,
          channel_id: msg.channel_id,
          agent_id: d.agent_id,
          requester_id: msg.author_id,
          request_message_id: msg.id,
          thread_root_id,
          command: command?.command ?? null,
          command_args: command?.args ?? null,
        };
      });
  });
  if (rows.length === 0) return;
  const tasks = await m.trx.insertInto('tasks').values(rows).returningAll().execute();
  // One seq reservation per channel, then the events in task order.
  const byChannel = new Map<string, typeof tasks>();
  for (const task of tasks) byChannel.set(task.channel_id, [...(byChannel.get(task.channel_id) ?? []), task]);
  for (const [channelId, channelTasks] of [...byChannel].sort(([x], [y]) => (x < y ? -1 : 1))) {
    const first = await allocateSeq(m.trx, channelId, channelTasks.length);
    for (const [i, task] of channelTasks.entries()) await publishTask(m, task, 'task.created', task.requester_id, { seq: first + i, interventions: [], ratings: [] });
  }
  // Outgoing webhooks: the deliveries are written with the tasks (the outbox), sent after commit by the worker.
  await enqueueTaskDeliveries(m, tasks, asking);
}
