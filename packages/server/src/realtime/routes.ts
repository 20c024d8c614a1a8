import { Type } from 'typebox';
import type { AppContext } from '../context.js';
import type { App } from '../http/app-type.js';
import { requirePrincipal } from '../http/auth.js';
import { Closed, NullableTimestamp, Uuid, commonErrors } from '../http/schemas.js';
import { enterOrg } from '../orgs/access.js';
import { enforce } from '../policy/decision.js';
import { canReadDirectory } from '../policy/org.js';

const PresenceView = Type.Object({
  member_id: Type.String(),
  status: Type.Union([Type.Literal('online'), Type.Literal('away'), Type.Literal('offline')]),
  last_seen_at: NullableTimestamp,
});

export function realtimeRoutes(app: App, ctx: AppContext): void {
  app.get(
    '/orgs/:orgId/presence',
    {
      schema: {
        tags: ['realtime'],
        summary: "Who is online: people online, away or offline; agents connected (online) or not; with last seen. Live changes arrive as `presence` frames on the socket.",
        params: Closed({ orgId: Uuid }),
        response: { 200: Type.Object({ presence: Type.Array(PresenceView) }), ...commonErrors },
      },
    },
    async (request) => {
      const actor = await enterOrg(ctx, requirePrincipal(request), request.params.orgId);
      enforce(canReadDirectory(actor));
      const members = await ctx.db.selectFrom('members').select('id').where('org_id', '=', actor.member.org_id).where('status', '=', 'active').execute();
      return { presence: await ctx.presence.get(members.map((m) => m.id)) };
    },
  );
}
