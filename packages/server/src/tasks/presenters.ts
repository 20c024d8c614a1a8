import { Type } from 'typebox';
import type { InterventionView, TaskRating, TaskView } from '@chorus/protocol/views';
import type { Task, TaskIntervention, TaskRatingRow } from '../db/schema.js';
import { Nullable, Timestamp } from '../http/schemas.js';
import { MessageViewSchema, type MessageView } from '../messages/presenters.js';

export const TaskStatusSchema = Type.Union([Type.Literal('queued'), Type.Literal('running'), Type.Literal('done'), Type.Literal('failed'), Type.Literal('rejected')]);
export const InterventionKindSchema = Type.Union([Type.Literal('reject'), Type.Literal('redo'), Type.Literal('edit')]);

export const InterventionViewSchema = Type.Object({
  id: Type.String(),
  member_id: Type.String(),
  kind: InterventionKindSchema,
  reason: Nullable(Type.String()),
  created_at: Timestamp,
});

export const TaskRatingSchema = Type.Object({
  average: Nullable(Type.Number({ minimum: 1, maximum: 5 })),
  count: Type.Integer({ minimum: 0 }),
  mine: Nullable(Type.Object({ score: Type.Integer({ minimum: 1, maximum: 5 }), comment: Nullable(Type.String()), updated_at: Timestamp })),
});

export const TaskViewSchema = Type.Object({
  id: Type.String(),
  org_id: Type.String(),
  channel_id: Type.String(),
  agent_id: Type.String(),
  requester_id: Type.String(),
  origin: Type.Union([Type.Literal('mention'), Type.Literal('assignment'), Type.Literal('command')]),
  status: TaskStatusSchema,
  request_message_id: Nullable(Type.String()),
  thread_root_id: Nullable(Type.String()),
  result_message_id: Nullable(Type.String()),
  attempts: Type.Integer(),
  max_attempts: Type.Integer(),
  lease_expires_at: Nullable(Timestamp),
  failure_reason: Nullable(Type.String()),
  command: Nullable(Type.String()),
  command_args: Nullable(Type.String()),
  created_at: Timestamp,
  claimed_at: Nullable(Timestamp),
  finished_at: Nullable(Timestamp),
  updated_at: Timestamp,
  interventions: Type.Array(InterventionViewSchema),
  rating: TaskRatingSchema,
});

/** A task with the messages it names, each present only when the reader may read it. */
export const TaskDetailSchema = Type.Object({ task: TaskViewSchema, request: Nullable(MessageViewSchema), result: Nullable(MessageViewSchema) });

export interface TaskDetail {
  task: TaskView;
  request: MessageView | null;
  result: MessageView | null;
}

/**
 * Free text written in a channel (a failure reason, a person's reason for a
 * rejection) is channel content: `redact` drops it for a reader who cannot
 * read the channel, such as a sponsor looking at the agent's work history.
 */
export function presentIntervention(i: TaskIntervention, redact = false): InterventionView {
  return { id: i.id, member_id: i.member_id, kind: i.kind, reason: redact ? null : i.reason, created_at: i.created_at.toISOString() };
}

/**
 * A task's ratings for one reader: the mean of every person's score (two decimals) and their number,
 * and the reader's own. `readerId` null (an event's view, which every reader gets alike) leaves `mine` null.
 */
export function presentRating(ratings: readonly TaskRatingRow[], readerId: string | null): TaskRating {
  const sum = ratings.reduce((total, r) => total + r.score, 0);
  const mine = readerId === null ? undefined : ratings.find((r) => r.member_id === readerId);
  return {
    average: ratings.length === 0 ? null : Math.round((sum / ratings.length) * 100) / 100,
    count: ratings.length,
    mine: mine ? { score: mine.score, comment: mine.comment, updated_at: mine.updated_at.toISOString() } : null,
  };
}

/**
 * The one shape of a task: REST answers and `task.*` events carry the same view. `ratings` may hold
 * other tasks' ratings too; only this task's count.
 */
export function presentTask(t: Task, interventions: TaskIntervention[], redact = false, ratings: readonly TaskRatingRow[] = [], readerId: string | null = null): TaskView {
  return {
    id: t.id,
    org_id: t.org_id,
    channel_id: t.channel_id,
    agent_id: t.agent_id,
    requester_id: t.requester_id,
    origin: t.origin,
    status: t.status,
    request_message_id: t.request_message_id,
    thread_root_id: t.thread_root_id,
    result_message_id: t.result_message_id,
    attempts: t.attempts,
    max_attempts: t.max_attempts,
    lease_expires_at: t.lease_expires_at?.toISOString() ?? null,
    failure_reason: redact ? null : t.failure_reason,
    command: t.command,
    command_args: redact ? null : t.command_args,
    created_at: t.created_at.toISOString(),
    claimed_at: t.claimed_at?.toISOString() ?? null,
    finished_at: t.finished_at?.toISOString() ?? null,
    updated_at: t.updated_at.toISOString(),
    interventions: interventions.filter((i) => i.task_id === t.id).map((i) => presentIntervention(i, redact)),
    rating: presentRating(ratings.filter((r) => r.task_id === t.id), readerId),
  };
}

const Count = Type.Integer({ minimum: 0 });
const Rate = Nullable(Type.Number({ minimum: 0, maximum: 1 }));
const Window = Type.Object({ days: Type.Integer(), since: Timestamp });
const ByKind = { reject: Count, redo: Count, edit: Count };
const RatingFigures = Type.Object({ average: Nullable(Type.Number({ minimum: 1, maximum: 5 })), count: Count });

const FiguresProperties = {
  tasks: Count,
  by_status: Type.Object({ queued: Count, running: Count, done: Count, failed: Count, rejected: Count }),
  time_to_done: Type.Object({ median_seconds: Nullable(Type.Number()), p90_seconds: Nullable(Type.Number()) }),
  delivered: Count,
  rejection_rate: Rate,
  redo_rate: Rate,
  interventions: Type.Object(ByKind),
  rating: RatingFigures,
};

/** GET /agents/:agentId/stats (definitions in stats.ts). */
export const AgentStatsSchema = Type.Object({
  agent_id: Type.String(),
  window: Window,
  totals: Type.Object(FiguresProperties),
  channels: Type.Array(Type.Object({ channel_id: Type.String(), ...FiguresProperties })),
  days: Type.Array(Type.Object({ day: Type.String(), created: Count, done: Count, failed: Count, rejected: Count, interventions: Count, rating: RatingFigures })),
});

/** GET /orgs/:orgId/insights/interventions. */
export const OrgInsightsSchema = Type.Object({
  window: Window,
  by_channel: Type.Array(Type.Object({ channel_id: Type.String(), interventions: Count, ...ByKind })),
  by_agent: Type.Array(Type.Object({ agent_id: Type.String(), interventions: Count, ...ByKind })),
  most_rejected: Type.Array(Type.Object({ agent_id: Type.String(), rejected_tasks: Count, delivered: Count, rejection_rate: Type.Number() })),
});
