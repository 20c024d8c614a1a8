import { Type } from 'typebox';
import type { AppContext } from '../context.js';
import type { App } from '../http/app-type.js';
import { requirePrincipal } from '../http/auth.js';
import { notFound } from '../http/errors.js';
import { Closed, ErrorResponse, Timestamp, Uuid, commonErrors } from '../http/schemas.js';
import { accessChannel } from '../channels/access.js';
import { recordAgentRead } from '../audit/agent-reads.js';
import { canReadFiles, canUpload } from '../policy/file.js';
import { canSee } from '../policy/channel.js';
import { postingRateLimit } from '../http/rate-limits.js';
import { accessFile, channelFiles } from './access.js';
import { serveFile } from './download.js';
import { signLink } from './links.js';
import { FileViewSchema, LinkSchema, presentFile } from './presenters.js';
import { deleteFile, uploadFile } from './service.js';

const FileParams = Closed({ fileId: Uuid });
const Variant = Type.Union([Type.Literal('original'), Type.Literal('preview')], { description: 'the bytes as uploaded, or the thumbnail of an image' });

/**
 * Files (docs: README "Files", SECURITY.md "Files"). The upload is the raw
 * request body, streamed to storage: no multipart parsing, one file per
 * request, and a browser sends a `File` as it is (`fetch(url, { body: file })`).
 */
export function fileRoutes(app: App, ctx: AppContext): void {
  // Only the upload route takes any content type, as a stream: the parsers are replaced in its own scope.
  void app.register((scope, _opts, done) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, _payload, parsed) => { parsed(null); });
    (scope as unknown as App).post(
      '/channels/:channelId/files',
      {
        bodyLimit: Number.MAX_SAFE_INTEGER, // the upload's own limit (files.maxBytes) applies while it streams
        config: { rateLimit: postingRateLimit(ctx.config) },
        schema: {
          tags: ['files'],
          summary: 'Upload a file to the channel: the request body is the file (any Content-Type; the type is detected from the bytes). Attach it with file_ids on a post.',
          params: Closed({ channelId: Uuid }),
          querystring: Closed({ name: Type.String({ minLength: 1, maxLength: 1024, description: 'the file name to show' }) }),
          response: { 201: Type.Object({ file: FileViewSchema }), 413: ErrorResponse, ...commonErrors },
        },
      },
      async (request, reply) => {
        const a = await accessChannel(ctx, requirePrincipal(request), request.params.channelId, canUpload);
        const declared = request.headers['content-length'];
        const file = await uploadFile(ctx, a, { body: request.raw, name: request.query.name, declaredLength: declared === undefined ? null : Number(declared) });
        return reply.status(201).send({ file });
      },
    );
    done();
  });

  app.get(
    '/channels/:channelId/files',
    {
      schema: {
        tags: ['files'],
        summary: "The channel's files you may read (attached to messages you may read, and your own pending uploads), newest first",
        params: Closed({ channelId: Uuid }),
        querystring: Closed({ before: Type.Optional(Timestamp), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })) }),
        response: { 200: Type.Object({ files: Type.Array(FileViewSchema), has_more: Type.Boolean() }), ...commonErrors },
      },
    },
    async (request) => {
      const a = await accessChannel(ctx, requirePrincipal(request), request.params.channelId, canReadFiles);
      const page = await channelFiles(ctx, a, { before: request.query.before, limit: request.query.limit ?? 50 });
      await recordAgentRead(ctx, a, 'agent.files.read', page.files.map((f) => f.id));
      return page;
    },
  );

  app.get(
    '/files/:fileId',
    { schema: { tags: ['files'], summary: "A file's metadata", params: FileParams, response: { 200: Type.Object({ file: FileViewSchema }), ...commonErrors } } },
    async (request) => {
      const { a, file } = await accessFile(ctx, requirePrincipal(request), request.params.fileId);
      await recordAgentRead(ctx, a, 'agent.files.read', [file.id]);
      return { file: presentFile(file) };
    },
  );

  app.post(
    '/files/:fileId/link',
    {
      schema: {
        tags: ['files'],
        summary: "A short-lived signed link to the file's bytes (or its thumbnail): GET it without a token until expires_at",
        params: FileParams,
        body: Closed({ variant: Type.Optional(Variant) }),
        response: { 200: LinkSchema, ...commonErrors },
      },
    },
    async (request) => {
      const { a, file } = await accessFile(ctx, requirePrincipal(request), request.params.fileId);
      const variant = request.body.variant ?? 'original';
      if (variant === 'preview' && !file.preview_key) throw notFound('preview');
      await recordAgentRead(ctx, a, 'agent.files.read', [file.id], { link: variant });
      return signLink(ctx, file.id, variant);
    },
  );

  app.get(
    '/files/:fileId/content',
    {
      config: { auth: 'none' },
      schema: {
        tags: ['files'],
        summary: 'The bytes, for the holder of a signed link (POST /files/:id/link); no token',
        security: [],
        params: FileParams,
        querystring: Closed({ variant: Variant, expires: Type.Integer({ minimum: 0 }), sig: Type.String({ minLength: 1, maxLength: 128 }) }),
        response: { 400: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse },
      },
    },
    async (request, reply) => serveFile(ctx, reply, request.params.fileId, request.query),
  );

  app.delete(
    '/files/:fileId',
    {
      schema: {
        tags: ['files'],
        summary: 'Delete a file (its uploader, or a channel moderator or org admin): its bytes go, its message loses the attachment',
        params: FileParams,
        response: { 204: Type.Null(), ...commonErrors },
      },
    },
    async (request, reply) => {
      const { a, file } = await accessFile(ctx, requirePrincipal(request), request.params.fileId, canSee);
      await deleteFile(ctx, a, file);
      return reply.status(204).send(null);
    },
  );
}
