import { Type } from 'typebox';
import { accessChannel } from '../../channels/access.js';
import type { AppContext } from '../../context.js';
import type { App } from '../../http/app-type.js';
import { requirePrincipal } from '../../http/auth.js';
import { badRequest, notFound } from '../../http/errors.js';
import { Closed, Nullable, Uuid, commonErrors } from '../../http/schemas.js';
import { canReadDocs } from '../../policy/doc.js';
import { DocDiffSchema, DocRevisionSchema, DocSummarySchema, DocViewSchema, presentDocSummary, docColumns } from './presenters.js';
import { accessDoc, diffRevisions, listDocs, listRevisions, readDoc, readRevision } from './reads.js';
import { createDoc, docLimits, editDoc, restoreDoc, setDocArchived, setGuide } from './service.js';

const Title = Type.String({ minLength: 1, maxLength: docLimits.title, pattern: '\\S', description: `up to ${docLimits.title} characters; not only whitespace` });
const Body = Type.String({ maxLength: docLimits.body, description: `markdown, up to ${docLimits.body.toLocaleString('en')} characters` });
const Revision = Type.Integer({ minimum: 1 });
const DocParams = Closed({ docId: Uuid });
const ChannelParams = Closed({ channelId: Uuid });
const DocAnswer = Type.Object({ doc: DocViewSchema });

export function docRoutes(app: App, ctx: AppContext): void {
  app.post(
    '/channels/:channelId/docs',
    {
      schema: {
        tags: ['docs'],
        summary: 'Create a markdown doc in the channel (who may post here may write docs); revision 1',
        params: ChannelParams,
        body: Closed({ title: Title, body: Body }),
        response: { 201: DocAnswer, ...commonErrors },
      },
    },
    async (request, reply) => {
      const a = await accessChannel(ctx, requirePrincipal(request), request.params.channelId, canReadDocs);
      return reply.status(201).send({ doc: await createDoc(ctx, a, request.body) });
    },
  );

  app.get(
    '/channels/:channelId/docs',
    {
      schema: {
        tags: ['docs'],
        summary: "The channel's docs without their bodies: the guide first, then the most recently updated; archived ones only on request",
        params: ChannelParams,
        querystring: Closed({ include_archived: Type.Optional(Type.Boolean()), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, description: 'default 100' })) }),
        response: { 200: Type.Object({ docs: Type.Array(DocSummarySchema), has_more: Type.Boolean() }), ...commonErrors },
      },
    },
    async (request) => {
      const a = await accessChannel(ctx, requirePrincipal(request), request.params.channelId, canReadDocs);
      return listDocs(ctx, a, { includeArchived: request.query.include_archived ?? false, limit: request.query.limit ?? 100 });
    },
  );

  app.put(
    '/channels/:channelId/guide',
    {
      schema: {
        tags: ['docs'],
        summary: "Mark one of the channel's docs as its guide for agents (null: none); channel moderators and org admins",
        params: ChannelParams,
        body: Closed({ doc_id: Nullable(Uuid) }),
        response: { 200: Type.Object({ guide: Nullable(DocSummarySchema) }), ...commonErrors },
      },
    },
    async (request) => {
      const a = await accessChannel(ctx, requirePrincipal(request), request.params.channelId, canReadDocs);
      const { doc_id: docId } = request.body;
      const doc = docId ? await ctx.db.selectFrom('channel_docs').select(docColumns).where('id', '=', docId).where('channel_id', '=', a.channel.id).executeTakeFirst() : null;
      if (docId && !doc) throw notFound('doc');
      const guide = await setGuide(ctx, a, doc ?? null);
      return { guide: guide ? presentDocSummary(guide) : null };
    },
  );

  app.get(
    '/docs/:docId',
    { schema: { tags: ['docs'], summary: 'A doc with its body', params: DocParams, response: { 200: DocAnswer, ...commonErrors } } },
    async (request) => {
      const { a, doc } = await accessDoc(ctx, requirePrincipal(request), request.params.docId);
      return { doc: await readDoc(ctx, a, doc) };
    },
  );

  app.patch(
    '/docs/:docId',
    {
      schema: {
        tags: ['docs'],
        summary: 'Edit a doc: name the revision you edited; if the doc moved on since, 409 revision_conflict with the current doc in details.doc',
        params: DocParams,
        body: Closed({ revision: Revision, title: Type.Optional(Title), body: Type.Optional(Body) }),
        response: { 200: DocAnswer, ...commonErrors },
      },
    },
    async (request) => {
      const { a, doc } = await accessDoc(ctx, requirePrincipal(request), request.params.docId);
      return { doc: await editDoc(ctx, a, doc, request.body) };
    },
  );

  app.get(
    '/docs/:docId/revisions',
    {
      schema: {
        tags: ['docs'],
        summary: "The doc's revisions with their authors, newest first, without bodies",
        params: DocParams,
        querystring: Closed({ before: Type.Optional(Revision), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, description: 'default 50' })) }),
        response: { 200: Type.Object({ revisions: Type.Array(DocRevisionSchema), has_more: Type.Boolean() }), ...commonErrors },
      },
    },
    async (request) => {
      const { a, doc } = await accessDoc(ctx, requirePrincipal(request), request.params.docId);
      return listRevisions(ctx, a, doc, { before: request.query.before, limit: request.query.limit ?? 50 });
    },
  );

  app.get(
    '/docs/:docId/revisions/:revision',
    {
      schema: {
        tags: ['docs'],
        summary: 'One revision of a doc, with its body',
        params: Closed({ docId: Uuid, revision: Revision }),
        response: { 200: Type.Object({ revision: DocRevisionSchema }), ...commonErrors },
      },
    },
    async (request) => {
      const { a, doc } = await accessDoc(ctx, requirePrincipal(request), request.params.docId);
      return { revision: await readRevision(ctx, a, doc, request.params.revision) };
    },
  );

  app.get(
    '/docs/:docId/diff',
    {
      schema: {
        tags: ['docs'],
        summary: 'A line-based unified diff of the body between two revisions',
        params: DocParams,
        querystring: Closed({ from: Revision, to: Revision }),
        response: { 200: DocDiffSchema, ...commonErrors },
      },
    },
    async (request) => {
      const { a, doc } = await accessDoc(ctx, requirePrincipal(request), request.params.docId);
      return diffRevisions(ctx, a, doc, request.query.from, request.query.to);
    },
  );

  app.post(
    '/docs/:docId/restore',
    {
      schema: {
        tags: ['docs'],
        summary: 'Restore an old revision: it becomes a new revision (history is kept). current_revision, when given, guards like an edit',
        params: DocParams,
        body: Closed({ revision: Revision, current_revision: Type.Optional(Revision) }),
        response: { 200: DocAnswer, ...commonErrors },
      },
    },
    async (request) => {
      const { a, doc } = await accessDoc(ctx, requirePrincipal(request), request.params.docId);
      if (request.body.revision === doc.revision) throw badRequest('already_current', `Revision ${doc.revision} is the current revision.`);
      return { doc: await restoreDoc(ctx, a, doc, request.body) };
    },
  );

  for (const [path, archived] of [['/docs/:docId/archive', true], ['/docs/:docId/unarchive', false]] as const) {
    app.post(
      path,
      {
        schema: {
          tags: ['docs'],
          summary: archived ? "Archive a doc (its creator, channel moderators, org admins); archiving the guide leaves the channel without one" : 'Unarchive a doc',
          params: DocParams,
          response: { 200: DocAnswer, ...commonErrors },
        },
      },
      async (request) => {
        const { a, doc } = await accessDoc(ctx, requirePrincipal(request), request.params.docId);
        return { doc: await setDocArchived(ctx, a, doc, archived) };
      },
    );
  }
}
