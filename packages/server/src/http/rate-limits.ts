import type { FastifyRequest } from 'fastify';
import type { Config } from '../config.js';

/** Who a per-member limit counts against: the agent or the person, else the address. */
function memberKey(req: FastifyRequest): string {
  return req.principal?.type === 'agent' ? req.principal.agent.id : req.principal?.type === 'user' ? req.principal.user.id : req.ip;
}

/** The posting limit, shared by every route that posts a message (sends and task assignments). */
export function postingRateLimit(config: Config) {
  return { max: config.rateLimits.messagesPerMinute, timeWindow: 60_000, hook: 'preHandler' as const, keyGenerator: memberKey };
}
