import { Type } from 'typebox';
import type { AppContext } from '../context.js';
import type { App } from '../http/app-type.js';
import { requirePrincipal, requireUser } from '../http/auth.js';
import { notFound } from '../http/errors.js';
import { Closed, Handle, Uuid, commonErrors } from '../http/schemas.js';
import { enforce } from '../policy/decision.js';
import { canManageOrg, canReadDirectory } from '../policy/org.js';
import { enterOrg, memberOf } from './access.js';
import { MemberView, OrgRoleSchema, OrgView, presentMember, presentOrg } from './presenters.js';
import { changeRole, createOrg, deactivate, listMembers, reactivate, renameOrg } from './service.js';

const OrgParams = Closed({ orgId: Uuid });
const MemberParams = Closed({ orgId: Uuid, memberId: Uuid });
const OrgName = Type.String({ minLength: 1, maxLength: 80 });

export function orgRoutes(app: App, ctx: AppContext): void {
  app.post(
    '/orgs',
    {
      config: { auth: 'user' },
      schema: {
        tags: ['orgs'],
        summary: 'Create an org; you become its owner',
        body: Closed({ name: OrgName, slug: Type.Optional(Handle), handle: Type.Optional(Handle) }),
        response: { 201: Type.Object({ org: OrgView, member: MemberView }), ...commonErrors },
      },
    },
    async (request, reply) => {
      const { org, member } = await createOrg(ctx, requireUser(request).user, request.body);
      return reply.status(201).send({ org: presentOrg(org), member: presentMember(member) });
    },
  );

  app.get(
    '/orgs/:orgId',
    { schema: { tags: ['orgs'], summary: 'An org you belong to', params: OrgParams, response: { 200: Type.Object({ org: OrgView }), ...commonErrors } } },
    async (request) => {
      await enterOrg(ctx, requirePrincipal(request), request.params.orgId);
      const org = await ctx.db.selectFrom('orgs').selectAll().where('id', '=', request.params.orgId).executeTakeFirst();
      if (!org) throw notFound('org');
      return { org: presentOrg(org) };
    },
  );

  app.patch(
    '/orgs/:orgId',
    {
      config: { auth: 'user' },
      schema: { tags: ['orgs'], summary: 'Rename the org (admins)', params: OrgParams, body: Closed({ name: OrgName }), response: { 200: Type.Object({ org: OrgView }), ...commonErrors } },
    },
    async (request) => {
      const actor = await enterOrg(ctx, requirePrincipal(request), request.params.orgId);
      enforce(canManageOrg(actor));
      return { org: presentOrg(await renameOrg(ctx, actor, request.body.name)) };
    },
  );

  app.get(
    '/orgs/:orgId/members',
    {
      schema: {
        tags: ['orgs'],
        summary: 'The org directory: people and agents',
        params: OrgParams,
        querystring: Closed({
          kind: Type.Optional(Type.Union([Type.Literal('human'), Type.Literal('agent')])),
          status: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('deactivated'), Type.Literal('suspended'), Type.Literal('retired')])),
        }),
        response: { 200: Type.Object({ members: Type.Array(MemberView) }), ...commonErrors },
      },
    },
    async (request) => {
      const actor = await enterOrg(ctx, requirePrincipal(request), request.params.orgId);
      enforce(canReadDirectory(actor));
      const members = await listMembers(ctx, request.params.orgId, request.query);
      return { members: members.map(presentMember) };
    },
  );

  app.get(
    '/orgs/:orgId/members/:memberId',
    { schema: { tags: ['orgs'], summary: 'One member of the org', params: MemberParams, response: { 200: Type.Object({ member: MemberView }), ...commonErrors } } },
    async (request) => {
      enforce(canReadDirectory(await enterOrg(ctx, requirePrincipal(request), request.params.orgId)));
      return { member: presentMember(await memberOf(ctx, request.params.orgId, request.params.memberId)) };
    },
  );

  app.patch(
    '/orgs/:orgId/members/:memberId',
    {
      schema: {
        tags: ['orgs'],
        summary: "Change a person's org role (owners and admins)",
        params: MemberParams,
        body: Closed({ role: OrgRoleSchema }),
        response: { 200: Type.Object({ member: MemberView }), ...commonErrors },
      },
    },
    async (request) => {
      const actor = await enterOrg(ctx, requirePrincipal(request), request.params.orgId);
      const target = await memberOf(ctx, request.params.orgId, request.params.memberId);
      return { member: presentMember(await changeRole(ctx, actor, target, request.body.role)) };
    },
  );

  app.post(
    '/orgs/:orgId/members/:memberId/deactivate',
    {
      schema: {
        tags: ['orgs'],
        summary: 'Deactivate a person; their agents are suspended',
        params: MemberParams,
        response: { 200: Type.Object({ member: MemberView, suspended_agents: Type.Array(Type.String()) }), ...commonErrors },
      },
    },
    async (request) => {
      const actor = await enterOrg(ctx, requirePrincipal(request), request.params.orgId);
      const target = await memberOf(ctx, request.params.orgId, request.params.memberId);
      const result = await deactivate(ctx, actor, target);
      return { member: presentMember(result.member), suspended_agents: result.suspended_agents };
    },
  );

  app.post(
    '/orgs/:orgId/members/:memberId/reactivate',
    {
      schema: { tags: ['orgs'], summary: 'Reactivate a person', params: MemberParams, response: { 200: Type.Object({ member: MemberView }), ...commonErrors } },
    },
    async (request) => {
      const actor = await enterOrg(ctx, requirePrincipal(request), request.params.orgId);
      const target = await memberOf(ctx, request.params.orgId, request.params.memberId);
      return { member: presentMember(await reactivate(ctx, actor, target)) };
    },
  );
}
