import { Type } from 'typebox';
import { accessChannel } from '../../channels/access.js';
import type { AppContext } from '../../context.js';
import type { App } from '../../http/app-type.js';
import { requirePrincipal, type Principal } from '../../http/auth.js';
import { AppError, notFound } from '../../http/errors.js';
import { Closed, Uuid, commonErrors } from '../../http/schemas.js';
import { readableMessage } from '../../messages/history.js';
import { MessageViewSchema } from '../../messages/presenters.js';
import { viewOf } from '../../messages/views.js';
import { canReadMessages, canSee } from '../../policy/channel.js';
import { PinEntrySchema, PinViewSchema } from './presenters.js';
import { listPins, maxNoteLength, pinMessage, unpinMessage } from './service.js';

export function pinRoutes(app: App, ctx: AppContext): void {
  /** The message through the channel's read path: hidden channels, history and messages are all `message_not_found`. */
  async function load(principal: Principal, messageId: string) {
    const row = await ctx.db.selectFrom('messages').select('channel_id').where('id', '=', messageId).executeTakeFirst();
    if (!row) throw notFound('message');
    const a = await accessChannel(ctx, principal, row.channel_id, canSee).catch((error: unknown) => {
      throw error instanceof AppError && error.code === 'channel_not_found' ? notFound('message') : error;
    });
    return { a, message: await readableMessage(ctx, a, messageId) };
  }

  app.get(
    '/channels/:channelId/pins',
    {
      schema: {
        tags: ['pins'],
        summary: "The channel's pins, most recently pinned first, with their messages (only those the caller may read)",
        params: Closed({ channelId: Uuid }),
        querystring: Closed({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, description: 'default 100' })) }),
        response: { 200: Type.Object({ pins: Type.Array(PinEntrySchema), has_more: Type.Boolean() }), ...commonErrors },
      },
    },
    async (request) => {
      const a = await accessChannel(ctx, requirePrincipal(request), request.params.channelId, canReadMessages);
      return listPins(ctx, a, request.query.limit ?? 100);
    },
  );

  app.put(
    '/messages/:messageId/pin',
    {
      schema: {
        tags: ['pins'],
        summary: 'Pin a message (who may: the channel\'s who_may_pin); 201 when pinned now, 200 with the existing pin when it already was',
        params: Closed({ messageId: Uuid }),
        body: Closed({ note: Type.Optional(Type.String({ maxLength: maxNoteLength })) }, { description: 'optional: a PUT without a body pins without a note' }),
        response: { 200: Type.Object({ pin: PinViewSchema, message: MessageViewSchema }), 201: Type.Object({ pin: PinViewSchema, message: MessageViewSchema }), ...commonErrors },
      },
      // No body at all is a pin without a note.
      preValidation: (request, _reply, done) => {
        request.body ??= {};
        done();
      },
    },
    async (request, reply) => {
      const { a, message } = await load(requirePrincipal(request), request.params.messageId);
      const note = request.body.note?.trim() || null;
      const { pin, created } = await pinMessage(ctx, a, message, note);
      return reply.status(created ? 201 : 200).send({ pin, message: await viewOf(ctx.db, message) });
    },
  );

  app.delete(
    '/messages/:messageId/pin',
    { schema: { tags: ['pins'], summary: 'Unpin a message (who may pin may unpin)', params: Closed({ messageId: Uuid }), response: { 204: Type.Null(), ...commonErrors } } },
    async (request, reply) => {
      const { a, message } = await load(requirePrincipal(request), request.params.messageId);
      await unpinMessage(ctx, a, message);
      return reply.status(204).send(null);
    },
  );
}
