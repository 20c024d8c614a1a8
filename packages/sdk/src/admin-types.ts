import type { MemberView } from '@chorus/protocol/views';

/**
 * The shapes the settings and admin screens read: agents, tokens, invites,
 * webhooks, work stats and the audit log, as the server's presenters give them.
 */

export type AgentScope = 'messages:read' | 'messages:write' | 'channels:read' | 'context:read';
export const agentScopes: readonly AgentScope[] = ['messages:read', 'messages:write', 'channels:read', 'context:read'];

export interface AgentView {
  id: string;
  org_id: string;
  kind: 'agent';
  handle: string;
  display_name: string;
  status: string;
  sponsor_id: string;
  description: string;
  card: { skills?: string[]; model?: string; version?: string; integration?: string; commands?: { name: string; description: string; arg_hint?: string }[] };
  created_at: string;
  avatar_url: string | null;
}

export interface AgentTokenView {
  id: string;
  agent_id: string;
  name: string;
  scopes: string[];
  created_by: string;
  created_at: string;
  expires_at: string | null;
  revoked_at: string | null;
  last_used_at: string | null;
}

export interface InviteView {
  id: string;
  org_id: string;
  role: MemberView['role'];
  created_by: string;
  created_at: string;
  expires_at: string;
  max_uses: number;
  uses: number;
  revoked_at: string | null;
}

export interface AgentWebhookView {
  agent_id: string;
  url: string;
  secret_rotated_at: string;
  created_at: string;
  updated_at: string;
}

export interface WebhookDeliveryView {
  id: string;
  agent_id: string;
  event: string;
  task_id: string | null;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  max_attempts: number;
  next_attempt_at: string | null;
  last_attempt_at: string | null;
  response_status: number | null;
  last_error: string | null;
  duration_ms: number | null;
  delivered_at: string | null;
  redelivery_of: string | null;
}

interface Figures {
  tasks: number;
  by_status: Record<'queued' | 'running' | 'done' | 'failed' | 'rejected', number>;
  time_to_done: { median_seconds: number | null; p90_seconds: number | null };
  delivered: number;
  rejection_rate: number | null;
  redo_rate: number | null;
  interventions: { reject: number; redo: number; edit: number };
  /** People's ratings (1–5) of these tasks: the mean (null with none) and how many. */
  rating: RatingFigures;
}

export interface RatingFigures {
  average: number | null;
  count: number;
}

/** An agent's work over a window: totals, per channel and per day (`GET /agents/:id/stats`). */
export interface AgentStats {
  agent_id: string;
  window: { days: number; since: string };
  totals: Figures;
  channels: (Figures & { channel_id: string })[];
  /** Per UTC day; `rating`: the ratings given (or last changed) that day. */
  days: { day: string; created: number; done: number; failed: number; rejected: number; interventions: number; rating: RatingFigures }[];
}

export interface AuditEventView {
  seq: number;
  created_at: string;
  actor_id: string | null;
  actor_kind: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  channel_id: string | null;
  items: string[];
  decision: 'allow' | 'deny';
  reason: string | null;
  details: unknown;
  prev_hash: string;
  hash: string;
}

/** Filters of the audit log; `after` is the `next_after` of the previous page. */
export interface AuditQuery {
  actor_id?: string;
  channel_id?: string;
  action?: string;
  since?: string;
  until?: string;
  after?: number;
  limit?: number;
}

export interface AuditVerification {
  ok: boolean;
  events: number;
  head?: string;
  broken_at?: number;
  problem?: string;
}
