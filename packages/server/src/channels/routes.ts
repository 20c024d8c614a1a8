import { Type } from 'typebox';
import type { AppContext } from '../context.js';
import type { App } from '../http/app-type.js';
import { requirePrincipal } from '../http/auth.js';
import { Closed, Uuid, commonErrors } from '../http/schemas.js';
import { enterOrg } from '../orgs/access.js';
import { canViewChannel } from '../policy/channel.js';
import { enforce } from '../policy/decision.js';
import { canReadDirectory } from '../policy/org.js';
import { accessChannel } from './access.js';
import {
  AgentAccessSchema,
  AgentHistoryDaysSchema,
  ChannelViewSchema,
  HistorySchema,
  MembershipSchema,
  ReasoningVisibilitySchema,
  WhoMaySchema,
  presentChannel,
  presentMembership,
} from './presenters.js';
import { browsePublic, createChannel, listJoined, openDm, setArchived, updateChannel } from './service.js';

const ChannelName = Type.String({ pattern: '^[a-zA-Z0-9][a-zA-Z0-9_-]{0,79}$', description: 'letters, digits, "-" and "_"; up to 80' });
const Topic = Type.String({ maxLength: 250 });
const Settings = {
  who_may_post: Type.Optional(WhoMaySchema),
  who_may_add_agents: Type.Optional(WhoMaySchema),
  who_may_pin: Type.Optional(WhoMaySchema),
  history_for_new_members: Type.Optional(HistorySchema),
  // The context rules for agents (DESIGN §2.1), evaluated at every read.
  agent_access: Type.Optional(AgentAccessSchema),
  agent_history_days: Type.Optional(AgentHistoryDaysSchema),
  reasoning_visibility: Type.Optional(ReasoningVisibilitySchema),
  agents_see_reasoning: Type.Optional(Type.Boolean()),
};
const ChannelParams = Closed({ channelId: Uuid });
const ChannelWithMembership = Type.Object({ channel: ChannelViewSchema, membership: Type.Union([MembershipSchema, Type.Null()]) });

export function channelRoutes(app: App, ctx: AppContext): void {
  app.post(
    '/orgs/:orgId/channels',
    {
      schema: {
        tags: ['channels'],
        summary: 'Create a public or private channel; you become its owner',
        params: Closed({ orgId: Uuid }),
        body: Closed({ name: ChannelName, kind: Type.Optional(Type.Union([Type.Literal('public'), Type.Literal('private')])), topic: Type.Optional(Topic), ...Settings }),
        response: { 201: ChannelWithMembership, ...commonErrors },
      },
    },
    async (request, reply) => {
      const actor = await enterOrg(ctx, requirePrincipal(request), request.params.orgId);
      const { name, kind, topic, ...settings } = request.body;
      const channel = await createChannel(ctx, actor, { name, kind: kind ?? 'public', topic, settings });
      return reply.status(201).send({ channel: presentChannel(channel), membership: { role: 'owner' as const, joined_at: channel.created_at.toISOString(), last_read_seq: channel.last_seq } });
    },
  );

  app.get(
    '/orgs/:orgId/channels',
    {
      schema: {
        tags: ['channels'],
        summary: 'Your channels and direct messages, with unread and mention counts',
        params: Closed({ orgId: Uuid }),
        querystring: Closed({ include_archived: Type.Optional(Type.Boolean()) }),
        response: {
          200: Type.Object({
            channels: Type.Array(Type.Object({ channel: ChannelViewSchema, membership: MembershipSchema, unread_count: Type.Integer(), mention_count: Type.Integer(), muted: Type.Boolean() })),
          }),
          ...commonErrors,
        },
      },
    },
    async (request) => {
      const actor = await enterOrg(ctx, requirePrincipal(request), request.params.orgId);
      enforce(canReadDirectory(actor));
      const entries = await listJoined(ctx, actor, request.query.include_archived ?? false);
      return {
        channels: entries.map((e) => ({
          channel: presentChannel(e.channel),
          membership: { role: e.role, joined_at: e.joined_at.toISOString(), last_read_seq: e.last_read_seq },
          unread_count: e.unread_count,
          mention_count: e.mention_count,
          muted: e.muted,
        })),
      };
    },
  );

  app.get(
    '/orgs/:orgId/channels/browse',
    {
      schema: {
        tags: ['channels'],
        summary: 'Public channels you may join',
        params: Closed({ orgId: Uuid }),
        response: { 200: Type.Object({ channels: Type.Array(Type.Object({ channel: ChannelViewSchema, member_count: Type.Integer(), is_member: Type.Boolean() })) }), ...commonErrors },
      },
    },
    async (request) => {
      const actor = await enterOrg(ctx, requirePrincipal(request), request.params.orgId);
      const rows = await browsePublic(ctx, actor);
      return { channels: rows.map(({ member_count, is_member, ...c }) => ({ channel: presentChannel(c), member_count: member_count ?? 0, is_member: Boolean(is_member) })) };
    },
  );

  app.post(
    '/orgs/:orgId/dms',
    {
      schema: {
        tags: ['channels'],
        summary: 'Find or create the direct message with these members',
        params: Closed({ orgId: Uuid }),
        body: Closed({ member_ids: Type.Array(Uuid, { minItems: 0, maxItems: 8 }) }),
        response: { 200: Type.Object({ channel: ChannelViewSchema, created: Type.Boolean() }), 201: Type.Object({ channel: ChannelViewSchema, created: Type.Boolean() }), ...commonErrors },
      },
    },
    async (request, reply) => {
      const actor = await enterOrg(ctx, requirePrincipal(request), request.params.orgId);
      const { channel, created } = await openDm(ctx, actor, request.body.member_ids);
      return reply.status(created ? 201 : 200).send({ channel: presentChannel(channel), created });
    },
  );

  app.get(
    '/channels/:channelId',
    { schema: { tags: ['channels'], summary: 'A channel you may see', params: ChannelParams, response: { 200: ChannelWithMembership, ...commonErrors } } },
    async (request) => {
      const a = await accessChannel(ctx, requirePrincipal(request), request.params.channelId, canViewChannel);
      return { channel: presentChannel(a.channel), membership: presentMembership(a.membership) };
    },
  );

  app.patch(
    '/channels/:channelId',
    {
      schema: {
        tags: ['channels'],
        summary: 'Rename, set the topic or change settings (channel moderators, org admins)',
        params: ChannelParams,
        body: Closed({ name: Type.Optional(ChannelName), topic: Type.Optional(Topic), ...Settings }),
        response: { 200: Type.Object({ channel: ChannelViewSchema }), ...commonErrors },
      },
    },
    async (request) => {
      const a = await accessChannel(ctx, requirePrincipal(request), request.params.channelId, canViewChannel);
      return { channel: presentChannel(await updateChannel(ctx, a, request.body)) };
    },
  );

  for (const [path, archived] of [['archive', true], ['unarchive', false]] as const) {
    app.post(
      `/channels/:channelId/${path}`,
      { schema: { tags: ['channels'], summary: `${archived ? 'Archive' : 'Unarchive'} the channel`, params: ChannelParams, response: { 200: Type.Object({ channel: ChannelViewSchema }), ...commonErrors } } },
      async (request) => {
        const a = await accessChannel(ctx, requirePrincipal(request), request.params.channelId, canViewChannel);
        return { channel: presentChannel(await setArchived(ctx, a, archived)) };
      },
    );
  }
}
