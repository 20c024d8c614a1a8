import { Type } from 'typebox';
import type { AppContext } from '../context.js';
import type { App } from '../http/app-type.js';
import { requirePrincipal, requireUser } from '../http/auth.js';
import { Closed, DisplayName, commonErrors } from '../http/schemas.js';
import { MemberView, presentMember } from '../orgs/presenters.js';
import { SessionView, UserView, presentUser } from './presenters.js';
import { logIn, logOut, logOutEverywhere, membershipsOf, signUp } from './service.js';

const Email = Type.String({ format: 'email', maxLength: 254 });
const Password = Type.String({ minLength: 8, maxLength: 200 });

export function accountRoutes(app: App, ctx: AppContext): void {
  app.post(
    '/auth/signup',
    {
      config: { auth: 'none', rateLimit: { max: ctx.config.rateLimits.signupsPerMinute, timeWindow: 60_000 } },
      schema: {
        tags: ['accounts'],
        summary: 'Create an account and a session',
        security: [],
        body: Closed({ email: Email, password: Password, display_name: DisplayName }),
        response: { 201: Type.Object({ user: UserView, session: SessionView }), ...commonErrors },
      },
    },
    async (request, reply) => {
      const { user, session } = await signUp(ctx, request.body);
      return reply.status(201).send({ user: presentUser(user), session: { token: session.token, expires_at: session.expires_at.toISOString() } });
    },
  );

  app.post(
    '/auth/login',
    {
      config: {
        auth: 'none',
        rateLimit: {
          max: ctx.config.rateLimits.loginPerMinute,
          timeWindow: 60_000,
          hook: 'preHandler',
          // Per address and account: guessing one account's password is slowed without locking out a shared office IP.
          keyGenerator: (req) => {
            const email = (req.body as { email?: unknown } | undefined)?.email;
            return `${req.ip}|${typeof email === 'string' ? email.toLowerCase() : ''}`;
          },
        },
      },
      schema: {
        tags: ['accounts'],
        summary: 'Log in with email and password',
        security: [],
        body: Closed({ email: Email, password: Type.String({ minLength: 1, maxLength: 200 }) }),
        response: { 200: Type.Object({ user: UserView, session: SessionView }), ...commonErrors },
      },
    },
    async (request) => {
      const { user, session } = await logIn(ctx, request.body);
      return { user: presentUser(user), session: { token: session.token, expires_at: session.expires_at.toISOString() } };
    },
  );

  app.post(
    '/auth/logout',
    { config: { auth: 'user' }, schema: { tags: ['accounts'], summary: 'End this session', response: { 204: Type.Null(), ...commonErrors } } },
    async (request, reply) => {
      const { user, sessionId } = requireUser(request);
      await logOut(ctx, user, sessionId);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/auth/logout-all',
    {
      config: { auth: 'user' },
      schema: { tags: ['accounts'], summary: 'End every session of this account', response: { 200: Type.Object({ revoked: Type.Integer() }), ...commonErrors } },
    },
    async (request) => ({ revoked: await logOutEverywhere(ctx, requireUser(request).user.id) }),
  );

  app.get(
    '/me',
    {
      schema: {
        tags: ['accounts'],
        summary: 'Who am I: the account and its org memberships, or the agent behind the token',
        response: {
          200: Type.Object({
            kind: Type.Union([Type.Literal('user'), Type.Literal('agent')]),
            user: Type.Union([UserView, Type.Null()]),
            memberships: Type.Array(Type.Object({ org: Type.Object({ id: Type.String(), name: Type.String(), slug: Type.String() }), member: MemberView })),
          }),
          ...commonErrors,
        },
      },
    },
    async (request) => {
      const principal = requirePrincipal(request);
      if (principal.type === 'agent') {
        const org = await ctx.db.selectFrom('orgs').select(['id', 'name', 'slug']).where('id', '=', principal.agent.org_id).executeTakeFirstOrThrow();
        return { kind: 'agent' as const, user: null, memberships: [{ org, member: presentMember(principal.agent) }] };
      }
      const rows = await membershipsOf(ctx, principal.user.id);
      return {
        kind: 'user' as const,
        user: presentUser(principal.user),
        memberships: rows.map(({ org_name, org_slug, ...member }) => ({
          org: { id: member.org_id, name: org_name, slug: org_slug },
          member: presentMember(member),
        })),
      };
    },
  );
}
