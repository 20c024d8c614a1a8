import type { AppContext } from '../context.js';
import type { Trx } from '../db/database.js';
import type { Member } from '../db/schema.js';
import { isAgent, type Actor } from '../policy/actor.js';
import type { ChannelAccess } from '../policy/channel.js';
import { appendAudit } from './chain.js';

/** The audited kinds of agent read: the context bundle; history, threads, messages and pins read directly; channel docs; experience; search; files (metadata, lists, download links). */
export type AgentReadAction = 'agent.context.read' | 'agent.messages.read' | 'agent.docs.read' | 'agent.experience.read' | 'agent.search' | 'agent.files.read';

/**
 * Records what an agent was served — every item's id, in the order served —
 * in the org's audit chain, in a transaction of its own, before the answer
 * leaves: a read that cannot be recorded is not served (DESIGN §2.4). People's
 * reads are not recorded here.
 *
 * @example
 *   await recordAgentRead(ctx, a, 'agent.messages.read', page.messages.map((m) => m.id));
 */
export async function recordAgentRead(
  ctx: AppContext,
  a: ChannelAccess,
  action: AgentReadAction,
  items: string[],
  details?: Record<string, unknown>,
): Promise<void> {
  if (!isAgent(a.actor)) return;
  await ctx.db.transaction().execute((trx) => appendAgentRead(trx, a, action, items, details));
}

/** {@link recordAgentRead} within a transaction the caller holds (one commit for the record and what goes with it). */
export async function appendAgentRead(trx: Trx, a: ChannelAccess, action: AgentReadAction, items: string[], details?: Record<string, unknown>): Promise<void> {
  if (!isAgent(a.actor)) return;
  const boundary = a.actor.boundary;
  const recorded = { ...(boundary ? { task_id: boundary.taskId } : {}), ...details };
  await appendAudit(trx, a.channel.org_id, [
    {
      actorId: a.actor.member.id,
      actorKind: 'agent',
      action,
      targetType: 'channel',
      targetId: a.channel.id,
      channelId: a.channel.id,
      items,
      decision: 'allow',
      details: Object.keys(recorded).length > 0 ? recorded : null,
    },
  ]);
}

/**
 * Records an agent's refused read (DESIGN §2.4: denied attempts, with the rule
 * that denied them) in the agent's own org: the channel it named may be hidden
 * from it, or not exist, so the id is kept as the target only.
 */
export async function recordAgentReadDenied(ctx: AppContext, agent: Member, action: AgentReadAction, channelId: string, reason: string, taskId?: string): Promise<void> {
  await ctx.db.transaction().execute((trx) =>
    appendAudit(trx, agent.org_id, [
      { actorId: agent.id, actorKind: 'agent', action, targetType: 'channel', targetId: channelId, decision: 'deny', reason, details: taskId ? { task_id: taskId } : null },
    ]),
  );
}

/**
 * Records an agent's search (`agent.search`) with the ids of the hits it was
 * served, in order, the query and filters, and with a task token the task and
 * its channel, before the answer leaves. The target is the org: a search spans
 * channels. People's searches are not recorded.
 */
export async function recordAgentSearch(ctx: AppContext, actor: Actor, orgId: string, items: string[], details: Record<string, unknown>): Promise<void> {
  if (!isAgent(actor)) return;
  const boundary = actor.boundary;
  await ctx.db.transaction().execute((trx) =>
    appendAudit(trx, orgId, [
      {
        actorId: actor.member.id,
        actorKind: 'agent',
        action: 'agent.search',
        targetType: 'org',
        targetId: orgId,
        channelId: boundary?.channelId ?? null,
        items,
        decision: 'allow',
        details: { ...details, ...(boundary ? { task_id: boundary.taskId } : {}) },
      },
    ]),
  );
}

/** Records an agent's refused search in its own org, with the rule that refused it. */
export async function recordAgentSearchDenied(ctx: AppContext, agent: Member, reason: string, taskId?: string): Promise<void> {
  await ctx.db.transaction().execute((trx) =>
    appendAudit(trx, agent.org_id, [
      { actorId: agent.id, actorKind: 'agent', action: 'agent.search', targetType: 'org', targetId: agent.org_id, decision: 'deny', reason, details: taskId ? { task_id: taskId } : null },
    ]),
  );
}
