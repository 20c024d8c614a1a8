import { Type } from 'typebox';
import type { AppContext } from '../context.js';
import type { App } from '../http/app-type.js';
import { requirePrincipal } from '../http/auth.js';
import { Closed, Uuid, commonErrors } from '../http/schemas.js';
import { findAgent } from '../agents/service.js';
import { MessageViewSchema } from '../messages/presenters.js';
import { maxBodyLength } from '../messages/service.js';
import { enterOrg } from '../orgs/access.js';
import { postViaHook, createIncoming, listIncoming, revokeIncoming } from './incoming.js';
import { findWebhook, listDeliveries, redeliver, removeWebhook, rotateSecret, setWebhook } from './outgoing.js';
import { AgentWebhookView, IncomingWebhookView, WebhookDeliveryView, presentDelivery, presentIncoming, presentWebhook } from './presenters.js';

const AgentParams = Closed({ agentId: Uuid });
const Secret = Type.String({ description: 'the signing secret (`chw_…`); shown only in this answer' });

/** Outgoing webhooks per agent (its sponsor or an org admin) and incoming webhooks per channel (its moderators). */
export function integrationRoutes(app: App, ctx: AppContext): void {
  async function load(principal: ReturnType<typeof requirePrincipal>, agentId: string) {
    const agent = await findAgent(ctx, agentId);
    const actor = await enterOrg(ctx, principal, agent.org_id, 'agent');
    return { agent, actor };
  }
  const maxAttempts = ctx.config.webhooks.maxAttempts;

  app.put(
    '/agents/:agentId/webhook',
    {
      schema: {
        tags: ['webhooks'],
        summary: "Set the agent's webhook URL; the first time, its signing secret is returned once",
        params: AgentParams,
        body: Closed({ url: Type.String({ minLength: 1, maxLength: 2000, description: 'https:// (or http://) URL that receives the POSTs' }) }),
        response: { 200: Type.Object({ webhook: AgentWebhookView, secret: Type.Union([Secret, Type.Null()]) }), ...commonErrors },
      },
    },
    async (request) => {
      const { agent, actor } = await load(requirePrincipal(request), request.params.agentId);
      const { webhook, secret } = await setWebhook(ctx, actor, agent, request.body.url);
      return { webhook: presentWebhook(webhook), secret };
    },
  );

  app.get(
    '/agents/:agentId/webhook',
    { schema: { tags: ['webhooks'], summary: "The agent's webhook (never its secret)", params: AgentParams, response: { 200: Type.Object({ webhook: AgentWebhookView }), ...commonErrors } } },
    async (request) => {
      const { agent, actor } = await load(requirePrincipal(request), request.params.agentId);
      return { webhook: presentWebhook(await findWebhook(ctx, actor, agent)) };
    },
  );

  app.delete(
    '/agents/:agentId/webhook',
    { schema: { tags: ['webhooks'], summary: "Remove the agent's webhook", params: AgentParams, response: { 204: Type.Null(), ...commonErrors } } },
    async (request, reply) => {
      const { agent, actor } = await load(requirePrincipal(request), request.params.agentId);
      await removeWebhook(ctx, actor, agent);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/agents/:agentId/webhook/secret',
    {
      schema: {
        tags: ['webhooks'],
        summary: 'Rotate the signing secret; the new one is returned once and signs every delivery from now on',
        params: AgentParams,
        response: { 201: Type.Object({ webhook: AgentWebhookView, secret: Secret }), ...commonErrors },
      },
    },
    async (request, reply) => {
      const { agent, actor } = await load(requirePrincipal(request), request.params.agentId);
      const { webhook, secret } = await rotateSecret(ctx, actor, agent);
      return reply.status(201).send({ webhook: presentWebhook(webhook), secret });
    },
  );

  app.get(
    '/agents/:agentId/webhook/deliveries',
    {
      schema: {
        tags: ['webhooks'],
        summary: "The agent's webhook deliveries, newest first: status, attempts, response code, last error, timings",
        params: AgentParams,
        querystring: Closed({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })) }),
        response: { 200: Type.Object({ deliveries: Type.Array(WebhookDeliveryView) }), ...commonErrors },
      },
    },
    async (request) => {
      const { agent, actor } = await load(requirePrincipal(request), request.params.agentId);
      const deliveries = await listDeliveries(ctx, actor, agent, request.query.limit ?? 50);
      return { deliveries: deliveries.map((d) => presentDelivery(d, maxAttempts)) };
    },
  );

  app.post(
    '/agents/:agentId/webhook/deliveries/:deliveryId/redeliver',
    {
      schema: {
        tags: ['webhooks'],
        summary: "Send a delivery's payload again, as a new delivery",
        params: Closed({ agentId: Uuid, deliveryId: Uuid }),
        response: { 201: Type.Object({ delivery: WebhookDeliveryView }), ...commonErrors },
      },
    },
    async (request, reply) => {
      const { agent, actor } = await load(requirePrincipal(request), request.params.agentId);
      return reply.status(201).send({ delivery: presentDelivery(await redeliver(ctx, actor, agent, request.params.deliveryId), maxAttempts) });
    },
  );

  const ChannelParams = Closed({ channelId: Uuid });

  app.post(
    '/channels/:channelId/incoming-webhooks',
    {
      config: { auth: 'user' },
      schema: {
        tags: ['webhooks'],
        summary: 'Create an incoming webhook (channel moderators): a secret URL that posts here, shown once',
        params: ChannelParams,
        body: Closed({ name: Type.String({ minLength: 1, maxLength: 80, pattern: '\\S', description: 'shown as the author of its posts' }) }),
        response: { 201: Type.Object({ webhook: IncomingWebhookView, url: Type.String(), secret: Type.String() }), ...commonErrors },
      },
    },
    async (request, reply) => {
      const { hook, secret } = await createIncoming(ctx, requirePrincipal(request), request.params.channelId, request.body.name.trim());
      const url = `${ctx.config.publicUrl}/api/v1/hooks/${hook.id}/${secret}`;
      return reply.status(201).send({ webhook: presentIncoming(hook), url, secret });
    },
  );

  app.get(
    '/channels/:channelId/incoming-webhooks',
    { schema: { tags: ['webhooks'], summary: "The channel's incoming webhooks (channel moderators; never their secrets)", params: ChannelParams, response: { 200: Type.Object({ webhooks: Type.Array(IncomingWebhookView) }), ...commonErrors } } },
    async (request) => ({ webhooks: (await listIncoming(ctx, requirePrincipal(request), request.params.channelId)).map(presentIncoming) }),
  );

  app.delete(
    '/channels/:channelId/incoming-webhooks/:hookId',
    { schema: { tags: ['webhooks'], summary: 'Revoke an incoming webhook: its URL stops working at once', params: Closed({ channelId: Uuid, hookId: Uuid }), response: { 204: Type.Null(), ...commonErrors } } },
    async (request, reply) => {
      await revokeIncoming(ctx, requirePrincipal(request), request.params.channelId, request.params.hookId);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/hooks/:hookId/:secret',
    {
      config: {
        auth: 'none',
        rateLimit: { max: ctx.config.rateLimits.hookPostsPerMinute, timeWindow: 60_000, keyGenerator: (req) => (req.params as { hookId?: string }).hookId ?? req.ip },
      },
      schema: {
        tags: ['webhooks'],
        summary: 'Post into a channel through an incoming webhook (Slack-compatible: { "text": … }; other Slack fields are ignored)',
        security: [],
        params: Closed({ hookId: Type.String({ maxLength: 64 }), secret: Type.String({ maxLength: 200 }) }),
        body: Type.Object(
          {
            text: Type.String({ minLength: 1, maxLength: maxBodyLength, pattern: '\\S', description: 'markdown; mentions work as in any post' }),
            username: Type.Optional(Type.String({ maxLength: 80, description: "accepted for Slack compatibility; posts show the hook's name" })),
          },
          { additionalProperties: true },
        ),
        response: { 200: Type.Object({ ok: Type.Literal(true), message: MessageViewSchema }), ...commonErrors },
      },
    },
    async (request) => ({ ok: true as const, message: await postViaHook(ctx, request.params.hookId, request.params.secret, request.body.text) }),
  );
}
