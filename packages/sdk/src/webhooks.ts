/**
 * Verifying Chorus's outgoing webhooks. Chorus signs each delivery with the
 * agent's webhook secret: HMAC-SHA256 over `${timestamp}.${body}`, sent as
 * `X-Chorus-Signature: v1=<hex>` with `X-Chorus-Timestamp: <unix seconds>`.
 * Works wherever Web Crypto does (Node ≥ 20, browsers, edge runtimes).
 *
 * @example
 *   const ok = await verifyWebhookSignature({
 *     secret: process.env.CHORUS_WEBHOOK_SECRET!,
 *     body: rawBody, // the exact bytes received, as text, before JSON.parse
 *     signature: req.headers['x-chorus-signature'],
 *     timestamp: req.headers['x-chorus-timestamp'],
 *   });
 *   if (!ok) return res.writeHead(401).end();
 */

export const signatureHeader = 'x-chorus-signature';
export const timestampHeader = 'x-chorus-timestamp';
export const deliveryHeader = 'x-chorus-delivery';

export interface WebhookSignatureInput {
  /** The agent's webhook secret (`chw_…`), as shown when it was set or rotated. */
  secret: string;
  /** The raw request body, exactly as received. */
  body: string;
  /** The `X-Chorus-Signature` header (may list several `v1=` values, comma-separated, during a rotation). */
  signature: string | string[] | null | undefined;
  /** The `X-Chorus-Timestamp` header, in Unix seconds. */
  timestamp: string | string[] | null | undefined;
  /** How old a delivery may be, in seconds, to refuse replays (default 300). */
  toleranceSeconds?: number;
  /** The current time in ms (default `Date.now()`), for tests. */
  now?: number;
}

function single(value: string | string[] | null | undefined): string | null {
  if (Array.isArray(value)) return value.length === 1 ? (value[0] ?? null) : null;
  return value ?? null;
}

function toHex(bytes: ArrayBuffer): string {
  return [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** The `v1` signature Chorus sends for this timestamp and body. */
export async function signWebhook(secret: string, timestamp: string, body: string): Promise<string> {
  const enc = new TextEncoder();
  const key = await crypto.subtle.importKey('raw', enc.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return `v1=${toHex(await crypto.subtle.sign('HMAC', key, enc.encode(`${timestamp}.${body}`)))}`;
}

/** Compares two strings without leaking where they differ. */
function equalInConstantTime(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/**
 * True when the delivery was signed with `secret` and its timestamp is within
 * the tolerance. Reject the request (401) otherwise, before parsing the body.
 */
export async function verifyWebhookSignature(input: WebhookSignatureInput): Promise<boolean> {
  const timestamp = single(input.timestamp);
  const signature = single(input.signature);
  if (!timestamp || !signature || !/^\d{1,12}$/.test(timestamp)) return false;
  const now = input.now ?? Date.now();
  if (Math.abs(now / 1000 - Number(timestamp)) > (input.toleranceSeconds ?? 300)) return false;
  const expected = await signWebhook(input.secret, timestamp, input.body);
  return signature
    .split(',')
    .map((s) => s.trim())
    .some((candidate) => equalInConstantTime(candidate, expected));
}
