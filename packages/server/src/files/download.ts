import type { FastifyReply } from 'fastify';
import type { AppContext } from '../context.js';
import { AppError, forbidden, notFound } from '../http/errors.js';
import { inlineImages } from './inspect.js';
import { verifyLink, type Variant } from './links.js';
import { fileStore } from './service.js';
import { MissingObject } from './storage.js';

/**
 * `Content-Disposition` for a stored name: an ASCII fallback with anything
 * unusual replaced, and the exact name in RFC 5987 form for browsers that read it.
 */
export function contentDisposition(kind: 'inline' | 'attachment', name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\%;]/g, '_');
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

/**
 * Nothing served from here ever runs as part of the app: no script, no styles,
 * no frames, no plugins, and `sandbox` makes a document opened directly a
 * unique opaque origin (docs/SECURITY.md).
 */
export const filesCsp = "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; sandbox; frame-ancestors 'none'";

/**
 * Streams a file's bytes (or its thumbnail) to whoever holds a valid link:
 * the signature must be the server's for this file and variant and not
 * expired (403 otherwise), and the file must still exist (404). Raster images
 * are shown inline; everything else, HTML and SVG included, is an attachment,
 * with `nosniff` and the CSP above.
 */
export async function serveFile(
  ctx: AppContext,
  reply: FastifyReply,
  fileId: string,
  link: { variant: Variant; expires: number; sig: string },
): Promise<FastifyReply> {
  const verdict = await verifyLink(ctx, fileId, link.variant, link.expires, link.sig);
  if (verdict === 'forged') throw forbidden('invalid_signature', 'This link is not valid.');
  if (verdict === 'expired') throw forbidden('link_expired', 'This link has expired; ask for a new one.');
  const file = await ctx.db.selectFrom('files').selectAll().where('id', '=', fileId).where('deleted_at', 'is', null).executeTakeFirst();
  const key = link.variant === 'preview' ? file?.preview_key : file?.storage_key;
  if (!file || !key) throw notFound('file');
  let body;
  try {
    body = await fileStore(ctx).get(key);
  } catch (error) {
    if (error instanceof MissingObject) throw new AppError(404, 'file_not_found', 'The file is no longer stored.');
    throw error;
  }
  const preview = link.variant === 'preview';
  const mime = preview ? 'image/webp' : file.mime;
  const inline = preview || inlineImages.has(mime);
  void reply
    .header('content-type', mime)
    .header('content-disposition', contentDisposition(inline ? 'inline' : 'attachment', preview ? `${file.name}.preview.webp` : file.name))
    .header('x-content-type-options', 'nosniff')
    .header('content-security-policy', filesCsp)
    .header('referrer-policy', 'no-referrer')
    // The link is a bearer credential until it expires: not for shared caches.
    .header('cache-control', `private, max-age=${Math.max(0, link.expires - Math.floor(Date.now() / 1000))}`);
  if (!preview) void reply.header('content-length', String(file.size));
  return reply.send(body);
}
