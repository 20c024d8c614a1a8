import { Type } from 'typebox';
import type { AppContext } from '../context.js';
import type { App } from '../http/app-type.js';
import { requirePrincipal, type Principal } from '../http/auth.js';
import { badRequest, notFound } from '../http/errors.js';
import { Closed, Uuid, commonErrors } from '../http/schemas.js';
import { accessChannel } from '../channels/access.js';
import { canReadMessages, canSee } from '../policy/channel.js';
import { channelHistory, readableMessage, threadPage, type PageAnchor } from './history.js';
import { MessageViewSchema } from './presenters.js';
import { addReaction, removeReaction } from './reactions.js';
import { postOptions } from './schemas.js';
import { deleteMessage, editMessage, maxBodyLength, postMessage } from './service.js';
import { appendChunk, endStream, maxChunkLength } from './streams.js';
import { viewOf } from './views.js';
import { recordAgentRead } from '../audit/agent-reads.js';
import { postingRateLimit } from '../http/rate-limits.js';

const Body = Type.String({ minLength: 1, maxLength: maxBodyLength, pattern: '\\S', description: 'markdown; not only whitespace' });
const Seq = Type.Integer({ minimum: 0 });
const PageQuery = Closed({
  before: Type.Optional(Seq),
  after: Type.Optional(Seq),
  around: Type.Optional(Seq),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
});
const PageResponse = { messages: Type.Array(MessageViewSchema), has_more_before: Type.Boolean(), has_more_after: Type.Boolean() };
const Emoji = Type.String({ pattern: '^(?:[a-z0-9_+-]{1,64}|[\\p{Extended_Pictographic}\\p{Emoji_Component}\\u200d\\ufe0f]{1,32})$', description: 'a shortcode like thumbsup, or an emoji' });
const MessageParams = Closed({ messageId: Uuid });

function anchorOf(q: { before?: number | undefined; after?: number | undefined; around?: number | undefined }, fallback: PageAnchor): PageAnchor {
  const given = [q.before, q.after, q.around].filter((v) => v !== undefined).length;
  if (given > 1) throw badRequest('conflicting_anchors', 'Give at most one of before, after and around.');
  if (q.before !== undefined) return { before: q.before };
  if (q.after !== undefined) return { after: q.after };
  if (q.around !== undefined) return { around: q.around };
  return fallback;
}

export function messageRoutes(app: App, ctx: AppContext): void {
  /** A message and the caller's access to its channel; hidden channels and hidden history are 404s. */
  async function load(principal: Principal, messageId: string, rule = canReadMessages) {
    const row = await ctx.db.selectFrom('messages').select('channel_id').where('id', '=', messageId).executeTakeFirst();
    if (!row) throw notFound('message');
    const a = await accessChannel(ctx, principal, row.channel_id, rule).catch((error: unknown) => {
      throw error instanceof Error && 'code' in error && error.code === 'channel_not_found' ? notFound('message') : error;
    });
    return { a, message: await readableMessage(ctx, a, messageId) };
  }

  app.post(
    '/channels/:channelId/messages',
    {
      config: {
        rateLimit: postingRateLimit(ctx.config),
      },
      schema: {
        tags: ['messages'],
        summary: 'Post a message or a thread reply (idempotent with client_msg_id)',
        params: Closed({ channelId: Uuid }),
        body: Closed({
          body: Body,
          thread_root_id: Type.Optional(Uuid),
          client_msg_id: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
          ...postOptions,
          stream: Type.Optional(Type.Boolean({ description: 'open a streamed reply: body is its first chunk; append with POST /messages/:id/chunks, finish with POST /messages/:id/end' })),
        }),
        response: { 200: Type.Object({ message: MessageViewSchema }), 201: Type.Object({ message: MessageViewSchema }), 413: commonErrors[400], ...commonErrors },
      },
    },
    async (request, reply) => {
      const a = await accessChannel(ctx, requirePrincipal(request), request.params.channelId, canSee);
      const { message, duplicate } = await postMessage(ctx, a, request.body);
      return reply.status(duplicate ? 200 : 201).send({ message });
    },
  );

  app.get(
    '/channels/:channelId/messages',
    {
      schema: {
        tags: ['messages'],
        summary: 'A page of history by seq: latest, or before/after/around a seq',
        params: Closed({ channelId: Uuid }),
        querystring: PageQuery,
        response: { 200: Type.Object(PageResponse), ...commonErrors },
      },
    },
    async (request) => {
      const a = await accessChannel(ctx, requirePrincipal(request), request.params.channelId, canReadMessages);
      return channelHistory(ctx, a, anchorOf(request.query, { latest: true }), request.query.limit ?? 50);
    },
  );

  app.get(
    '/messages/:messageId',
    { schema: { tags: ['messages'], summary: 'One message', params: MessageParams, response: { 200: Type.Object({ message: MessageViewSchema }), ...commonErrors } } },
    async (request) => {
      const { a, message } = await load(requirePrincipal(request), request.params.messageId);
      await recordAgentRead(ctx, a, 'agent.messages.read', [message.id]);
      return { message: await viewOf(ctx.db, message) };
    },
  );

  app.get(
    '/messages/:messageId/thread',
    {
      schema: {
        tags: ['messages'],
        summary: "A thread: its root and a page of replies (oldest first by default)",
        params: MessageParams,
        querystring: PageQuery,
        response: { 200: Type.Object({ root: MessageViewSchema, ...PageResponse }), ...commonErrors },
      },
    },
    async (request) => {
      const { a, message } = await load(requirePrincipal(request), request.params.messageId);
      return threadPage(ctx, a, message, anchorOf(request.query, { after: 0 }), request.query.limit ?? 50);
    },
  );

  app.patch(
    '/messages/:messageId',
    {
      schema: { tags: ['messages'], summary: 'Edit your message', params: MessageParams, body: Closed({ body: Body }), response: { 200: Type.Object({ message: MessageViewSchema }), ...commonErrors } },
    },
    async (request) => {
      const { a, message } = await load(requirePrincipal(request), request.params.messageId, canSee);
      return { message: await editMessage(ctx, a, message, request.body.body) };
    },
  );

  app.post(
    '/messages/:messageId/chunks',
    {
      schema: {
        tags: ['messages'],
        summary: "Append a chunk to your open streamed reply: the channel's readers see it live (a `stream` frame); nothing is stored as an event",
        params: MessageParams,
        body: Closed({ text: Type.String({ minLength: 1, maxLength: maxChunkLength }) }),
        response: { 200: Type.Object({ index: Type.Integer() }), 413: commonErrors[400], ...commonErrors },
      },
    },
    async (request) => {
      const { a, message } = await load(requirePrincipal(request), request.params.messageId, canSee);
      return appendChunk(ctx, a, message, request.body.text);
    },
  );

  app.post(
    '/messages/:messageId/end',
    {
      schema: {
        tags: ['messages'],
        summary: 'End your streamed reply: its final text (the chunks, or `body`) is stored once and sent as message.edited',
        params: MessageParams,
        body: Closed({ body: Type.Optional(Body) }),
        response: { 200: Type.Object({ message: MessageViewSchema }), ...commonErrors },
      },
    },
    async (request) => {
      const { a, message } = await load(requirePrincipal(request), request.params.messageId, canSee);
      return { message: await endStream(ctx, a, message, request.body.body) };
    },
  );

  app.delete(
    '/messages/:messageId',
    { schema: { tags: ['messages'], summary: 'Delete a message (its author or a moderator); a tombstone remains', params: MessageParams, response: { 200: Type.Object({ message: MessageViewSchema }), ...commonErrors } } },
    async (request) => {
      const { a, message } = await load(requirePrincipal(request), request.params.messageId, canSee);
      return { message: await deleteMessage(ctx, a, message) };
    },
  );

  app.put(
    '/messages/:messageId/reactions/:emoji',
    { schema: { tags: ['messages'], summary: 'Add your reaction', params: Closed({ messageId: Uuid, emoji: Emoji }), response: { 204: Type.Null(), ...commonErrors } } },
    async (request, reply) => {
      const { a, message } = await load(requirePrincipal(request), request.params.messageId, canSee);
      await addReaction(ctx, a, message, request.params.emoji);
      return reply.status(204).send(null);
    },
  );

  app.delete(
    '/messages/:messageId/reactions/:emoji',
    { schema: { tags: ['messages'], summary: 'Remove your reaction', params: Closed({ messageId: Uuid, emoji: Emoji }), response: { 204: Type.Null(), ...commonErrors } } },
    async (request, reply) => {
      const { a, message } = await load(requirePrincipal(request), request.params.messageId, canSee);
      await removeReaction(ctx, a, message, request.params.emoji);
      return reply.status(204).send(null);
    },
  );
}
