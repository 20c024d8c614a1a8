import { Readable } from 'node:stream';
import { Type } from 'typebox';
import type { AppContext } from '../context.js';
import type { App } from '../http/app-type.js';
import { requirePrincipal } from '../http/auth.js';
import { badRequest, notFound } from '../http/errors.js';
import { Closed, Timestamp, Uuid } from '../http/schemas.js';
import { enterOrg } from '../orgs/access.js';
import { enforce } from '../policy/decision.js';
import { canExportCompliance } from '../policy/retention.js';
import { complianceLines } from './compliance.js';
import type { Scope } from './entities.js';

export function complianceRoutes(app: App, ctx: AppContext): void {
  app.get(
    '/orgs/:orgId/compliance-export',
    {
      schema: {
        tags: ['retention'],
        summary: 'Messages, agent tasks and agent audit events created in [from, to), for the org or one channel, as JSON Lines (org owners; audited)',
        params: Closed({ orgId: Uuid }),
        querystring: Closed({ from: Timestamp, to: Timestamp, channel_id: Type.Optional(Uuid) }),
        produces: ['application/x-ndjson'],
      },
    },
    async (request, reply) => {
      const actor = await enterOrg(ctx, requirePrincipal(request), request.params.orgId);
      enforce(canExportCompliance(actor));
      const from = new Date(request.query.from);
      const to = new Date(request.query.to);
      if (!(from < to)) throw badRequest('invalid_range', '`from` must be before `to`.');
      let scope: Scope = { kind: 'org', orgId: actor.member.org_id };
      if (request.query.channel_id !== undefined) {
        const channel = await ctx.db.selectFrom('channels').select('id').where('id', '=', request.query.channel_id).where('org_id', '=', scope.orgId).executeTakeFirst();
        if (!channel) throw notFound('channel');
        scope = { kind: 'channel', orgId: scope.orgId, channelId: channel.id };
      }
      const lines = complianceLines(ctx.db, scope, { from, to }, { actorId: actor.member.id, actorKind: actor.member.kind });
      return reply
        .type('application/x-ndjson')
        .header('content-disposition', `attachment; filename="compliance-${request.params.orgId}.jsonl"`)
        .send(Readable.from(lines));
    },
  );
}
