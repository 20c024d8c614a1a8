import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { AppContext } from '../context.js';

/**
 * Download links: `/api/v1/files/:id/content?variant=…&expires=…&sig=…`, where
 * `sig` is an HMAC-SHA256 over the file id, the variant and the expiry with a
 * key only the servers hold. A reader obtains one through an authorised
 * request; whoever holds it may download until it expires (docs/SECURITY.md).
 */
export type Variant = 'original' | 'preview';

export interface SignedLink {
  /** Absolute, on CHORUS_PUBLIC_URL. */
  url: string;
  /** The same link from the API's origin (`/api/v1/files/…`), for clients that know the server's address. */
  path: string;
  expires_at: string;
}

const keys = new WeakMap<AppContext, Promise<Buffer>>();

/**
 * The signing key: CHORUS_FILES_SIGNING_SECRET, or a random key created once
 * in the database (the first node to ask writes it; every node reads the same).
 */
export function signingKey(ctx: AppContext): Promise<Buffer> {
  let key = keys.get(ctx);
  if (!key) {
    key = (async () => {
      if (ctx.config.files.signingSecret) return Buffer.from(ctx.config.files.signingSecret, 'utf8');
      await ctx.db
        .insertInto('server_secrets')
        .values({ name: 'files_signing_key', value: randomBytes(32).toString('base64url') })
        .onConflict((oc) => oc.column('name').doNothing())
        .execute();
      const row = await ctx.db.selectFrom('server_secrets').select('value').where('name', '=', 'files_signing_key').executeTakeFirstOrThrow();
      return Buffer.from(row.value, 'base64url');
    })();
    key.catch(() => keys.delete(ctx));
    keys.set(ctx, key);
  }
  return key;
}

function mac(key: Buffer, fileId: string, variant: Variant, expires: number): Buffer {
  return createHmac('sha256', key).update(`chorus-file\n${fileId}\n${variant}\n${expires}`).digest();
}

/** A link to the file's bytes (or its preview), valid for `files.linkTtlSeconds`. */
export async function signLink(ctx: AppContext, fileId: string, variant: Variant, now = Date.now()): Promise<SignedLink> {
  const expires = Math.floor(now / 1000) + ctx.config.files.linkTtlSeconds;
  const sig = mac(await signingKey(ctx), fileId, variant, expires).toString('base64url');
  const query = new URLSearchParams({ variant, expires: String(expires), sig });
  const path = `/api/v1/files/${fileId}/content?${query.toString()}`;
  return { url: `${ctx.config.publicUrl}${path}`, path, expires_at: new Date(expires * 1000).toISOString() };
}

/** Whether a link's signature is the server's for this file, variant and expiry, and the expiry is still ahead. */
export async function verifyLink(ctx: AppContext, fileId: string, variant: Variant, expires: number, sig: string, now = Date.now()): Promise<'valid' | 'expired' | 'forged'> {
  const expected = mac(await signingKey(ctx), fileId, variant, expires);
  const given = Buffer.from(sig, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'forged';
  return expires * 1000 < now ? 'expired' : 'valid';
}
