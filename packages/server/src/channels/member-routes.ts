import { Type } from 'typebox';
import type { AppContext } from '../context.js';
import type { App } from '../http/app-type.js';
import { requirePrincipal } from '../http/auth.js';
import { Closed, Timestamp, Uuid, commonErrors } from '../http/schemas.js';
import { MemberView, presentMember } from '../orgs/presenters.js';
import { canSee, canViewChannel } from '../policy/channel.js';
import { accessChannel } from './access.js';
import { addMember, changeMemberRole, join, leave, listChannelMembers, markRead, removeMember } from './membership.js';
import { ChannelRoleSchema } from './presenters.js';

const ChannelParams = Closed({ channelId: Uuid });
const ChannelMemberParams = Closed({ channelId: Uuid, memberId: Uuid });

export function channelMemberRoutes(app: App, ctx: AppContext): void {
  app.get(
    '/channels/:channelId/members',
    {
      schema: {
        tags: ['channel members'],
        summary: "The channel's members and their roles",
        params: ChannelParams,
        response: { 200: Type.Object({ members: Type.Array(Type.Object({ member: MemberView, role: ChannelRoleSchema, joined_at: Timestamp })) }), ...commonErrors },
      },
    },
    async (request) => {
      const a = await accessChannel(ctx, requirePrincipal(request), request.params.channelId, canViewChannel);
      const rows = await listChannelMembers(ctx, a.channel.id);
      return { members: rows.map(({ channel_role, joined_at, ...m }) => ({ member: presentMember({ ...m, created_at: m.created_at }), role: channel_role, joined_at: joined_at.toISOString() })) };
    },
  );

  app.post(
    '/channels/:channelId/members',
    {
      schema: {
        tags: ['channel members'],
        summary: 'Add a person or an agent to the channel',
        params: ChannelParams,
        body: Closed({ member_id: Uuid, role: Type.Optional(ChannelRoleSchema) }),
        response: { 201: Type.Object({ member: MemberView, role: ChannelRoleSchema }), ...commonErrors },
      },
    },
    async (request, reply) => {
      const a = await accessChannel(ctx, requirePrincipal(request), request.params.channelId, canSee);
      const role = request.body.role ?? 'member';
      const member = await addMember(ctx, a, request.body.member_id, role);
      return reply.status(201).send({ member: presentMember(member), role });
    },
  );

  app.patch(
    '/channels/:channelId/members/:memberId',
    {
      schema: { tags: ['channel members'], summary: "Change a member's channel role", params: ChannelMemberParams, body: Closed({ role: ChannelRoleSchema }), response: { 204: Type.Null(), ...commonErrors } },
    },
    async (request, reply) => {
      const a = await accessChannel(ctx, requirePrincipal(request), request.params.channelId, canSee);
      await changeMemberRole(ctx, a, request.params.memberId, request.body.role);
      return reply.status(204).send(null);
    },
  );

  app.delete(
    '/channels/:channelId/members/:memberId',
    { schema: { tags: ['channel members'], summary: 'Remove a member (moderators), or leave', params: ChannelMemberParams, response: { 204: Type.Null(), ...commonErrors } } },
    async (request, reply) => {
      const a = await accessChannel(ctx, requirePrincipal(request), request.params.channelId, canSee);
      await removeMember(ctx, a, request.params.memberId);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/channels/:channelId/join',
    { schema: { tags: ['channel members'], summary: 'Join a public channel', params: ChannelParams, response: { 204: Type.Null(), ...commonErrors } } },
    async (request, reply) => {
      const a = await accessChannel(ctx, requirePrincipal(request), request.params.channelId, canSee);
      await join(ctx, a);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/channels/:channelId/leave',
    { schema: { tags: ['channel members'], summary: 'Leave the channel', params: ChannelParams, response: { 204: Type.Null(), ...commonErrors } } },
    async (request, reply) => {
      const a = await accessChannel(ctx, requirePrincipal(request), request.params.channelId, canSee);
      await leave(ctx, a);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/channels/:channelId/read',
    {
      schema: {
        tags: ['channel members'],
        summary: 'Move your read cursor forward to seq',
        params: ChannelParams,
        body: Closed({ seq: Type.Integer({ minimum: 0 }) }),
        response: { 200: Type.Object({ last_read_seq: Type.Integer() }), ...commonErrors },
      },
    },
    async (request) => {
      const a = await accessChannel(ctx, requirePrincipal(request), request.params.channelId, canSee);
      return { last_read_seq: await markRead(ctx, a, request.body.seq) };
    },
  );
}
