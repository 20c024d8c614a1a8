import { insertAgent, insertToken, checkCard } from '../agents/service.js';
import { recordAction } from '../audit/record.js';
import { mutate, type AppContext } from '../context.js';
import type { AgentCard, BuiltinAgent, BuiltinAgentKind, LlmConfig } from '../db/schema.js';
import { badRequest } from '../http/errors.js';
import { OutboundRules } from '../outbound/rules.js';
import type { Actor } from '../policy/actor.js';
import { enforce } from '../policy/decision.js';
import { canManageOrg } from '../policy/org.js';

/** What a built-in agent of each kind declares in its card. */
export function builtinCard(kind: BuiltinAgentKind, llm?: LlmConfig): AgentCard {
  if (kind === 'digest') {
    return {
      skills: ['digest'],
      version: '1',
      commands: [{ name: 'digest', description: 'Summarise this channel or thread: key messages, decisions, open questions, who said what', arg_hint: '[24h | 7d | thread]' }],
    };
  }
  return { skills: ['answer'], version: '1', ...(llm ? { model: llm.model } : {}), commands: [{ name: 'ask', description: 'Ask the agent; it answers from this channel’s context with sources', arg_hint: '<question>' }] };
}

export interface BuiltinInput {
  kind: BuiltinAgentKind;
  handle: string;
  display_name: string;
  llm?: LlmConfig | undefined;
}

/**
 * An org admin adds a built-in agent: an ordinary agent member (the admin is
 * its sponsor) with an agent token whose secret is kept for the agent host,
 * all in one transaction. The host is told after commit and starts it.
 */
export async function createBuiltinAgent(ctx: AppContext, actor: Actor, input: BuiltinInput): Promise<BuiltinAgent> {
  enforce(canManageOrg(actor));
  if (input.kind === 'llm' && !input.llm) throw badRequest('llm_config_required', 'An llm agent needs `llm`: its provider, model and the environment variable holding its API key.');
  if (input.kind === 'digest' && input.llm) throw badRequest('llm_config_unexpected', 'The digest agent uses no model: leave out `llm`.');
  const refused = input.llm?.base_url && URL.canParse(input.llm.base_url) ? new OutboundRules(ctx.config.outbound.allow).refusalForUrl(new URL(input.llm.base_url)) : null;
  if (refused) throw badRequest('internal_url', refused);
  const card = builtinCard(input.kind, input.llm);
  checkCard(card);
  return mutate(ctx, async (m) => {
    const description = input.kind === 'digest' ? 'Built-in: summarises a channel or thread on /digest, without a model.' : `Built-in: answers from the channel's context with ${input.llm?.provider ?? 'a model'}.`;
    const agentId = await insertAgent(m, actor, { handle: input.handle, display_name: input.display_name, description, card });
    const { token, secret } = await insertToken(m, actor, agentId, { name: 'agent host', scopes: ['messages:read', 'messages:write', 'channels:read', 'context:read'] });
    const row = await m.trx
      .insertInto('builtin_agents')
      .values({ agent_id: agentId, org_id: actor.member.org_id, kind: input.kind, config: JSON.stringify(input.llm ? { llm: input.llm } : {}), token_secret: secret, token_id: token.id, created_by: actor.member.id })
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordAction(m.trx, actor, 'agent.builtin_created', { targetType: 'agent', targetId: agentId, details: { kind: input.kind, ...(input.llm ? { provider: input.llm.provider, model: input.llm.model } : {}) } });
    m.signals.push({ kind: 'builtin_agents' });
    return row;
  });
}

export async function listBuiltinAgents(ctx: AppContext, actor: Actor): Promise<BuiltinAgent[]> {
  enforce(canManageOrg(actor));
  return ctx.db.selectFrom('builtin_agents').selectAll().where('org_id', '=', actor.member.org_id).orderBy('created_at').execute();
}
