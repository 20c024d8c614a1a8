import type { FastifyRequest } from 'fastify';
import type { AppContext } from '../context.js';
import type { Actor } from '../policy/actor.js';
import { AppError } from '../http/errors.js';
import { appendAudit } from './chain.js';

/**
 * Every refused attempt by an agent is on the record with the rule that
 * refused it (DESIGN §2.4): one place, the HTTP error path, records any
 * 403/404 answered to an agent's token as `agent.denied` — the route, what it
 * named, the channel when the id names one of the agent's org, and the code
 * (the rule). Paths that record their own, more specific denial (the context
 * API, refused sources) mark the error with {@link denialRecorded} so it is
 * recorded once. Bad input (400), rate limits and server errors are not denials.
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

/**
 * Records the denial if `error` refuses an agent's request. Never throws: a
 * denial is answered as it is, and a failure to record it is logged.
 */
export async function recordAgentDenial(ctx: AppContext, request: FastifyRequest, error: unknown): Promise<void> {
  const principal = request.principal;
  if (principal?.type !== 'agent' || !(error instanceof AppError) || (error.status !== 403 && error.status !== 404) || recorded.has(error)) return;
  try {
    const params = (request.params ?? {}) as Record<string, unknown>;
    const named = idParams.find(([key]) => typeof params[key] === 'string');
    const targetId = named ? String(params[named[0]]) : undefined;
    const orgId = principal.agent.org_id;
    const channelId = named && targetId ? await channelNamed(ctx, orgId, named[1], targetId) : null;
    const boundary = principal.boundary;
    await ctx.db.transaction().execute((trx) =>
      appendAudit(trx, orgId, [
        {
          actorId: principal.agent.id,
          actorKind: 'agent',
          action: 'agent.denied',
          ...(named && targetId ? { targetType: named[1], targetId: targetId.slice(0, 200) } : {}),
          channelId,
          decision: 'deny',
          reason: error.code,
          details: { route: `${request.method} ${request.routeOptions.url ?? request.url.split('?')[0]}`, status: error.status, ...(boundary ? { task_id: boundary.taskId } : {}) },
        },
      ]),
    );
  } catch (failure) {
    request.log.error({ err: failure }, 'could not record an agent denial');
  }
}

/**
 * The same record for a refusal answered on the socket (a `send` or `read`
 * frame an agent's connection was refused): the frame type stands for the
 * route, the channel it named is the target. Never throws.
 */
export async function recordAgentSocketDenial(ctx: AppContext, actor: Actor, frame: 'send' | 'read', channelId: string, error: unknown): Promise<void> {
  if (actor.member.kind !== 'agent' || !(error instanceof AppError) || (error.status !== 403 && error.status !== 404) || recorded.has(error)) return;
  try {
    const orgId = actor.member.org_id;
    const channel = await channelNamed(ctx, orgId, 'channel', channelId);
    await ctx.db.transaction().execute((trx) =>
      appendAudit(trx, orgId, [
        {
          actorId: actor.member.id,
          actorKind: 'agent',
          action: 'agent.denied',
          targetType: 'channel',
          targetId: channelId.slice(0, 200),
          channelId: channel,
          decision: 'deny',
          reason: error.code,
          details: { route: `WS ${frame}`, status: error.status },
        },
      ]),
    );
  } catch (failure) {
    ctx.log.error({ err: failure }, 'could not record an agent denial');
  }
}
