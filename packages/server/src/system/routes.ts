import { timingSafeEqual } from 'node:crypto';
import { Type } from 'typebox';
import { sql } from 'kysely';
import type { AppContext } from '../context.js';
import { migrationStatus } from '../db/database.js';
import type { App } from '../http/app-type.js';
import { notFound, unauthorized } from '../http/errors.js';

/** The process's state as readiness reports it; `stopping` is set when a graceful shutdown begins. */
export interface Lifecycle {
  stopping: boolean;
}

/** Why this node should not get traffic now (empty: ready). */
export async function notReadyReasons(ctx: AppContext, lifecycle: Lifecycle): Promise<string[]> {
  const reasons: string[] = [];
  if (lifecycle.stopping) reasons.push('shutting down');
  try {
    const pending = (await migrationStatus(ctx.db)).filter((m) => !m.applied);
    if (pending.length > 0) reasons.push(`migrations pending: ${pending.map((m) => m.name).join(', ')}`);
  } catch (error) {
    reasons.push(`database unreachable: ${error instanceof Error ? error.message : String(error)}`);
  }
  return reasons;
}

export function systemRoutes(app: App, ctx: AppContext, lifecycle: Lifecycle): void {
  app.get(
    '/health',
    {
      config: { auth: 'none' },
      schema: {
        tags: ['system'],
        summary: 'Liveness and database reachability',
        security: [],
        response: { 200: Type.Object({ status: Type.Literal('ok'), database: Type.Literal('ok') }) },
      },
    },
    async () => {
      await sql`select 1`.execute(ctx.db);
      return { status: 'ok' as const, database: 'ok' as const };
    },
  );

  app.get(
    '/live',
    {
      config: { auth: 'none' },
      schema: {
        tags: ['system'],
        summary: 'Liveness: the process answers (restart it when this fails)',
        security: [],
        response: { 200: Type.Object({ status: Type.Literal('ok') }) },
      },
    },
    () => ({ status: 'ok' as const }),
  );

  const readiness = Type.Object({ status: Type.Union([Type.Literal('ready'), Type.Literal('not_ready')]), reasons: Type.Array(Type.String()) });
  app.get(
    '/ready',
    {
      config: { auth: 'none' },
      schema: {
        tags: ['system'],
        summary: 'Readiness: the database answers, every migration is applied and the node is not shutting down (503 otherwise)',
        security: [],
        response: { 200: readiness, 503: readiness },
      },
    },
    async (_request, reply) => {
      const reasons = await notReadyReasons(ctx, lifecycle);
      if (reasons.length > 0) return reply.code(503).send({ status: 'not_ready' as const, reasons });
      return { status: 'ready' as const, reasons };
    },
  );

  app.get(
    '/openapi.json',
    { config: { auth: 'none' }, schema: { hide: true } },
    () => app.swagger(),
  );
}

/**
 * GET /metrics (outside the API prefix, where Prometheus looks): the Prometheus text format, only
 * with `Authorization: Bearer <CHORUS_METRICS_TOKEN>`. Without a configured token it does not exist (404).
 */
export function metricsRoute(app: App, ctx: AppContext): void {
  app.get('/metrics', { config: { auth: 'none' }, schema: { hide: true } }, async (request, reply) => {
    const expected = ctx.config.metricsToken;
    const metrics = ctx.metrics;
    if (!expected || !metrics) throw notFound('route');
    const given = /^Bearer (.+)$/i.exec(request.headers.authorization ?? '')?.[1] ?? '';
    if (!sameSecret(given, expected)) throw unauthorized('/metrics needs Authorization: Bearer <CHORUS_METRICS_TOKEN>.');
    return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
