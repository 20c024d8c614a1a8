import { Type } from 'typebox';
import type { AppContext } from '../context.js';
import type { App } from '../http/app-type.js';
import { requirePrincipal } from '../http/auth.js';
import { AppError } from '../http/errors.js';
import { Closed, DisplayName, Handle, Uuid, commonErrors } from '../http/schemas.js';
import { enterOrg } from '../orgs/access.js';
import { agentScopes } from '../policy/actor.js';
import { enforce } from '../policy/decision.js';
import { canReadDirectory } from '../policy/org.js';
import { AgentCardSchema, AgentStatusSchema, AgentTokenView, AgentView, presentAgent, presentToken } from './presenters.js';
import { createAgent, findAgent, issueToken, listAgents, listTokens, revokeToken, updateAgent } from './service.js';

const Description = Type.String({ maxLength: 2000 });
const ScopeSchema = Type.Union(agentScopes.map((s) => Type.Literal(s)));
const AgentParams = Closed({ agentId: Uuid });

export function agentRoutes(app: App, ctx: AppContext): void {
  /** The agent, and the caller as a member of the agent's org (a non-member is told the agent does not exist). */
  async function load(principal: ReturnType<typeof requirePrincipal>, agentId: string) {
    const agent = await findAgent(ctx, agentId);
    const actor = await enterOrg(ctx, principal, agent.org_id, 'agent');
    return { agent, actor };
  }

  app.post(
    '/orgs/:orgId/agents',
    {
      schema: {
        tags: ['agents'],
        summary: 'Create an agent; you become its sponsor',
        params: Closed({ orgId: Uuid }),
        body: Closed({ handle: Handle, display_name: DisplayName, description: Type.Optional(Description), card: Type.Optional(AgentCardSchema) }),
        response: { 201: Type.Object({ agent: AgentView }), ...commonErrors },
      },
    },
    async (request, reply) => {
      const actor = await enterOrg(ctx, requirePrincipal(request), request.params.orgId);
      return reply.status(201).send({ agent: presentAgent(await createAgent(ctx, actor, request.body)) });
    },
  );

  app.get(
    '/orgs/:orgId/agents',
    { schema: { tags: ['agents'], summary: "The org's agents", params: Closed({ orgId: Uuid }), response: { 200: Type.Object({ agents: Type.Array(AgentView) }), ...commonErrors } } },
    async (request) => {
      enforce(canReadDirectory(await enterOrg(ctx, requirePrincipal(request), request.params.orgId)));
      return { agents: (await listAgents(ctx, request.params.orgId)).map(presentAgent) };
    },
  );

  app.get(
    '/agents/me',
    {
      schema: {
        tags: ['agents'],
        summary: 'The agent this token belongs to (agent tokens and task tokens only), with the scopes the token holds',
        response: { 200: Type.Object({ agent: AgentView, scopes: Type.Array(Type.String()) }), ...commonErrors },
      },
    },
    async (request) => {
      const principal = requirePrincipal(request);
      if (principal.type !== 'agent') throw new AppError(403, 'agents_only', 'Only an agent token can ask who it is; people use GET /me.');
      return { agent: presentAgent(await findAgent(ctx, principal.agent.id)), scopes: [...principal.scopes] };
    },
  );

  app.get(
    '/agents/:agentId',
    { schema: { tags: ['agents'], summary: 'An agent and its capability card', params: AgentParams, response: { 200: Type.Object({ agent: AgentView }), ...commonErrors } } },
    async (request) => {
      const { agent, actor } = await load(requirePrincipal(request), request.params.agentId);
      enforce(canReadDirectory(actor));
      return { agent: presentAgent(agent) };
    },
  );

  app.patch(
    '/agents/:agentId',
    {
      schema: {
        tags: ['agents'],
        summary: 'Update, suspend or retire an agent (its sponsor or an admin)',
        params: AgentParams,
        body: Closed({
          display_name: Type.Optional(DisplayName),
          description: Type.Optional(Description),
          card: Type.Optional(AgentCardSchema),
          status: Type.Optional(AgentStatusSchema),
        }),
        response: { 200: Type.Object({ agent: AgentView }), ...commonErrors },
      },
    },
    async (request) => {
      const { agent, actor } = await load(requirePrincipal(request), request.params.agentId);
      return { agent: presentAgent(await updateAgent(ctx, actor, agent, request.body)) };
    },
  );

  app.post(
    '/agents/:agentId/tokens',
    {
      schema: {
        tags: ['agents'],
        summary: 'Issue an API token for the agent; the secret is shown once',
        params: AgentParams,
        body: Closed({
          name: Type.String({ minLength: 1, maxLength: 80 }),
          scopes: Type.Array(ScopeSchema, { minItems: 1, uniqueItems: true }),
          expires_in_days: Type.Optional(Type.Integer({ minimum: 1, maximum: 3650 })),
        }),
        response: { 201: Type.Object({ token: AgentTokenView, secret: Type.String() }), ...commonErrors },
      },
    },
    async (request, reply) => {
      const { agent, actor } = await load(requirePrincipal(request), request.params.agentId);
      const { token, secret } = await issueToken(ctx, actor, agent, request.body);
      return reply.status(201).send({ token: presentToken(token), secret });
    },
  );

  app.get(
    '/agents/:agentId/tokens',
    { schema: { tags: ['agents'], summary: "The agent's tokens (never their secrets)", params: AgentParams, response: { 200: Type.Object({ tokens: Type.Array(AgentTokenView) }), ...commonErrors } } },
    async (request) => {
      const { agent, actor } = await load(requirePrincipal(request), request.params.agentId);
      return { tokens: (await listTokens(ctx, actor, agent)).map(presentToken) };
    },
  );

  app.delete(
    '/agents/:agentId/tokens/:tokenId',
    { schema: { tags: ['agents'], summary: 'Revoke a token', params: Closed({ agentId: Uuid, tokenId: Uuid }), response: { 204: Type.Null(), ...commonErrors } } },
    async (request, reply) => {
      const { agent, actor } = await load(requirePrincipal(request), request.params.agentId);
      await revokeToken(ctx, actor, agent, request.params.tokenId);
      return reply.status(204).send(null);
    },
  );
}
