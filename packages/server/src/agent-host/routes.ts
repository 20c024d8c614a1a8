import { Type } from 'typebox';
import { findAgent } from '../agents/service.js';
import { AgentView, presentAgent } from '../agents/presenters.js';
import type { AppContext } from '../context.js';
import type { BuiltinAgent } from '../db/schema.js';
import type { App } from '../http/app-type.js';
import { requirePrincipal } from '../http/auth.js';
import { Closed, DisplayName, Handle, Timestamp, Uuid, commonErrors } from '../http/schemas.js';
import { enterOrg } from '../orgs/access.js';
import { createBuiltinAgent, listBuiltinAgents } from './service.js';

const LlmSchema = Closed({
  provider: Type.Union([Type.Literal('openai'), Type.Literal('anthropic')], { description: 'openai: any OpenAI-compatible chat-completions endpoint' }),
  model: Type.String({ minLength: 1, maxLength: 120 }),
  base_url: Type.Optional(Type.String({ format: 'uri', pattern: '^https?://', maxLength: 500 })),
  // Only variables meant for model keys: naming DATABASE_URL with a base_url of one's own would send it there.
  api_key_env: Type.String({
    pattern: '^(OPENAI_API_KEY|ANTHROPIC_API_KEY|CHORUS_LLM_[A-Z0-9_]{1,48})$',
    description: 'the environment variable on the agent host holding the API key: OPENAI_API_KEY, ANTHROPIC_API_KEY or CHORUS_LLM_* (the key is never stored)',
  }),
});

/** A built-in agent's configuration; never its token. */
const BuiltinView = Type.Object({
  agent_id: Type.String(),
  kind: Type.Union([Type.Literal('digest'), Type.Literal('llm')]),
  llm: Type.Union([LlmSchema, Type.Null()]),
  created_by: Type.String(),
  created_at: Timestamp,
});

function present(b: BuiltinAgent) {
  return { agent_id: b.agent_id, kind: b.kind, llm: b.config.llm ?? null, created_by: b.created_by, created_at: b.created_at.toISOString() };
}

/** Org admins add built-in agents, which the agent host runs (agent-host/host.ts). */
export function builtinAgentRoutes(app: App, ctx: AppContext): void {
  app.post(
    '/orgs/:orgId/builtin-agents',
    {
      schema: {
        tags: ['agents'],
        summary: 'Add a built-in agent (org admins): `digest` needs no model; `llm` answers with the configured model. You become its sponsor; the agent host starts it',
        params: Closed({ orgId: Uuid }),
        body: Closed({ kind: Type.Union([Type.Literal('digest'), Type.Literal('llm')]), handle: Handle, display_name: DisplayName, llm: Type.Optional(LlmSchema) }),
        response: { 201: Type.Object({ agent: AgentView, builtin: BuiltinView }), ...commonErrors },
      },
    },
    async (request, reply) => {
      const actor = await enterOrg(ctx, requirePrincipal(request), request.params.orgId);
      const builtin = await createBuiltinAgent(ctx, actor, request.body);
      return reply.status(201).send({ agent: presentAgent(await findAgent(ctx, builtin.agent_id)), builtin: present(builtin) });
    },
  );

  app.get(
    '/orgs/:orgId/builtin-agents',
    {
      schema: {
        tags: ['agents'],
        summary: "The org's built-in agents and their configuration (org admins)",
        params: Closed({ orgId: Uuid }),
        response: { 200: Type.Object({ builtin_agents: Type.Array(BuiltinView) }), ...commonErrors },
      },
    },
    async (request) => {
      const actor = await enterOrg(ctx, requirePrincipal(request), request.params.orgId);
      return { builtin_agents: (await listBuiltinAgents(ctx, actor)).map(present) };
    },
  );
}
