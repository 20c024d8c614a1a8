import { createHash, randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * Opaque bearer secrets. The prefix tells what a token is (`chs_` session,
 * `cha_` agent, `cht_` task, `chi_` invite) so a leaked one is recognisable; only the
 * SHA-256 of a token is stored, so a database dump reveals no usable token.
 */
export type TokenKind = 'chs' | 'cha' | 'chi' | 'cht';

export function newToken(kind: TokenKind): { token: string; hash: string } {
  const token = `${kind}_${randomBytes(32).toString('base64url')}`;
  return { token, hash: hashToken(token) };
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function tokenKind(token: string): TokenKind | null {
  const prefix = token.slice(0, 4);
  return prefix === 'chs_' || prefix === 'cha_' || prefix === 'chi_' || prefix === 'cht_' ? (prefix.slice(0, 3) as TokenKind) : null;
}

// scrypt runs on libuv's thread pool, off the event loop. N=2^15, r=8 costs ≈ 32 MiB and tens of ms.
const params: ScryptOptions = { N: 1 << 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };
const keyLength = 32;

function derive(password: string, salt: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFKC'), salt, keyLength, params, (err, key) => {
      if (err) reject(err);
      else resolve(key);
    });
  });
}

/** Returns `scrypt$N$r$p$salt$hash`, self-describing so the cost can be raised later. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt);
  return ['scrypt', params.N, params.r, params.p, salt.toString('base64'), key.toString('base64')].join('$');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, , , , salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  const actual = await derive(password, Buffer.from(salt, 'base64'));
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** A hash to compare against when the account does not exist, so timing does not reveal which emails are registered. */
export const decoyHash = await hashPassword(randomBytes(12).toString('hex'));
