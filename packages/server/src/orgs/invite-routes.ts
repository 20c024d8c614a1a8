import { Type } from 'typebox';
import type { AppContext } from '../context.js';
import type { App } from '../http/app-type.js';
import { requirePrincipal, requireUser } from '../http/auth.js';
import { Closed, DisplayName, Handle, Timestamp, Uuid, commonErrors } from '../http/schemas.js';
import { enterOrg } from './access.js';
import { acceptInvite, createInvite, listInvites, previewInvite, revokeInvite } from './invites.js';
import { InviteView, MemberView, OrgView, presentInvite, presentMember, presentOrg } from './presenters.js';

const InviteRole = Type.Union([Type.Literal('admin'), Type.Literal('member'), Type.Literal('guest')]);
const InviteToken = Closed({ token: Type.String({ pattern: '^chi_[A-Za-z0-9_-]{20,100}$' }) });

export function inviteRoutes(app: App, ctx: AppContext): void {
  app.post(
    '/orgs/:orgId/invites',
    {
      schema: {
        tags: ['invites'],
        summary: 'Create an invite link',
        params: Closed({ orgId: Uuid }),
        body: Closed({
          role: Type.Optional(InviteRole),
          expires_in_hours: Type.Optional(Type.Integer({ minimum: 1, maximum: 24 * 30 })),
          max_uses: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
        }),
        response: { 201: Type.Object({ invite: InviteView, token: Type.String(), url: Type.String() }), ...commonErrors },
      },
    },
    async (request, reply) => {
      const actor = await enterOrg(ctx, requirePrincipal(request), request.params.orgId);
      const { invite, token, url } = await createInvite(ctx, actor, {
        role: request.body.role ?? 'member',
        expires_in_hours: request.body.expires_in_hours ?? 24 * 7,
        max_uses: request.body.max_uses ?? 1,
      });
      return reply.status(201).send({ invite: presentInvite(invite), token, url });
    },
  );

  app.get(
    '/orgs/:orgId/invites',
    { schema: { tags: ['invites'], summary: 'Invites of the org (admins)', params: Closed({ orgId: Uuid }), response: { 200: Type.Object({ invites: Type.Array(InviteView) }), ...commonErrors } } },
    async (request) => {
      const actor = await enterOrg(ctx, requirePrincipal(request), request.params.orgId);
      return { invites: (await listInvites(ctx, actor)).map(presentInvite) };
    },
  );

  app.delete(
    '/orgs/:orgId/invites/:inviteId',
    { schema: { tags: ['invites'], summary: 'Revoke an invite', params: Closed({ orgId: Uuid, inviteId: Uuid }), response: { 204: Type.Null(), ...commonErrors } } },
    async (request, reply) => {
      const actor = await enterOrg(ctx, requirePrincipal(request), request.params.orgId);
      await revokeInvite(ctx, actor, request.params.inviteId);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/invites/:token',
    {
      config: { auth: 'none' },
      schema: {
        tags: ['invites'],
        summary: 'What an invite link leads to',
        security: [],
        params: InviteToken,
        response: { 200: Type.Object({ org: Type.Object({ name: Type.String(), slug: Type.String() }), role: InviteRole, expires_at: Timestamp }), ...commonErrors },
      },
    },
    async (request) => {
      const invite = await previewInvite(ctx, request.params.token);
      return { org: { name: invite.org_name, slug: invite.org_slug }, role: invite.role, expires_at: invite.expires_at.toISOString() };
    },
  );

  app.post(
    '/invites/:token/accept',
    {
      config: { auth: 'user' },
      schema: {
        tags: ['invites'],
        summary: 'Join the org through an invite',
        params: InviteToken,
        body: Type.Optional(Closed({ handle: Type.Optional(Handle), display_name: Type.Optional(DisplayName) })),
        response: { 201: Type.Object({ org: OrgView, member: MemberView }), ...commonErrors },
      },
    },
    async (request, reply) => {
      const { org, member } = await acceptInvite(ctx, requireUser(request).user, request.params.token, request.body ?? {});
      return reply.status(201).send({ org: presentOrg(org), member: presentMember(member) });
    },
  );
}
