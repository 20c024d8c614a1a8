import type { AppContext } from '../context.js';
import type { Task, TaskStatus } from '../db/schema.js';
import { viewsOf } from '../messages/views.js';
import type { Actor } from '../policy/actor.js';
import { recordAgentRead } from '../audit/agent-reads.js';
import { visibleMessages } from '../messages/history.js';
import { canReadMessages, type ChannelAccess } from '../policy/channel.js';
import { presentTask, type TaskDetail } from './presenters.js';
import { interventionsOf, ratingsOf } from './writes.js';

export interface TaskFilter {
  status?: TaskStatus | undefined;
  /** Tasks created before this instant (paging back through a list). */
  before?: string | undefined;
  limit: number;
}

/**
 * Shapes tasks for one reader: a few queries, plus one per channel the tasks
 * are in. A task's messages are included only where the channel's read path
 * (`visibleMessages`: the read policy, the history floor and the channel's
 * rules for agents) serves them to this reader, and an agent's read of them is
 * audited; in a channel the reader cannot read, the task's free text is left out too.
 */
export async function detailsFor(ctx: AppContext, reader: Actor, tasks: Task[], known?: ChannelAccess): Promise<TaskDetail[]> {
  if (tasks.length === 0) return [];
  const channelIds = [...new Set(tasks.map((t) => t.channel_id))];
  const accessByChannel = new Map<string, ChannelAccess>();
  if (known && channelIds.length === 1 && channelIds[0] === known.channel.id && known.actor.member.id === reader.member.id) {
    accessByChannel.set(known.channel.id, known);
  } else {
    const [channels, memberships] = await Promise.all([
      ctx.db.selectFrom('channels').selectAll().where('id', 'in', channelIds).execute(),
      ctx.db.selectFrom('channel_members').selectAll().where('channel_id', 'in', channelIds).where('member_id', '=', reader.member.id).execute(),
    ]);
    for (const channel of channels) accessByChannel.set(channel.id, { actor: reader, channel, membership: memberships.find((mm) => mm.channel_id === channel.id) ?? null });
  }
  const readable = new Map([...accessByChannel].filter(([, access]) => canReadMessages(access).allowed));

  // Each channel's messages through the one read path (history floor, the channel's read rules).
  const now = new Date();
  const served = await Promise.all(
    [...readable].map(async ([channelId, access]) => {
      const ids = [...new Set(tasks.filter((t) => t.channel_id === channelId).flatMap((t) => [t.request_message_id, t.result_message_id]).filter((id): id is string => id !== null))];
      const rows = ids.length > 0 ? await visibleMessages(ctx, access, now).where('id', 'in', ids).execute() : [];
      if (rows.length > 0) await recordAgentRead(ctx, access, 'agent.messages.read', rows.map((r) => r.id), { via: 'tasks' });
      return rows;
    }),
  );
  const taskIds = tasks.map((t) => t.id);
  const [interventions, ratings, views] = await Promise.all([interventionsOf(ctx.db, taskIds), ratingsOf(ctx.db, taskIds), viewsOf(ctx.db, served.flat())]);
  const viewById = new Map(views.map((v) => [v.id, v]));
  return tasks.map((t) => ({
    task: presentTask(t, interventions, !readable.has(t.channel_id), ratings, reader.member.id),
    request: (t.request_message_id && viewById.get(t.request_message_id)) || null,
    result: (t.result_message_id && viewById.get(t.result_message_id)) || null,
  }));
}

function filtered(ctx: AppContext, f: TaskFilter) {
  let q = ctx.db.selectFrom('tasks').selectAll();
  if (f.status) q = q.where('status', '=', f.status);
  if (f.before) q = q.where('created_at', '<', new Date(f.before));
  return q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(f.limit);
}

export async function channelTasks(ctx: AppContext, channelId: string, f: TaskFilter): Promise<Task[]> {
  return filtered(ctx, f).where('channel_id', '=', channelId).execute();
}

export async function agentTasks(ctx: AppContext, agentId: string, f: TaskFilter & { channelId?: string | undefined }): Promise<Task[]> {
  let q = filtered(ctx, f).where('agent_id', '=', agentId);
  if (f.channelId) q = q.where('channel_id', '=', f.channelId);
  return q.execute();
}
