import { mutate, type AppContext } from '../context.js';
import type { Mutation } from '../events/log.js';
import type { AgentCard, AgentToken, MemberStatus } from '../db/schema.js';
import { newToken } from '../accounts/secrets.js';
import { badRequest, conflict, notFound } from '../http/errors.js';
import type { Actor, Scope } from '../policy/actor.js';
import { enforce } from '../policy/decision.js';
import { canCreateAgent, canEnterOrg, canManageAgent } from '../policy/org.js';
import { bumpReadersOfMembers } from '../channels/readers.js';
import { lockMembership } from '../orgs/access.js';
import { recordAction } from '../audit/record.js';
import { handleTaken } from '../orgs/handles.js';
import type { AgentRow } from './presenters.js';
import { presentMember } from '../orgs/presenters.js';
import { failOpenTasks } from '../tasks/writes.js';

function agentsQuery(ctx: AppContext) {
  return ctx.db
    .selectFrom('members')
    .innerJoin('agents', 'agents.member_id', 'members.id')
    .selectAll('members')
    .select(['agents.sponsor_id', 'agents.description', 'agents.card']);
}

export async function findAgent(ctx: AppContext, agentId: string): Promise<AgentRow> {
  const agent = await agentsQuery(ctx).where('members.id', '=', agentId).executeTakeFirst();
  if (!agent) throw notFound('agent');
  return agent;
}

export async function listAgents(ctx: AppContext, orgId: string): Promise<AgentRow[]> {
  return agentsQuery(ctx).where('members.org_id', '=', orgId).orderBy('members.handle').execute();
}

/** A card's commands are named once each: `/name` must say which of the agent's commands it means. */
export function checkCard(card: AgentCard | undefined): void {
  const names = (card?.commands ?? []).map((c) => c.name);
  const twice = names.find((name, i) => names.indexOf(name) !== i);
  if (twice !== undefined) throw badRequest('duplicate_command', `The card declares /${twice} more than once.`);
}

/** A person creates an agent and becomes its sponsor: the human accountable for it. */
export async function createAgent(
  ctx: AppContext,
  actor: Actor,
  input: { handle: string; display_name: string; description?: string | undefined; card?: AgentCard | undefined },
): Promise<AgentRow> {
  enforce(canCreateAgent(actor));
  checkCard(input.card);
  const id = await mutate(ctx, (m) => insertAgent(m, actor, input));
  return findAgent(ctx, id);
}

/** Writes a new agent member sponsored by the actor, in the caller's transaction; its id. */
export async function insertAgent(
  m: Mutation,
  actor: Actor,
  input: { handle: string; display_name: string; description?: string | undefined; card?: AgentCard | undefined },
): Promise<string> {
  await lockMembership(m.trx, actor.member.org_id);
  // Holds the sponsor's row so a deactivation running now waits, then suspends this agent too.
  const sponsor = await m.trx.selectFrom('members').selectAll().where('id', '=', actor.member.id).forShare().executeTakeFirstOrThrow();
  enforce(canEnterOrg({ ...actor, member: sponsor }));
  if (await handleTaken(m.trx, actor.member.org_id, input.handle)) {
    throw conflict('handle_taken', `The handle @${input.handle} is taken in this org.`);
  }
  const member = await m.trx
    .insertInto('members')
    .values({ org_id: actor.member.org_id, kind: 'agent', user_id: null, handle: input.handle, display_name: input.display_name, role: 'member', status: 'active' })
    .returning('id')
    .executeTakeFirstOrThrow();
  await m.trx
    .insertInto('agents')
    .values({ member_id: member.id, sponsor_id: actor.member.id, description: input.description ?? '', card: JSON.stringify(input.card ?? {}) })
    .execute();
  await recordAction(m.trx, actor, 'agent.created', { targetType: 'agent', targetId: member.id, details: { handle: input.handle } });
  return member.id;
}

export async function updateAgent(
  ctx: AppContext,
  actor: Actor,
  agent: AgentRow,
  input: { display_name?: string | undefined; description?: string | undefined; card?: AgentCard | undefined; status?: Extract<MemberStatus, 'active' | 'suspended' | 'retired'> | undefined },
): Promise<AgentRow> {
  enforce(canManageAgent(actor, agent.sponsor_id));
  checkCard(input.card);
  await mutate(ctx, async (m) => {
    // Rows are locked sponsor first, then agent: the order deactivating the sponsor takes them in.
    // Holding the sponsor's row makes a concurrent deactivation wait, then suspend this agent.
    const sponsor = input.status === 'active' ? await m.trx.selectFrom('members').select('status').where('id', '=', agent.sponsor_id).forShare().executeTakeFirstOrThrow() : null;
    const current = await m.trx.selectFrom('members').select('status').where('id', '=', agent.id).forUpdate().executeTakeFirstOrThrow();
    if (input.status && input.status !== current.status) {
      if (current.status === 'retired') throw conflict('agent_retired', 'A retired agent cannot be brought back.');
      if (sponsor && sponsor.status !== 'active') throw conflict('sponsor_inactive', "The agent's sponsor is not active; an admin must reassign or keep it suspended.");
      if (input.status === 'retired') {
        await m.trx.updateTable('agent_tokens').set({ revoked_at: new Date() }).where('agent_id', '=', agent.id).where('revoked_at', 'is', null).execute();
        await failOpenTasks(m, agent.id, actor, 'the agent was retired');
      }
    }
    const memberChanges = { ...(input.display_name ? { display_name: input.display_name } : {}), ...(input.status ? { status: input.status } : {}) };
    if (Object.keys(memberChanges).length > 0) {
      const member = await m.trx.updateTable('members').set(memberChanges).where('id', '=', agent.id).returningAll().executeTakeFirstOrThrow();
      // Directories everywhere show the new name or status (profiles/service.ts sends the same frame).
      m.signals.push({ kind: 'member', org_id: member.org_id, member: presentMember(member) });
    }
    // Only active agents read: the channels it serves gain or lose a reader.
    if (input.status && input.status !== current.status) await bumpReadersOfMembers(m.trx, agent.org_id, [agent.id], false);
    if (input.status === 'suspended' || input.status === 'retired') m.signals.push({ kind: 'access', member_ids: [agent.id], reason: input.status });
    await recordAction(m.trx, actor, input.status && input.status !== current.status ? `agent.${input.status === 'active' ? 'reactivated' : input.status}` : 'agent.updated', {
      targetType: 'agent',
      targetId: agent.id,
      details: { changed: Object.keys(input).filter((k) => input[k as keyof typeof input] !== undefined) },
    });
    const agentChanges = {
      ...(input.description !== undefined ? { description: input.description } : {}),
      ...(input.card ? { card: JSON.stringify(input.card) } : {}),
    };
    if (Object.keys(agentChanges).length > 0) await m.trx.updateTable('agents').set(agentChanges).where('member_id', '=', agent.id).execute();
  });
  return findAgent(ctx, agent.id);
}

/** Issues a token; the secret is returned once and only its hash is kept. */
export async function issueToken(
  ctx: AppContext,
  actor: Actor,
  agent: AgentRow,
  input: { name: string; scopes: Scope[]; expires_in_days?: number | undefined },
): Promise<{ token: AgentToken; secret: string }> {
  enforce(canManageAgent(actor, agent.sponsor_id));
  return mutate(ctx, (m) => insertToken(m, actor, agent.id, input));
}

/** Issues an agent token in the caller's transaction: the row, and the secret (shown once, stored as a hash). */
export async function insertToken(
  m: Mutation,
  actor: Actor,
  agentId: string,
  input: { name: string; scopes: Scope[]; expires_in_days?: number | undefined },
): Promise<{ token: AgentToken; secret: string }> {
  const { token: secret, hash } = newToken('cha');
  // Holding the agent's row makes a concurrent retirement wait, then revoke this token too.
  const current = await m.trx.selectFrom('members').select('status').where('id', '=', agentId).forShare().executeTakeFirstOrThrow();
  if (current.status === 'retired') throw conflict('agent_retired', 'A retired agent cannot get new tokens.');
  const token = await m.trx
    .insertInto('agent_tokens')
    .values({
      agent_id: agentId,
      name: input.name,
      token_hash: hash,
      scopes: [...new Set(input.scopes)],
      created_by: actor.member.id,
      expires_at: input.expires_in_days ? new Date(Date.now() + input.expires_in_days * 86400_000) : null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  await recordAction(m.trx, actor, 'agent.token_issued', { targetType: 'agent_token', targetId: token.id, details: { agent_id: agentId, scopes: token.scopes, expires_at: token.expires_at?.toISOString() ?? null } });
  return { token, secret };
}

export async function listTokens(ctx: AppContext, actor: Actor, agent: AgentRow): Promise<AgentToken[]> {
  enforce(canManageAgent(actor, agent.sponsor_id));
  return ctx.db.selectFrom('agent_tokens').selectAll().where('agent_id', '=', agent.id).orderBy('created_at', 'desc').execute();
}

export async function revokeToken(ctx: AppContext, actor: Actor, agent: AgentRow, tokenId: string): Promise<void> {
  enforce(canManageAgent(actor, agent.sponsor_id));
  await mutate(ctx, async (m) => {
    const result = await m.trx
      .updateTable('agent_tokens')
      .set({ revoked_at: new Date() })
      .where('id', '=', tokenId)
      .where('agent_id', '=', agent.id)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) {
      const exists = await m.trx.selectFrom('agent_tokens').select('id').where('id', '=', tokenId).where('agent_id', '=', agent.id).executeTakeFirst();
      if (!exists) throw notFound('token');
      return; // already revoked
    }
    // The task tokens it claimed with go too: a revoked credential must not live on through its tasks.
    const tasks = await m.trx.updateTable('task_tokens').set({ revoked_at: new Date() }).where('agent_id', '=', agent.id).where('revoked_at', 'is', null).returning('id').execute();
    await recordAction(m.trx, actor, 'agent.token_revoked', { targetType: 'agent_token', targetId: tokenId, items: tasks.map((t) => t.id), details: { agent_id: agent.id } });
    m.signals.push({ kind: 'access', member_ids: [agent.id], reason: 'token_revoked', credential_id: tokenId });
  });
}
