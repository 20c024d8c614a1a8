import { Type } from 'typebox';
import { recordAgentSearchDenied } from '../audit/agent-reads.js';
import type { AppContext } from '../context.js';
import type { App } from '../http/app-type.js';
import { actorIn, requirePrincipal } from '../http/auth.js';
import { AppError, badRequest } from '../http/errors.js';
import { Closed, Timestamp, Uuid, commonErrors } from '../http/schemas.js';
import type { Actor } from '../policy/actor.js';
import { enforce } from '../policy/decision.js';
import { canSearch } from '../policy/search.js';
import { ExperienceStatusSchema } from '../experience/presenters.js';
import { SearchKindSchema, SearchResultSchema } from './presenters.js';
import { decodeCursor } from './query.js';
import { search } from './service.js';
import { searchKinds } from './sources.js';

export const searchLimits = { hits: 20, maxHits: 100, maxQuery: 256 } as const;

export function searchRoutes(app: App, ctx: AppContext): void {
  app.get(
    '/orgs/:orgId/search',
    {
      schema: {
        tags: ['search'],
        summary: 'Full-text search over what you may read (messages, channel docs, experience), ranked, with highlighted snippets; an agent finds only what its read rules, and a task token only what its task channel, allow; agent searches are audited',
        params: Closed({ orgId: Uuid }),
        querystring: Closed({
          q: Type.String({ minLength: 1, maxLength: searchLimits.maxQuery, pattern: '\\S', description: 'words, "a phrase", or, -excluded (websearch syntax)' }),
          kinds: Type.Optional(Type.Array(SearchKindSchema, { minItems: 1, description: 'repeat to search several kinds; default all' })),
          channel_id: Type.Optional(Uuid),
          author_id: Type.Optional(Uuid),
          author_kind: Type.Optional(Type.Union([Type.Literal('human'), Type.Literal('agent')])),
          since: Type.Optional(Timestamp),
          until: Type.Optional(Timestamp),
          pinned: Type.Optional(Type.Boolean({ description: 'has:pin — only pinned messages (no other kind is pinned)' })),
          include_archived: Type.Optional(Type.Boolean({ description: 'docs: archived ones too' })),
          status: Type.Optional(Type.Union([ExperienceStatusSchema, Type.Literal('all')], { description: 'experience: current (`active`, the default) or history' })),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: searchLimits.maxHits, description: `default ${searchLimits.hits}` })),
          cursor: Type.Optional(Type.String({ maxLength: 512 })),
        }),
        response: { 200: SearchResultSchema, ...commonErrors },
      },
    },
    async (request) => {
      const principal = requirePrincipal(request);
      const { orgId } = request.params;
      const query = request.query;
      try {
        const actor = await actorIn(ctx, principal, orgId);
        enforce(canSearch(actor));
        const since = query.since === undefined ? undefined : new Date(query.since);
        const until = query.until === undefined ? undefined : new Date(query.until);
        if (since && until && since >= until) throw badRequest('invalid_range', 'since must be before until.');
        return await search(ctx, actor as Actor, orgId, query.kinds ?? searchKinds, {
          q: query.q,
          filters: {
            channelId: query.channel_id,
            authorId: query.author_id,
            authorKind: query.author_kind,
            since,
            until,
            pinned: query.pinned,
            includeArchived: query.include_archived,
            status: query.status,
          },
          after: query.cursor === undefined ? null : decodeCursor(query.cursor),
          limit: query.limit ?? searchLimits.hits,
        });
      } catch (error) {
        // A refused search by an agent of this org is on the record; one naming another org is not that org's business.
        if (principal.type === 'agent' && principal.agent.org_id === orgId && error instanceof AppError && error.status < 500) {
          await recordAgentSearchDenied(ctx, principal.agent, error.code, principal.boundary?.taskId);
        }
        throw error;
      }
    },
  );
}
