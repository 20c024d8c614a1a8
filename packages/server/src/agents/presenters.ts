import { Type } from 'typebox';
import type { Agent, AgentToken, Member } from '../db/schema.js';
import { Nullable, Timestamp } from '../http/schemas.js';
import { avatarUrl } from '../orgs/presenters.js';

/** A slash command an agent declares: `/name args` in a channel where it is on duty creates a task for it. */
export const AgentCommandSchema = Type.Object(
  {
    name: Type.String({ pattern: '^[a-z][a-z0-9_-]{0,31}$', description: 'lowercase; letters, digits, - and _; up to 32' }),
    description: Type.String({ minLength: 1, maxLength: 200 }),
    arg_hint: Type.Optional(Type.String({ maxLength: 80 })),
  },
  { additionalProperties: false },
);

export const AgentCardSchema = Type.Object(
  {
    commands: Type.Optional(Type.Array(AgentCommandSchema, { maxItems: 20 })),
    skills: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 80 }), { maxItems: 50 })),
    model: Type.Optional(Type.String({ maxLength: 120 })),
    version: Type.Optional(Type.String({ maxLength: 40 })),
  },
  { additionalProperties: false },
);

export const AgentStatusSchema = Type.Union([Type.Literal('active'), Type.Literal('suspended'), Type.Literal('retired')]);

export const AgentView = Type.Object({
  id: Type.String(),
  org_id: Type.String(),
  kind: Type.Literal('agent'),
  handle: Type.String(),
  display_name: Type.String(),
  status: Type.String(),
  sponsor_id: Type.String(),
  description: Type.String(),
  card: AgentCardSchema,
  created_at: Timestamp,
  avatar_url: Nullable(Type.String()),
});

export const AgentTokenView = Type.Object({
  id: Type.String(),
  agent_id: Type.String(),
  name: Type.String(),
  scopes: Type.Array(Type.String()),
  created_by: Type.String(),
  created_at: Timestamp,
  expires_at: Nullable(Timestamp),
  revoked_at: Nullable(Timestamp),
  last_used_at: Nullable(Timestamp),
});

export type AgentRow = Member & Omit<Agent, 'member_id'>;

export function presentAgent(a: AgentRow) {
  return {
    id: a.id,
    org_id: a.org_id,
    kind: 'agent' as const,
    handle: a.handle,
    display_name: a.display_name,
    status: a.status,
    sponsor_id: a.sponsor_id,
    description: a.description,
    card: a.card,
    created_at: a.created_at.toISOString(),
    avatar_url: avatarUrl(a),
  };
}

export function presentToken(t: AgentToken) {
  return {
    id: t.id,
    agent_id: t.agent_id,
    name: t.name,
    scopes: t.scopes,
    created_by: t.created_by,
    created_at: t.created_at.toISOString(),
    expires_at: t.expires_at?.toISOString() ?? null,
    revoked_at: t.revoked_at?.toISOString() ?? null,
    last_used_at: t.last_used_at?.toISOString() ?? null,
  };
}
