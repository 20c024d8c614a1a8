import { Readable } from 'node:stream';
import { Type } from 'typebox';
import type { AppContext } from '../context.js';
import type { App } from '../http/app-type.js';
import { requirePrincipal } from '../http/auth.js';
import { Closed, Nullable, Timestamp, Uuid, commonErrors } from '../http/schemas.js';
import { enterOrg } from '../orgs/access.js';
import { exportAudit, presentAudit, queryAudit, verifyAudit } from './service.js';

const AuditEventView = Type.Object({
  seq: Type.Integer(),
  created_at: Timestamp,
  actor_id: Nullable(Type.String()),
  actor_kind: Nullable(Type.String()),
  action: Type.String(),
  target_type: Nullable(Type.String()),
  target_id: Nullable(Type.String()),
  channel_id: Nullable(Type.String()),
  items: Type.Array(Type.String()),
  decision: Type.Union([Type.Literal('allow'), Type.Literal('deny')]),
  reason: Nullable(Type.String()),
  details: Type.Unknown(),
  prev_hash: Type.String(),
  hash: Type.String(),
});

const Filters = {
  actor_id: Type.Optional(Uuid),
  channel_id: Type.Optional(Uuid),
  action: Type.Optional(Type.String({ maxLength: 80 })),
  since: Type.Optional(Timestamp),
  until: Type.Optional(Timestamp),
  after: Type.Optional(Type.Integer({ minimum: 0 })),
};
const OrgParams = Closed({ orgId: Uuid });

export function auditRoutes(app: App, ctx: AppContext): void {
  app.get(
    '/orgs/:orgId/audit',
    {
      schema: {
        tags: ['audit'],
        summary: 'The audit log, oldest first: by actor, channel, action and time (org admins; channel owners for their channels)',
        params: OrgParams,
        querystring: Closed({ ...Filters, limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })) }),
        response: { 200: Type.Object({ events: Type.Array(AuditEventView), next_after: Nullable(Type.Integer()) }), ...commonErrors },
      },
    },
    async (request) => {
      const actor = await enterOrg(ctx, requirePrincipal(request), request.params.orgId);
      const { events, next_after } = await queryAudit(ctx, actor, request.query);
      return { events: events.map(presentAudit), next_after };
    },
  );

  app.get(
    '/orgs/:orgId/audit/export',
    {
      schema: {
        tags: ['audit'],
        summary: 'Export the audit log as JSON Lines (the export is itself audited)',
        params: OrgParams,
        querystring: Closed(Filters),
        produces: ['application/x-ndjson'],
      },
    },
    async (request, reply) => {
      const actor = await enterOrg(ctx, requirePrincipal(request), request.params.orgId);
      // Refuse before the stream starts, so a refusal is an ordinary error answer.
      await queryAudit(ctx, actor, { ...request.query, limit: 1 });
      const lines = exportAudit(ctx, actor, request.query);
      return reply
        .type('application/x-ndjson')
        .header('content-disposition', `attachment; filename="audit-${request.params.orgId}.jsonl"`)
        .send(Readable.from(lines));
    },
  );

  app.post(
    '/orgs/:orgId/audit/verify',
    {
      schema: {
        tags: ['audit'],
        summary: "Recompute the org's audit hash chain and name the first broken link (org admins)",
        params: OrgParams,
        response: {
          200: Type.Object({
            ok: Type.Boolean(),
            events: Type.Integer(),
            head: Type.Optional(Type.String()),
            broken_at: Type.Optional(Type.Integer()),
            problem: Type.Optional(Type.String()),
          }),
          ...commonErrors,
        },
      },
    },
    async (request) => {
      const actor = await enterOrg(ctx, requirePrincipal(request), request.params.orgId);
      return verifyAudit(ctx, actor);
    },
  );
}
