import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AppContext } from '../context.js';
import type { Member, User } from '../db/schema.js';
import { hashToken, tokenKind } from '../accounts/secrets.js';
import { agentScopes, type Actor, type Boundary, type Scope } from '../policy/actor.js';
import { forbidden, unauthorized } from './errors.js';
import { recordDeadToken, type DeadToken } from '../audit/denials.js';

const agentsNotAllowed = () => forbidden('agents_not_allowed', "This endpoint needs a person's session, not an agent token.");

/** Who sent the request, before we know which org it is about. */
export type Principal =
  | { type: 'user'; user: User; sessionId: string }
  | { type: 'agent'; agent: Member; tokenId: string; scopes: ReadonlySet<Scope>; boundary?: Boundary };

/** What a route accepts: no credentials, a person's session only, or a session or an agent token. */
export type AuthMode = 'none' | 'user' | 'any';

declare module 'fastify' {
  interface FastifyContextConfig {
    auth?: AuthMode;
  }
  interface FastifyRequest {
    principal: Principal | null;
  }
}

function bearer(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  if (!header) return null;
  const [scheme, token] = header.split(' ');
  return scheme?.toLowerCase() === 'bearer' && token ? token : null;
}

export async function resolvePrincipal(ctx: AppContext, token: string): Promise<Principal | null> {
  const kind = tokenKind(token);
  const hash = hashToken(token);
  if (kind === 'chs') {
    const row = await ctx.db
      .selectFrom('sessions')
      .innerJoin('users', 'users.id', 'sessions.user_id')
      .selectAll('users')
      .select(['sessions.id as session_id'])
      .where('sessions.token_hash', '=', hash)
      .where('sessions.expires_at', '>', new Date())
      .executeTakeFirst();
    if (!row) return null;
    const { session_id, ...user } = row;
    return { type: 'user', user, sessionId: session_id };
  }
  if (kind === 'cha') {
    const row = await ctx.db
      .selectFrom('agent_tokens')
      .innerJoin('members', 'members.id', 'agent_tokens.agent_id')
      .selectAll('members')
      .select(['agent_tokens.id as token_id', 'agent_tokens.scopes'])
      .where('agent_tokens.token_hash', '=', hash)
      .where('agent_tokens.revoked_at', 'is', null)
      .where((eb) => eb.or([eb('agent_tokens.expires_at', 'is', null), eb('agent_tokens.expires_at', '>', new Date())]))
      .executeTakeFirst();
    if (!row) return null;
    const { token_id, scopes, ...agent } = row;
    const known = new Set<string>(agentScopes);
    return { type: 'agent', agent, tokenId: token_id, scopes: new Set(scopes.filter((s): s is Scope => known.has(s))) };
  }
  if (kind === 'cht') {
    // A task token: the agent, confined to its task's channel until the token expires.
    const row = await ctx.db
      .selectFrom('task_tokens')
      .innerJoin('members', 'members.id', 'task_tokens.agent_id')
      .innerJoin('tasks', 'tasks.id', 'task_tokens.task_id')
      .selectAll('members')
      .select(['task_tokens.id as token_id', 'task_tokens.scopes', 'task_tokens.task_id', 'task_tokens.channel_id as boundary_channel_id', 'tasks.thread_root_id'])
      .where('task_tokens.token_hash', '=', hash)
      .where('task_tokens.revoked_at', 'is', null)
      .where('task_tokens.expires_at', '>', new Date())
      .executeTakeFirst();
    if (!row) return null;
    const { token_id, scopes, task_id, boundary_channel_id, thread_root_id, ...agent } = row;
    const known = new Set<string>(agentScopes);
    return {
      type: 'agent',
      agent,
      tokenId: token_id,
      scopes: new Set(scopes.filter((s): s is Scope => known.has(s))),
      boundary: { taskId: task_id, channelId: boundary_channel_id, threadRootId: thread_root_id },
    };
  }
  return null;
}

/**
 * Whose agent or task token `token` was, when it is one that has expired or
 * been revoked (an unknown token names no one): the refusal then says why, and
 * is recorded against the agent (audit/denials.ts).
 */
export async function deadAgentToken(ctx: AppContext, token: string): Promise<DeadToken | null> {
  const kind = tokenKind(token);
  const hash = hashToken(token);
  if (kind === 'cha') {
    const row = await ctx.db
      .selectFrom('agent_tokens')
      .innerJoin('members', 'members.id', 'agent_tokens.agent_id')
      .select(['members.id', 'members.org_id', 'agent_tokens.id as token_id', 'agent_tokens.revoked_at'])
      .where('agent_tokens.token_hash', '=', hash)
      .executeTakeFirst();
    if (!row) return null;
    return { agent: { id: row.id, org_id: row.org_id }, kind: 'agent_token', tokenId: row.token_id, reason: row.revoked_at ? 'token_revoked' : 'token_expired' };
  }
  if (kind === 'cht') {
    const row = await ctx.db
      .selectFrom('task_tokens')
      .innerJoin('members', 'members.id', 'task_tokens.agent_id')
      .select(['members.id', 'members.org_id', 'task_tokens.id as token_id', 'task_tokens.revoked_at', 'task_tokens.task_id', 'task_tokens.channel_id'])
      .where('task_tokens.token_hash', '=', hash)
      .executeTakeFirst();
    if (!row) return null;
    return {
      agent: { id: row.id, org_id: row.org_id },
      kind: 'task_token',
      tokenId: row.token_id,
      reason: row.revoked_at ? 'token_revoked' : 'token_expired',
      taskId: row.task_id,
      channelId: row.channel_id,
    };
  }
  return null;
}

/** What a refused dead token is told. */
export function deadTokenMessage(dead: DeadToken): string {
  if (dead.kind === 'task_token') {
    return dead.reason === 'token_revoked'
      ? 'This task token was revoked: its task ended or was taken back, or the agent was suspended. Use your agent token.'
      : "This task token has expired: its task's claim lapsed. Claim the task again for a new one.";
  }
  return dead.reason === 'token_revoked' ? 'This agent token was revoked. Ask its sponsor for a new one.' : 'This agent token has expired. Ask its sponsor for a new one.';
}

/**
 * Authenticates every request whose route does not say `auth: 'none'`.
 * Secure by default: a route that forgets to declare its mode requires credentials.
 */
export function registerAuth(app: FastifyInstance, ctx: AppContext): void {
  app.decorateRequest('principal', null);
  app.addHook('onRequest', async (request) => {
    const mode = request.routeOptions.config.auth ?? 'any';
    if (mode === 'none' || request.is404) return;
    const token = bearer(request);
    if (!token) throw unauthorized();
    const principal = await resolvePrincipal(ctx, token);
    if (!principal) {
      const dead = await deadAgentToken(ctx, token);
      if (dead) await recordDeadToken(ctx, dead, `${request.method} ${request.routeOptions.url ?? ''}`);
      throw unauthorized(dead ? deadTokenMessage(dead) : 'The token is invalid, expired or revoked.');
    }
    // Known before a refusal, so that an agent's refused attempt is audited (audit/denials.ts).
    request.principal = principal;
    if (mode === 'user' && principal.type !== 'user') throw agentsNotAllowed();
  });
}

export function requirePrincipal(request: FastifyRequest): Principal {
  if (!request.principal) throw unauthorized();
  return request.principal;
}

export function requireUser(request: FastifyRequest): Extract<Principal, { type: 'user' }> {
  const p = requirePrincipal(request);
  if (p.type !== 'user') throw agentsNotAllowed();
  return p;
}

/** The principal as a member of `orgId`, or null when it is not one. */
export async function actorIn(ctx: AppContext, principal: Principal, orgId: string): Promise<Actor | null> {
  if (principal.type === 'agent') {
    if (principal.agent.org_id !== orgId) return null;
    return principal.boundary ? { member: principal.agent, scopes: principal.scopes, boundary: principal.boundary } : { member: principal.agent, scopes: principal.scopes };
  }
  const member = await ctx.db
    .selectFrom('members')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('user_id', '=', principal.user.id)
    .executeTakeFirst();
  return member ? { member, scopes: 'all' } : null;
}
