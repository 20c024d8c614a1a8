import { Type } from 'typebox';
import { recordAgentRead } from '../audit/agent-reads.js';
import { accessChannel } from '../channels/access.js';
import type { AppContext } from '../context.js';
import type { App } from '../http/app-type.js';
import { requirePrincipal } from '../http/auth.js';
import { postingRateLimit } from '../http/rate-limits.js';
import { Closed, NullableTimestamp, Uuid, commonErrors } from '../http/schemas.js';
import { enterOrg } from '../orgs/access.js';
import { enforce } from '../policy/decision.js';
import { canCreateEntry, canListChannelEntries, canReadChannelInsights, canReadEntry } from '../policy/experience.js';
import { canReadInsights } from '../policy/task.js';
import { OrgInsightsSchema } from '../tasks/presenters.js';
import { orgInsights } from '../tasks/stats.js';
import { accessEntry } from './access.js';
import { EntryListResponse, EntryResponse, ExperienceStatusSchema, ExperienceViewSchema } from './presenters.js';
import { channelEntries, channelReviewQueue, experienceInsights, orgEntries, orgReviewQueue, recordOrgRead } from './reads.js';
import { confirmEntry, createEntry, editEntry, promoteEntry, retireEntry, viewOf } from './service.js';
import { report, unvote, vote } from './signals.js';

const Title = Type.String({ minLength: 1, maxLength: 200, pattern: '\\S' });
const Body = Type.String({ minLength: 1, maxLength: 20_000, pattern: '\\S' });
const Tags = Type.Array(Type.String({ minLength: 1, maxLength: 40, pattern: '^[^\\s,]+$' }), { maxItems: 20 });
const Reason = Type.String({ minLength: 1, maxLength: 2000, pattern: '\\S' });
const Source = Closed({ type: Type.Union([Type.Literal('message'), Type.Literal('thread'), Type.Literal('doc')]), id: Uuid });
const EntryParams = Closed({ entryId: Uuid });
const ChannelParams = Closed({ channelId: Uuid });
const OrgParams = Closed({ orgId: Uuid });
const ListQuery = Closed({
  status: Type.Optional(Type.Union([ExperienceStatusSchema, Type.Literal('all')], { description: 'current (`active`, the default) or history' })),
  tag: Type.Optional(Type.String({ minLength: 1, maxLength: 40 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
});
const QueueQuery = Closed({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })) });
const Days = Type.Optional(Type.Integer({ minimum: 1, maximum: 365, description: 'the window of the task figures, in days back from now (30 by default)' }));
const ExperienceInsightsSchema = Type.Object({
  most_used: Type.Array(ExperienceViewSchema),
  best_rated: Type.Array(ExperienceViewSchema),
  due_for_review: Type.Array(ExperienceViewSchema),
});
const errors = commonErrors;

/** Experience: distil, read, edit, review, retire, promote, rate; lists, review queues and insights. */
export function experienceRoutes(app: App, ctx: AppContext): void {
  app.post(
    '/channels/:channelId/experience',
    {
      config: { rateLimit: postingRateLimit(ctx.config) },
      schema: {
        tags: ['experience'],
        summary: 'Distil an entry in this channel from messages or threads you may read; every source must pass the audience rule into the channel',
        params: ChannelParams,
        body: Closed({
          title: Title,
          body: Body,
          tags: Type.Optional(Tags),
          sources: Type.Array(Source, { minItems: 1, maxItems: 50 }),
          expires_at: Type.Optional(NullableTimestamp),
          review_by: Type.Optional(NullableTimestamp),
        }),
        response: { 201: EntryResponse, ...errors },
      },
    },
    async (request, reply) => {
      const a = await accessChannel(ctx, requirePrincipal(request), request.params.channelId, canCreateEntry);
      return reply.status(201).send({ experience: await createEntry(ctx, a, request.body) });
    },
  );

  app.get(
    '/channels/:channelId/experience',
    { schema: { tags: ['experience'], summary: "Entries distilled in this channel that you may read; current ones unless `status` asks for history", params: ChannelParams, querystring: ListQuery, response: { 200: EntryListResponse, ...errors } } },
    async (request) => {
      const a = await accessChannel(ctx, requirePrincipal(request), request.params.channelId, canListChannelEntries);
      const experience = await channelEntries(ctx, a, { ...request.query, limit: request.query.limit ?? 50 });
      await recordAgentRead(ctx, a, 'agent.experience.read', experience.map((e) => e.id));
      return { experience };
    },
  );

  app.get(
    '/channels/:channelId/experience/review',
    { schema: { tags: ['experience'], summary: "The channel's review queue: current entries past review_by or poorly rated", params: ChannelParams, querystring: QueueQuery, response: { 200: EntryListResponse, ...errors } } },
    async (request) => {
      const a = await accessChannel(ctx, requirePrincipal(request), request.params.channelId, canListChannelEntries);
      const experience = await channelReviewQueue(ctx, a, request.query.limit ?? 50);
      await recordAgentRead(ctx, a, 'agent.experience.read', experience.map((e) => e.id));
      return { experience };
    },
  );

  app.get(
    '/orgs/:orgId/experience',
    { schema: { tags: ['experience'], summary: "The org's org-scope entries (for its members who are not guests)", params: OrgParams, querystring: ListQuery, response: { 200: EntryListResponse, ...errors } } },
    async (request) => {
      const actor = await enterOrg(ctx, requirePrincipal(request), request.params.orgId);
      const experience = await orgEntries(ctx, actor, { ...request.query, limit: request.query.limit ?? 50 });
      await recordOrgRead(ctx, actor, experience.map((e) => e.id));
      return { experience };
    },
  );

  app.get(
    '/orgs/:orgId/experience/review',
    { schema: { tags: ['experience'], summary: "The org's review queue of org-scope entries", params: OrgParams, querystring: QueueQuery, response: { 200: EntryListResponse, ...errors } } },
    async (request) => {
      const actor = await enterOrg(ctx, requirePrincipal(request), request.params.orgId);
      const experience = await orgReviewQueue(ctx, actor, request.query.limit ?? 50);
      await recordOrgRead(ctx, actor, experience.map((e) => e.id));
      return { experience };
    },
  );

  app.get(
    '/experience/:entryId',
    { schema: { tags: ['experience'], summary: 'One entry, current or history, if you read it', params: EntryParams, response: { 200: EntryResponse, ...errors } } },
    async (request) => {
      const { entry, origin } = await accessEntry(ctx, requirePrincipal(request), request.params.entryId, canReadEntry);
      await recordAgentRead(ctx, origin, 'agent.experience.read', [entry.id]);
      return { experience: await viewOf(ctx, entry) };
    },
  );

  app.patch(
    '/experience/:entryId',
    {
      schema: {
        tags: ['experience'],
        summary: "Edit an entry: its author, the origin channel's moderators, org admins",
        params: EntryParams,
        body: Closed({ title: Type.Optional(Title), body: Type.Optional(Body), tags: Type.Optional(Tags), expires_at: Type.Optional(NullableTimestamp), review_by: Type.Optional(NullableTimestamp) }),
        response: { 200: EntryResponse, ...errors },
      },
    },
    async (request) => ({ experience: await editEntry(ctx, requirePrincipal(request), request.params.entryId, request.body) }),
  );

  app.post(
    '/experience/:entryId/confirm',
    {
      schema: {
        tags: ['experience'],
        summary: 'A person confirms the entry still holds: it leaves the review queue, with its next review date (or none)',
        params: EntryParams,
        body: Closed({ review_by: Type.Optional(NullableTimestamp) }),
        response: { 200: EntryResponse, ...errors },
      },
    },
    async (request) => ({ experience: await confirmEntry(ctx, requirePrincipal(request), request.params.entryId, request.body.review_by) }),
  );

  app.post(
    '/experience/:entryId/deprecate',
    { schema: { tags: ['experience'], summary: 'Deprecate: never served as current again; still readable as history', params: EntryParams, response: { 200: EntryResponse, ...errors } } },
    async (request) => ({ experience: await retireEntry(ctx, requirePrincipal(request), request.params.entryId, { status: 'deprecated' }) }),
  );

  app.post(
    '/experience/:entryId/supersede',
    {
      schema: {
        tags: ['experience'],
        summary: 'Mark superseded by a current entry that everyone who reads this one reads too',
        params: EntryParams,
        body: Closed({ by: Uuid }),
        response: { 200: EntryResponse, ...errors },
      },
    },
    async (request) => ({ experience: await retireEntry(ctx, requirePrincipal(request), request.params.entryId, { status: 'superseded', byId: request.body.by }) }),
  );

  app.post(
    '/experience/:entryId/promote',
    {
      schema: {
        tags: ['experience'],
        summary: 'Promote to org scope when every person of the org (not guests) reads its sources, or by an org admin’s audited override',
        params: EntryParams,
        body: Closed({ override: Type.Optional(Type.Boolean()), reason: Type.Optional(Reason) }),
        response: { 200: EntryResponse, ...errors },
      },
    },
    async (request) => ({ experience: await promoteEntry(ctx, requirePrincipal(request), request.params.entryId, { override: request.body.override ?? false, reason: request.body.reason }) }),
  );

  app.put(
    '/experience/:entryId/vote',
    {
      schema: {
        tags: ['experience'],
        summary: 'Endorse or flag (with a reason): one vote per person, changeable',
        params: EntryParams,
        body: Closed({ vote: Type.Union([Type.Literal('endorse'), Type.Literal('flag')]), reason: Type.Optional(Reason) }),
        response: { 200: EntryResponse, ...errors },
      },
    },
    async (request) => ({ experience: await vote(ctx, requirePrincipal(request), request.params.entryId, request.body) }),
  );

  app.delete(
    '/experience/:entryId/vote',
    { schema: { tags: ['experience'], summary: 'Withdraw your vote', params: EntryParams, response: { 204: Type.Null(), ...errors } } },
    async (request, reply) => {
      await unvote(ctx, requirePrincipal(request), request.params.entryId);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/experience/:entryId/reports',
    {
      schema: {
        tags: ['experience'],
        summary: 'An agent reports whether the entry helped in a task it holds: one report per task',
        params: EntryParams,
        body: Closed({ task_id: Uuid, outcome: Type.Union([Type.Literal('helpful'), Type.Literal('unhelpful')]), note: Type.Optional(Reason) }),
        response: { 201: EntryResponse, ...errors },
      },
    },
    async (request, reply) => reply.status(201).send({ experience: await report(ctx, requirePrincipal(request), request.params.entryId, request.body) }),
  );

  app.get(
    '/channels/:channelId/insights',
    {
      schema: {
        tags: ['experience'],
        summary: "The channel's most used and best rated experience, entries due for review, and where people intervene on agents' work here",
        params: ChannelParams,
        querystring: Closed({ days: Days }),
        response: { 200: Type.Object({ experience: ExperienceInsightsSchema, tasks: OrgInsightsSchema }), ...errors },
      },
    },
    async (request) => {
      const a = await accessChannel(ctx, requirePrincipal(request), request.params.channelId, canReadChannelInsights);
      const [experience, tasks] = await Promise.all([experienceInsights(ctx, a.actor, { channel: a }), orgInsights(ctx, a.channel.org_id, request.query.days ?? 30, 20, a.channel.id)]);
      return { experience, tasks };
    },
  );

  app.get(
    '/orgs/:orgId/insights/experience',
    {
      schema: {
        tags: ['experience'],
        summary: "The org's most used and best rated org-scope experience, and those due for review (org admins)",
        params: OrgParams,
        response: { 200: ExperienceInsightsSchema, ...errors },
      },
    },
    async (request) => {
      const actor = await enterOrg(ctx, requirePrincipal(request), request.params.orgId);
      enforce(canReadInsights(actor));
      return experienceInsights(ctx, actor, { orgId: actor.member.org_id });
    },
  );
}
