import { Type } from 'typebox';
import { accessChannel } from '../channels/access.js';
import type { AppContext } from '../context.js';
import type { App } from '../http/app-type.js';
import { requirePrincipal, type Principal } from '../http/auth.js';
import { AppError, notFound } from '../http/errors.js';
import { Closed, Timestamp, Uuid, commonErrors } from '../http/schemas.js';
import type { Task } from '../db/schema.js';
import { MessageViewSchema } from '../messages/presenters.js';
import { maxBodyLength } from '../messages/service.js';
import { canReadMessages, canSee, type ChannelAccess } from '../policy/channel.js';
import type { Decision } from '../policy/decision.js';
import { canReadTask, canSeeTask, type TaskAccess } from '../policy/task.js';
import { editResult, redoTask, rejectTask } from './interventions.js';
import { InterventionViewSchema, TaskDetailSchema, TaskStatusSchema, TaskViewSchema, presentIntervention } from './presenters.js';
import { channelTasks, detailsFor } from './reads.js';
import { rateTask, unrateTask } from './ratings.js';
import { assignTask, claimTask, completeTask, failTask, heartbeat } from './service.js';
import { postingRateLimit } from '../http/rate-limits.js';

const Body = Type.String({ minLength: 1, maxLength: maxBodyLength, pattern: '\\S', description: 'markdown; not only whitespace' });
const Reason = Type.String({ minLength: 1, maxLength: 2000, pattern: '\\S' });
const TaskParams = Closed({ taskId: Uuid });
export const ListQuery = Closed({
  status: Type.Optional(TaskStatusSchema),
  before: Type.Optional(Timestamp),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
});
/** A task with its channel access, as routes load it. */
type Loaded = ChannelAccess & { task: Task };
const Judged = Type.Object({ task: TaskViewSchema, intervention: InterventionViewSchema });
const Rating = Closed({
  score: Type.Integer({ minimum: 1, maximum: 5, description: 'a whole number from 1 (poor) to 5 (excellent)' }),
  comment: Type.Optional(Type.String({ maxLength: 1000, description: 'why; at most 1,000 characters' })),
});

/** Tasks: assignment, the agent's claim → heartbeat → complete | fail, people's judgements, and reads. */
export function taskRoutes(app: App, ctx: AppContext): void {
  /**
   * The task and the caller's access to its channel, checked by `rule` before anything else is read.
   * Tasks in channels the caller may not see are 404s.
   */
  async function load(principal: Principal, taskId: string, rule: (t: TaskAccess) => Decision): Promise<Loaded> {
    const task = await ctx.db.selectFrom('tasks').selectAll().where('id', '=', taskId).executeTakeFirst();
    if (!task) throw notFound('task');
    const a = await accessChannel(ctx, principal, task.channel_id, (access) => rule({ ...access, task })).catch((error: unknown) => {
      throw error instanceof AppError && error.code === 'channel_not_found' ? notFound('task') : error;
    });
    return { ...a, task };
  }
  const detail = async (t: Loaded, task = t.task) => {
    const [one] = await detailsFor(ctx, t.actor, [task], t);
    if (!one) throw notFound('task');
    return one;
  };

  app.post(
    '/channels/:channelId/tasks',
    {
      config: {
        rateLimit: postingRateLimit(ctx.config),
      },
      schema: {
        tags: ['tasks'],
        summary: 'Assign work to an agent: posts the request as you and creates its task',
        params: Closed({ channelId: Uuid }),
        body: Closed({ agent_id: Uuid, body: Body, thread_root_id: Type.Optional(Uuid) }),
        response: { 201: TaskDetailSchema, ...commonErrors },
      },
    },
    async (request, reply) => {
      const a = await accessChannel(ctx, requirePrincipal(request), request.params.channelId, canSee);
      const { task } = await assignTask(ctx, a, request.body);
      return reply.status(201).send(await detail({ ...a, task }));
    },
  );

  app.get(
    '/channels/:channelId/tasks',
    { schema: { tags: ['tasks'], summary: "The channel's tasks, newest first", params: Closed({ channelId: Uuid }), querystring: ListQuery, response: { 200: Type.Object({ tasks: Type.Array(TaskDetailSchema) }), ...commonErrors } } },
    async (request) => {
      const a = await accessChannel(ctx, requirePrincipal(request), request.params.channelId, canReadMessages);
      const tasks = await channelTasks(ctx, a.channel.id, { ...request.query, limit: request.query.limit ?? 50 });
      return { tasks: await detailsFor(ctx, a.actor, tasks, a) };
    },
  );

  app.get(
    '/tasks/:taskId',
    { schema: { tags: ['tasks'], summary: 'A task, its request and its result', params: TaskParams, response: { 200: TaskDetailSchema, ...commonErrors } } },
    async (request) => detail(await load(requirePrincipal(request), request.params.taskId, canReadTask)),
  );

  app.post(
    '/tasks/:taskId/claim',
    {
      schema: {
        tags: ['tasks'],
        summary: "Claim a queued task (the assigned agent, with its own token): a task token for the task's channel, shown once",
        params: TaskParams,
        response: { 200: Type.Object({ ...TaskDetailSchema.properties, token: Type.String(), token_expires_at: Timestamp }), ...commonErrors },
      },
    },
    async (request) => {
      const t = await load(requirePrincipal(request), request.params.taskId, canSeeTask);
      const { task, token, expiresAt } = await claimTask(ctx, t);
      return { ...(await detail(t, task)), token, token_expires_at: expiresAt.toISOString() };
    },
  );

  app.post(
    '/tasks/:taskId/heartbeat',
    { schema: { tags: ['tasks'], summary: 'Extend the lease of a running task (and its task token)', params: TaskParams, response: { 200: TaskDetailSchema, ...commonErrors } } },
    async (request) => {
      const t = await load(requirePrincipal(request), request.params.taskId, canSeeTask);
      return detail(t, await heartbeat(ctx, t));
    },
  );

  app.post(
    '/tasks/:taskId/complete',
    {
      schema: {
        tags: ['tasks'],
        summary: 'Finish a running task, naming the result message',
        params: TaskParams,
        body: Closed({ result_message_id: Type.Optional(Uuid) }),
        response: { 200: TaskDetailSchema, ...commonErrors },
      },
    },
    async (request) => {
      const t = await load(requirePrincipal(request), request.params.taskId, canSeeTask);
      return detail(t, await completeTask(ctx, t, request.body));
    },
  );

  app.post(
    '/tasks/:taskId/fail',
    {
      schema: {
        tags: ['tasks'],
        summary: 'Give up this attempt: requeued while attempts remain (unless retry is false), else failed',
        params: TaskParams,
        body: Closed({ reason: Reason, retry: Type.Optional(Type.Boolean()) }),
        response: { 200: TaskDetailSchema, ...commonErrors },
      },
    },
    async (request) => {
      const t = await load(requirePrincipal(request), request.params.taskId, canSeeTask);
      return detail(t, await failTask(ctx, t, request.body));
    },
  );

  app.post(
    '/tasks/:taskId/reject',
    { schema: { tags: ['tasks'], summary: "Reject the agent's result, with a reason", params: TaskParams, body: Closed({ reason: Reason }), response: { 200: Judged, ...commonErrors } } },
    async (request) => {
      const t = await load(requirePrincipal(request), request.params.taskId, canSeeTask);
      const { task, intervention } = await rejectTask(ctx, t, request.body.reason);
      return { task: (await detail(t, task)).task, intervention: presentIntervention(intervention) };
    },
  );

  app.post(
    '/tasks/:taskId/redo',
    { schema: { tags: ['tasks'], summary: 'Send a finished task back to the agent', params: TaskParams, body: Closed({ reason: Type.Optional(Reason) }), response: { 200: Judged, ...commonErrors } } },
    async (request) => {
      const t = await load(requirePrincipal(request), request.params.taskId, canSeeTask);
      const { task, intervention } = await redoTask(ctx, t, request.body.reason ?? null);
      return { task: (await detail(t, task)).task, intervention: presentIntervention(intervention) };
    },
  );

  app.put(
    '/tasks/:taskId/result',
    {
      schema: {
        tags: ['tasks'],
        summary: "Correct the agent's result message (the requester or a moderator)",
        params: TaskParams,
        body: Closed({ body: Body, reason: Type.Optional(Reason) }),
        response: { 200: Type.Object({ task: TaskViewSchema, message: MessageViewSchema, intervention: InterventionViewSchema }), ...commonErrors },
      },
    },
    async (request) => {
      const t = await load(requirePrincipal(request), request.params.taskId, canSeeTask);
      const { task, message, intervention } = await editResult(ctx, t, request.body.body, request.body.reason ?? null);
      return { task: (await detail(t, task)).task, message, intervention: presentIntervention(intervention) };
    },
  );

  app.put(
    '/tasks/:taskId/rating',
    {
      schema: {
        tags: ['tasks'],
        summary: "Rate the agent's finished result from 1 to 5, with an optional comment (those who may judge it); replaces your rating",
        params: TaskParams,
        body: Rating,
        response: { 200: Type.Object({ task: TaskViewSchema }), ...commonErrors },
      },
    },
    async (request) => {
      const t = await load(requirePrincipal(request), request.params.taskId, canSeeTask);
      return { task: (await detail(t, await rateTask(ctx, t, request.body))).task };
    },
  );

  app.delete(
    '/tasks/:taskId/rating',
    { schema: { tags: ['tasks'], summary: 'Withdraw your rating of the result', params: TaskParams, response: { 200: Type.Object({ task: TaskViewSchema }), ...commonErrors } } },
    async (request) => {
      const t = await load(requirePrincipal(request), request.params.taskId, canSeeTask);
      return { task: (await detail(t, await unrateTask(ctx, t))).task };
    },
  );
}
