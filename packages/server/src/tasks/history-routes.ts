import { Type } from 'typebox';
import { findAgent } from '../agents/service.js';
import type { AppContext } from '../context.js';
import type { App } from '../http/app-type.js';
import { requirePrincipal } from '../http/auth.js';
import { Closed, Uuid, commonErrors } from '../http/schemas.js';
import { enterOrg } from '../orgs/access.js';
import { enforce } from '../policy/decision.js';
import { canReadAgentWork, canReadInsights } from '../policy/task.js';
import { AgentStatsSchema, OrgInsightsSchema, TaskDetailSchema } from './presenters.js';
import { agentTasks, detailsFor } from './reads.js';
import { ListQuery } from './routes.js';
import { agentStats, orgInsights } from './stats.js';

const Days = Type.Optional(Type.Integer({ minimum: 1, maximum: 365, description: 'the window, in days back from now (30 by default)' }));
const AgentParams = Closed({ agentId: Uuid });

/** An agent's work history (its sponsor, org admins, the agent itself) and the org's intervention insights (org admins). */
export function taskHistoryRoutes(app: App, ctx: AppContext): void {
  async function agentWork(principal: ReturnType<typeof requirePrincipal>, agentId: string) {
    const agent = await findAgent(ctx, agentId);
    const actor = await enterOrg(ctx, principal, agent.org_id, 'agent');
    enforce(canReadAgentWork(actor, agent));
    return { agent, actor };
  }

  app.get(
    '/agents/:agentId/tasks',
    {
      schema: {
        tags: ['tasks'],
        summary: "The agent's tasks, newest first; messages only where the reader may read them",
        params: AgentParams,
        querystring: Closed({ ...ListQuery.properties, channel_id: Type.Optional(Uuid) }),
        response: { 200: Type.Object({ tasks: Type.Array(TaskDetailSchema) }), ...commonErrors },
      },
    },
    async (request) => {
      const { agent, actor } = await agentWork(requirePrincipal(request), request.params.agentId);
      const { channel_id, ...filter } = request.query;
      const tasks = await agentTasks(ctx, agent.id, { ...filter, channelId: channel_id, limit: filter.limit ?? 50 });
      return { tasks: await detailsFor(ctx, actor, tasks) };
    },
  );

  app.get(
    '/agents/:agentId/stats',
    {
      schema: {
        tags: ['tasks'],
        summary: "The agent's work history: tasks by status, time to done, rejection and redo rates, interventions; per channel and per day",
        params: AgentParams,
        querystring: Closed({ days: Days }),
        response: { 200: AgentStatsSchema, ...commonErrors },
      },
    },
    async (request) => {
      const { agent } = await agentWork(requirePrincipal(request), request.params.agentId);
      return agentStats(ctx, agent.id, request.query.days ?? 30);
    },
  );

  app.get(
    '/orgs/:orgId/insights/interventions',
    {
      schema: {
        tags: ['tasks'],
        summary: 'Where people intervene most in agent work: by channel, by agent, and the most-rejected agents',
        params: Closed({ orgId: Uuid }),
        querystring: Closed({ days: Days }),
        response: { 200: OrgInsightsSchema, ...commonErrors },
      },
    },
    async (request) => {
      const actor = await enterOrg(ctx, requirePrincipal(request), request.params.orgId);
      enforce(canReadInsights(actor));
      return orgInsights(ctx, request.params.orgId, request.query.days ?? 30);
    },
  );
}
