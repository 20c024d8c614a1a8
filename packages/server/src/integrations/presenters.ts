import { Type } from 'typebox';
import type { AgentWebhook, IncomingWebhook, WebhookDelivery } from '../db/schema.js';
import { Nullable, Timestamp } from '../http/schemas.js';

/** An agent's outgoing webhook, never with its secret (shown once, when set or rotated). */
export const AgentWebhookView = Type.Object({
  agent_id: Type.String(),
  url: Type.String(),
  secret_rotated_at: Timestamp,
  created_at: Timestamp,
  updated_at: Timestamp,
});

export function presentWebhook(w: AgentWebhook) {
  return { agent_id: w.agent_id, url: w.url, secret_rotated_at: w.secret_rotated_at.toISOString(), created_at: w.created_at.toISOString(), updated_at: w.updated_at.toISOString() };
}

/**
 * One delivery in the log: what was sent about which task, and how it went.
 * The payload itself (channel content) is not shown: an admin reading the log
 * may not read the task's channel.
 */
export const WebhookDeliveryView = Type.Object({
  id: Type.String(),
  agent_id: Type.String(),
  event: Type.String(),
  task_id: Nullable(Type.String()),
  status: Type.Union([Type.Literal('pending'), Type.Literal('delivered'), Type.Literal('failed')]),
  attempts: Type.Integer(),
  max_attempts: Type.Integer(),
  next_attempt_at: Nullable(Timestamp),
  last_attempt_at: Nullable(Timestamp),
  response_status: Nullable(Type.Integer()),
  last_error: Nullable(Type.String()),
  duration_ms: Nullable(Type.Integer()),
  delivered_at: Nullable(Timestamp),
  redelivery_of: Nullable(Type.String()),
  created_at: Timestamp,
});

const iso = (d: Date | null) => d?.toISOString() ?? null;

export function presentDelivery(d: WebhookDelivery, maxAttempts: number) {
  return {
    id: d.id,
    agent_id: d.agent_id,
    event: d.event,
    task_id: d.task_id,
    status: d.status,
    attempts: d.attempts,
    max_attempts: maxAttempts,
    next_attempt_at: d.status === 'pending' ? d.next_attempt_at.toISOString() : null,
    last_attempt_at: iso(d.last_attempt_at),
    response_status: d.response_status,
    last_error: d.last_error,
    duration_ms: d.duration_ms,
    delivered_at: iso(d.delivered_at),
    redelivery_of: d.redelivery_of,
    created_at: d.created_at.toISOString(),
  };
}

/** A channel's incoming webhook; its secret URL is shown once, at creation. */
export const IncomingWebhookView = Type.Object({
  id: Type.String(),
  channel_id: Type.String(),
  member_id: Type.String({ description: 'the integration member the hook posts as' }),
  name: Type.String(),
  created_by: Type.String(),
  created_at: Timestamp,
  revoked_at: Nullable(Timestamp),
});

export function presentIncoming(h: IncomingWebhook) {
  return { id: h.id, channel_id: h.channel_id, member_id: h.member_id, name: h.name, created_by: h.created_by, created_at: h.created_at.toISOString(), revoked_at: iso(h.revoked_at) };
}
