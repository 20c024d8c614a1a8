import type { FastifyError, FastifyRequest } from 'fastify';
import type { AppContext } from '../context.js';
import type { Actor } from '../policy/actor.js';
import { AppError, describeError } from '../http/errors.js';
import { appendAudit, type AuditEntry } from './chain.js';

/**
 * Every refused attempt by an agent is on the record with the rule that
 * refused it (DESIGN §2.4): one place, the HTTP error path, records any
 * refusal answered to an agent's token —
 * - 403/404 as `agent.denied`: the route, what it named, the channel when the
 *   id names one of the agent's org, and the code (the rule);
 * - bad input (400: malformed, invalid; 409 conflicts; 413: oversized bodies
 *   and chunks; 415) as `agent.rejected`, the same way, with the error code;
 * - 401 for a token that was the agent's but has expired or been revoked (a
 *   task token past its claim) as `agent.rejected` ({@link recordDeadToken});
 *   an unknown token names no one and is not recorded.
 * Paths that record their own, more specific denial (the context API, refused
 * sources) mark the error with {@link denialRecorded} so it is recorded once.
 * Rate limits (429) are not recorded: writing a row per refused request would
 * undo the limit. Server errors (500) are the server's, not the agent's.
 */

const recorded = new WeakSet<Error>();

/** Marks a denial already recorded by the path that refused it. */
export function denialRecorded<E extends Error>(error: E): E {
  recorded.add(error);
  return error;
}

const idParams = [
  ['channelId', 'channel'],
  ['messageId', 'message'],
  ['taskId', 'task'],
  ['agentId', 'agent'],
  ['memberId', 'member'],
  ['tokenId', 'agent_token'],
  ['orgId', 'org'],
] as const;

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The channel an id names, when it is one of the org's (a hidden channel's id stays the target only otherwise). */
async function channelNamed(ctx: AppContext, orgId: string, type: string, id: string): Promise<string | null> {
  if (!uuid.test(id)) return null;
  const table = type === 'channel' ? 'channels' : type === 'message' ? 'messages' : type === 'task' ? 'tasks' : null;
  if (!table) return null;
  const row =
    table === 'channels'
      ? await ctx.db.selectFrom('channels').select('id as channel_id').where('id', '=', id).where('org_id', '=', orgId).executeTakeFirst()
      : await ctx.db.selectFrom(table).select('channel_id').where('id', '=', id).where('org_id', '=', orgId).executeTakeFirst();
  return row?.channel_id ?? null;
}

/** The audit action for a refusal answered to an agent, or null when it is not recorded. */
function refusalAction(status: number): 'agent.denied' | 'agent.rejected' | null {
  if (status === 403 || status === 404) return 'agent.denied';
  if (status >= 400 && status < 500 && status !== 401 && status !== 429) return 'agent.rejected';
  return null;
}

/**
 * Records the refusal if `error` refuses an agent's request. Never throws: a
 * refusal is answered as it is, and a failure to record it is logged.
 */
export async function recordAgentDenial(ctx: AppContext, request: FastifyRequest, error: FastifyError | AppError): Promise<void> {
  const principal = request.principal;
  if (principal?.type !== 'agent' || recorded.has(error)) return;
  const told = describeError(error);
  const action = told ? refusalAction(told.status) : null;
  if (!told || !action) return;
  const orgId = principal.agent.org_id;
  await recordRefusal(ctx, request.log, orgId, async () => {
    const params = (request.params ?? {}) as Record<string, unknown>;
    const named = idParams.find(([key]) => typeof params[key] === 'string');
    const targetId = named ? String(params[named[0]]) : undefined;
    const boundary = principal.boundary;
    return {
      actorId: principal.agent.id,
      actorKind: 'agent',
      action,
      ...(named && targetId ? { targetType: named[1], targetId: targetId.slice(0, 200) } : {}),
      channelId: named && targetId ? await channelNamed(ctx, orgId, named[1], targetId) : null,
      decision: 'deny',
      reason: told.code,
      details: { route: routeOf(request), status: told.status, ...(boundary ? { task_id: boundary.taskId } : {}) },
    };
  });
}

/**
 * Appends one refusal to the org's chain, in a transaction of its own. Never
 * throws: the refusal is answered as it is, and a failure to record it is logged.
 */
async function recordRefusal(ctx: AppContext, log: { error(obj: object, msg: string): void }, orgId: string, entry: () => AuditEntry | Promise<AuditEntry>): Promise<void> {
  try {
    const built = await entry();
    await ctx.db.transaction().execute((trx) => appendAudit(trx, orgId, [built]));
  } catch (failure) {
    log.error({ err: failure }, 'could not record an agent refusal');
  }
}

/** `METHOD /api/v1/route/:param`, or the path when no route matched. */
function routeOf(request: FastifyRequest): string {
  return `${request.method} ${request.routeOptions.url ?? request.url.split('?')[0] ?? ''}`;
}

/** An agent's token that no longer works: whose it was, and why it stopped. */
export interface DeadToken {
  agent: { id: string; org_id: string };
  reason: 'token_expired' | 'token_revoked';
  kind: 'agent_token' | 'task_token';
  tokenId: string;
  /** For a task token: its task and channel. */
  taskId?: string;
  channelId?: string;
}

/**
 * Records a request (or socket hello) refused because it came with an agent's
 * expired or revoked token, as `agent.rejected`. Never throws.
 */
export async function recordDeadToken(ctx: AppContext, dead: DeadToken, route: string): Promise<void> {
  await recordRefusal(ctx, ctx.log, dead.agent.org_id, () => ({
    actorId: dead.agent.id,
    actorKind: 'agent',
    action: 'agent.rejected',
    targetType: dead.kind,
    targetId: dead.tokenId,
    channelId: dead.channelId ?? null,
    decision: 'deny',
    reason: dead.reason,
    details: { route, status: 401, ...(dead.taskId ? { task_id: dead.taskId } : {}) },
  }));
}

/**
 * Records an agent's malformed MCP tool call (unknown tool, arguments that do
 * not match the tool's schema) refused on the Streamable HTTP endpoint, as
 * `agent.rejected`. Never throws.
 */
export async function recordToolInputError(ctx: AppContext, request: FastifyRequest, tool: string, code: 'unknown_tool' | 'invalid_tool_input', message: string): Promise<void> {
  const principal = request.principal;
  if (principal?.type !== 'agent') return;
  await recordRefusal(ctx, request.log, principal.agent.org_id, () => ({
    actorId: principal.agent.id,
    actorKind: 'agent',
    action: 'agent.rejected',
    targetType: 'mcp_tool',
    targetId: tool.slice(0, 200),
    decision: 'deny',
    reason: code,
    details: { route: routeOf(request), message: message.slice(0, 500), ...(principal.boundary ? { task_id: principal.boundary.taskId } : {}) },
  }));
}

/**
 * The same record for a refusal answered on the socket (a `send` or `read`
 * frame an agent's connection was refused): the frame type stands for the
 * route, the channel it named is the target. Never throws.
 */
export async function recordAgentSocketDenial(ctx: AppContext, actor: Actor, frame: 'send' | 'read', channelId: string, error: unknown): Promise<void> {
  if (actor.member.kind !== 'agent' || !(error instanceof AppError) || (error.status !== 403 && error.status !== 404) || recorded.has(error)) return;
  const orgId = actor.member.org_id;
  await recordRefusal(ctx, ctx.log, orgId, async () => ({
    actorId: actor.member.id,
    actorKind: 'agent',
    action: 'agent.denied',
    targetType: 'channel',
    targetId: channelId.slice(0, 200),
    channelId: await channelNamed(ctx, orgId, 'channel', channelId),
    decision: 'deny',
    reason: error.code,
    details: { route: `WS ${frame}`, status: error.status },
  }));
}
