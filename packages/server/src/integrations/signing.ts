import { createHmac, randomBytes } from 'node:crypto';

/**
 * How Chorus signs an outgoing webhook: HMAC-SHA256 with the agent's secret
 * over `${timestamp}.${body}`, hex, as `v1=<hex>`. The SDK's
 * `verifyWebhookSignature` checks exactly this (docs/WEBHOOKS.md).
 */
export function signBody(secret: string, timestamp: number, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** A fresh signing secret; `chw_` says what it is if it leaks. */
export function newWebhookSecret(): string {
  return `chw_${randomBytes(32).toString('base64url')}`;
}
