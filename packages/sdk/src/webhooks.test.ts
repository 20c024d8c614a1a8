import { describe, expect, it } from 'vitest';
import { signWebhook, verifyWebhookSignature } from './webhooks.js';

const secret = 'chw_test-secret';
const body = '{"id":"d1","type":"task.created"}';
const now = 1_764_000_000_000;
const timestamp = String(now / 1000);
/** HMAC-SHA256 of `${timestamp}.${body}` with the secret, computed independently (Node's createHmac). */
const known: Record<string, string> = {
  '1764000000': 'v1=d65a71b800ccebe8522eafe1182261730806692421135be3de30ee3d32173bd0',
  '1764000001': 'v1=5aa75dbe7497aae4f0770e9b6331e642cbf643969d85713b39fd5b2eef38836a',
};
const node = (ts: string, b: string) => {
  if (b !== body || !known[ts]) throw new Error('no known signature');
  return known[ts];
};

describe('verifyWebhookSignature', () => {
  it('computes the same signature as an HMAC-SHA256 of `${timestamp}.${body}`', async () => {
    expect(await signWebhook(secret, timestamp, body)).toBe(node(timestamp, body));
    expect(await signWebhook(secret, '1764000001', body)).toBe(node('1764000001', body));
  });

  it('accepts a signed delivery, also when several signatures are listed', async () => {
    const signature = node(timestamp, body);
    expect(await verifyWebhookSignature({ secret, body, signature, timestamp, now })).toBe(true);
    expect(await verifyWebhookSignature({ secret, body, signature: `v1=${'0'.repeat(64)}, ${signature}`, timestamp, now })).toBe(true);
  });

  it('refuses another secret, a changed body, a changed timestamp, a stale delivery and malformed headers', async () => {
    const signature = node(timestamp, body);
    expect(await verifyWebhookSignature({ secret: 'chw_other', body, signature, timestamp, now })).toBe(false);
    expect(await verifyWebhookSignature({ secret, body: `${body} `, signature, timestamp, now })).toBe(false);
    expect(await verifyWebhookSignature({ secret, body, signature, timestamp: String(Number(timestamp) + 1), now })).toBe(false);
    expect(await verifyWebhookSignature({ secret, body, signature, timestamp, now: now + 301_000 })).toBe(false);
    expect(await verifyWebhookSignature({ secret, body, signature, timestamp, now: now + 301_000, toleranceSeconds: 600 })).toBe(true);
    expect(await verifyWebhookSignature({ secret, body, signature: undefined, timestamp, now })).toBe(false);
    expect(await verifyWebhookSignature({ secret, body, signature, timestamp: 'yesterday', now })).toBe(false);
    expect(await verifyWebhookSignature({ secret, body, signature: [signature, signature], timestamp, now })).toBe(false);
  });
});
