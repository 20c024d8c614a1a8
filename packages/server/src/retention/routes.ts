import { Type } from 'typebox';
import { accessChannel } from '../channels/access.js';
import type { AppContext } from '../context.js';
import type { App } from '../http/app-type.js';
import { requirePrincipal } from '../http/auth.js';
import { Closed, Nullable, NullableTimestamp, Timestamp, Uuid, commonErrors } from '../http/schemas.js';
import { enterOrg } from '../orgs/access.js';
import { canSee, canViewChannel } from '../policy/channel.js';
import { effectiveRetention, listHolds, orgRetention, placeHold, presentHold, releaseHold, setChannelRetention, setOrgRetention } from './policies.js';

const KeepDays = Nullable(Type.Integer({ minimum: 1, maximum: 36_500, description: 'days to keep messages; null keeps them forever' }));
const OrgParams = Closed({ orgId: Uuid });
const RetentionView = Type.Object({
  keep_days: KeepDays,
  channels: Type.Array(Type.Object({ channel_id: Uuid, keep_days: KeepDays })),
});
const ChannelRetentionView = Type.Object({ channel_id: Uuid, keep_days: KeepDays, inherited: Type.Boolean() });
const HoldView = Type.Object({
  id: Uuid,
  channel_id: Nullable(Uuid),
  member_id: Nullable(Uuid),
  reason: Type.String(),
  created_by: Uuid,
  created_at: Timestamp,
  released_by: Nullable(Uuid),
  released_at: NullableTimestamp,
});

export function retentionRoutes(app: App, ctx: AppContext): void {
  app.get(
    '/orgs/:orgId/retention',
    {
      schema: { tags: ['retention'], summary: "The org's retention policy and its channels' own (org admins)", params: OrgParams, response: { 200: RetentionView, ...commonErrors } },
    },
    async (request) => orgRetention(ctx, await enterOrg(ctx, requirePrincipal(request), request.params.orgId)),
  );

  app.put(
    '/orgs/:orgId/retention',
    {
      schema: {
        tags: ['retention'],
        summary: "Set the org's retention policy (org admins; audited)",
        params: OrgParams,
        body: Closed({ keep_days: KeepDays }),
        response: { 200: RetentionView, ...commonErrors },
      },
    },
    async (request) => setOrgRetention(ctx, await enterOrg(ctx, requirePrincipal(request), request.params.orgId), request.body.keep_days),
  );

  app.get(
    '/channels/:channelId/retention',
    {
      schema: {
        tags: ['retention'],
        summary: "The retention policy that applies to the channel: its own, or the org's (any member who sees the channel)",
        params: Closed({ channelId: Uuid }),
        response: { 200: ChannelRetentionView, ...commonErrors },
      },
    },
    async (request) => effectiveRetention(ctx, await accessChannel(ctx, requirePrincipal(request), request.params.channelId, canViewChannel)),
  );

  app.put(
    '/channels/:channelId/retention',
    {
      schema: {
        tags: ['retention'],
        summary: "Give the channel its own retention policy, overriding the org's (channel owners and moderators, org admins; audited)",
        params: Closed({ channelId: Uuid }),
        body: Closed({ keep_days: KeepDays }),
        response: { 200: ChannelRetentionView, ...commonErrors },
      },
    },
    async (request) => setChannelRetention(ctx, await accessChannel(ctx, requirePrincipal(request), request.params.channelId, canSee), request.body.keep_days),
  );

  app.delete(
    '/channels/:channelId/retention',
    {
      schema: {
        tags: ['retention'],
        summary: "Drop the channel's own policy: it follows the org's again (channel owners and moderators, org admins; audited)",
        params: Closed({ channelId: Uuid }),
        response: { 200: ChannelRetentionView, ...commonErrors },
      },
    },
    async (request) => setChannelRetention(ctx, await accessChannel(ctx, requirePrincipal(request), request.params.channelId, canSee), undefined),
  );

  app.get(
    '/orgs/:orgId/legal-holds',
    {
      schema: {
        tags: ['retention'],
        summary: "The org's legal holds, active ones only unless include_released (org admins)",
        params: OrgParams,
        querystring: Closed({ include_released: Type.Optional(Type.Boolean()) }),
        response: { 200: Type.Object({ holds: Type.Array(HoldView) }), ...commonErrors },
      },
    },
    async (request) => {
      const actor = await enterOrg(ctx, requirePrincipal(request), request.params.orgId);
      return { holds: (await listHolds(ctx, actor, request.query.include_released ?? false)).map(presentHold) };
    },
  );

  app.post(
    '/orgs/:orgId/legal-holds',
    {
      schema: {
        tags: ['retention'],
        summary: 'Place a legal hold on a channel or a member: retention deletes nothing it covers until it is released (org admins; audited)',
        params: OrgParams,
        body: Closed({ channel_id: Type.Optional(Uuid), member_id: Type.Optional(Uuid), reason: Type.String({ minLength: 1, maxLength: 500 }) }),
        response: { 201: Type.Object({ hold: HoldView }), ...commonErrors },
      },
    },
    async (request, reply) => {
      const actor = await enterOrg(ctx, requirePrincipal(request), request.params.orgId);
      const hold = await placeHold(ctx, actor, request.body);
      return reply.code(201).send({ hold: presentHold(hold) });
    },
  );

  app.delete(
    '/orgs/:orgId/legal-holds/:holdId',
    {
      schema: {
        tags: ['retention'],
        summary: 'Release a legal hold (org admins; audited)',
        params: Closed({ orgId: Uuid, holdId: Uuid }),
        response: { 200: Type.Object({ hold: HoldView }), ...commonErrors },
      },
    },
    async (request) => {
      const actor = await enterOrg(ctx, requirePrincipal(request), request.params.orgId);
      return { hold: presentHold(await releaseHold(ctx, actor, request.params.holdId)) };
    },
  );
}
