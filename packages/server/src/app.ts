import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyBaseLogger, type FastifyError } from 'fastify';
import swagger from '@fastify/swagger';
import rateLimit from '@fastify/rate-limit';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { AppContext } from './context.js';
import type { App } from './http/app-type.js';
import { registerAuth } from './http/auth.js';
import { AppError, errorHandler } from './http/errors.js';
import { accountRoutes } from './accounts/routes.js';
import { orgRoutes } from './orgs/routes.js';
import { inviteRoutes } from './orgs/invite-routes.js';
import { agentRoutes } from './agents/routes.js';
import { channelRoutes } from './channels/routes.js';
import { channelMemberRoutes } from './channels/member-routes.js';
import { messageRoutes } from './messages/routes.js';
import { systemRoutes, metricsRoute, type Lifecycle } from './system/routes.js';
import { realtimeRoutes } from './realtime/routes.js';
import { taskRoutes } from './tasks/routes.js';
import { commandRoutes } from './tasks/command-routes.js';
import { builtinAgentRoutes } from './agent-host/routes.js';
import { taskHistoryRoutes } from './tasks/history-routes.js';
import { contextRoutes } from './context-api/routes.js';
import { auditRoutes } from './audit/routes.js';
import { retentionRoutes } from './retention/routes.js';
import { complianceRoutes } from './export/routes.js';
import { mcpRoutes } from './mcp/routes.js';
import { searchRoutes } from './search/routes.js';
import { pinRoutes } from './knowledge/pins/routes.js';
import { docRoutes } from './knowledge/docs/routes.js';
import { experienceRoutes } from './experience/routes.js';
import { recordAgentDenial } from './audit/denials.js';
import { integrationRoutes } from './integrations/routes.js';
import { guideRoutes } from './integrations/guide.js';
import { profileRoutes } from './profiles/routes.js';
import { notificationRoutes } from './notifications/routes.js';
import { registerWebApp } from './web/static.js';
import { fileRoutes } from './files/routes.js';

export const apiPrefix = '/api/v1';

export interface AppOptions {
  /** Whether this process serves the HTTP API (role `api`); without it only the system routes answer. */
  api?: boolean;
  /** Set when a graceful shutdown begins: readiness answers 503 from then on. */
  lifecycle?: Lifecycle;
}

/** Builds the HTTP server: the error shape, auth, validation, OpenAPI, and every domain's routes. */
export async function buildApp(ctx: AppContext, logger: FastifyBaseLogger, options: AppOptions = {}): Promise<App> {
  const lifecycle = options.lifecycle ?? { stopping: false };
  const app = Fastify({
    loggerInstance: logger,
    bodyLimit: ctx.config.bodyLimitBytes,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && /^[\w.-]{1,64}$/.test(given) ? given : randomUUID();
    },
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', allErrors: false } },
    routerOptions: { ignoreTrailingSlash: true },
  }).withTypeProvider<TypeBoxTypeProvider>();

  // An agent's refused attempt is recorded before the refusal is answered (audit/denials.ts).
  app.setErrorHandler<FastifyError | AppError>(async (error, request, reply) => {
    if (error instanceof AppError && error.code === 'audience_violation') ctx.metrics?.audienceDenials.inc();
    await recordAgentDenial(ctx, request, error);
    errorHandler(error, request, reply);
    return reply;
  });
  app.addHook('onSend', async (request, reply) => {
    void reply.header('x-request-id', request.id);
    // Shutting down: a request that finishes now does not keep its connection alive (the server waits for every connection to end).
    if (lifecycle.stopping) void reply.header('connection', 'close');
  });
  const metrics = ctx.metrics;
  if (metrics) {
    app.addHook('onResponse', async (request, reply) => {
      // The route's pattern (not the URL) keeps the label set small; unmatched requests share one label.
      const route = request.is404 ? 'unmatched' : (request.routeOptions.url ?? 'unmatched');
      metrics.httpDuration.observe({ method: request.method, route, status: String(reply.statusCode) }, reply.elapsedTime / 1000);
    });
  }

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Chorus API', version: '1', description: 'People and AI agents in the same channels.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
  });
  await app.register(rateLimit, {
    global: false,
    errorResponseBuilder: (_req, context) => ({
      statusCode: 429,
      error: 'rate_limited',
      message: `Too many requests; retry in ${Math.ceil(context.ttl / 1000)} s.`,
    }),
  });
  registerAuth(app, ctx);

  await app.register(
    (api, _opts, done) => {
      const typed = api as unknown as App;
      systemRoutes(typed, ctx, lifecycle);
      if (options.api === false) {
        done();
        return;
      }
      accountRoutes(typed, ctx);
      orgRoutes(typed, ctx);
      inviteRoutes(typed, ctx);
      agentRoutes(typed, ctx);
      channelRoutes(typed, ctx);
      channelMemberRoutes(typed, ctx);
      messageRoutes(typed, ctx);
      taskRoutes(typed, ctx);
      taskHistoryRoutes(typed, ctx);
      commandRoutes(typed, ctx);
      builtinAgentRoutes(typed, ctx);
      realtimeRoutes(typed, ctx);
      contextRoutes(typed, ctx);
      auditRoutes(typed, ctx);
      mcpRoutes(typed, ctx);
      searchRoutes(typed, ctx);
      pinRoutes(typed, ctx);
      docRoutes(typed, ctx);
      experienceRoutes(typed, ctx);
      integrationRoutes(typed, ctx);
      guideRoutes(typed, ctx);
      profileRoutes(typed, ctx);
      notificationRoutes(typed, ctx);
      fileRoutes(typed, ctx);
      retentionRoutes(typed, ctx);
      complianceRoutes(typed, ctx);
      done();
    },
    { prefix: apiPrefix },
  );
  await registerWebApp(app, ctx.config.webDir);
  metricsRoute(app, ctx);
  return app;
}
