import { Type } from 'typebox';
import type { ChannelView as WireChannelView } from '@chorus/protocol/views';
import type { Channel, ChannelMember } from '../db/schema.js';
import { Nullable, Timestamp } from '../http/schemas.js';

export const ChannelKindSchema = Type.Union([Type.Literal('public'), Type.Literal('private'), Type.Literal('dm'), Type.Literal('group_dm')]);
export const ChannelRoleSchema = Type.Union([Type.Literal('owner'), Type.Literal('moderator'), Type.Literal('member'), Type.Literal('observer')]);
export const WhoMaySchema = Type.Union([Type.Literal('members'), Type.Literal('moderators')]);
export const HistorySchema = Type.Union([Type.Literal('all'), Type.Literal('since_join')]);
export const AgentAccessSchema = Type.Union([Type.Literal('full'), Type.Literal('mentions_only')]);
export const ReasoningVisibilitySchema = Type.Union([Type.Literal('members'), Type.Literal('moderators'), Type.Literal('sponsor_only')]);
/**
 * How many days back agents may read; null for no bound. One schema with a
 * type list rather than a union with null: under the app's type coercion a
 * union would turn an out-of-range 0 into null instead of refusing it.
 */
export const AgentHistoryDaysSchema = Type.Unsafe<number | null>({ type: ['integer', 'null'], minimum: 1, maximum: 36500 });

export const ChannelSettingsSchema = Type.Object({
  who_may_post: WhoMaySchema,
  who_may_add_agents: WhoMaySchema,
  who_may_pin: WhoMaySchema,
  history_for_new_members: HistorySchema,
  agent_access: AgentAccessSchema,
  agent_history_days: AgentHistoryDaysSchema,
  reasoning_visibility: ReasoningVisibilitySchema,
  agents_see_reasoning: Type.Boolean(),
});

export const ChannelViewSchema = Type.Object({
  id: Type.String(),
  org_id: Type.String(),
  kind: ChannelKindSchema,
  name: Nullable(Type.String()),
  topic: Type.String(),
  /** For direct messages: the members, which are the channel's identity. */
  dm_members: Nullable(Type.Array(Type.String())),
  created_by: Type.String(),
  created_at: Timestamp,
  archived_at: Nullable(Timestamp),
  settings: ChannelSettingsSchema,
  last_seq: Type.Integer(),
});

export const MembershipSchema = Type.Object({ role: ChannelRoleSchema, joined_at: Timestamp, last_read_seq: Type.Integer() });

export type ChannelView = WireChannelView;

export function presentChannel(c: Channel): ChannelView {
  return {
    id: c.id,
    org_id: c.org_id,
    kind: c.kind,
    name: c.name,
    topic: c.topic,
    dm_members: c.dm_key ? c.dm_key.split(':')[1]?.split(',') ?? [] : null,
    created_by: c.created_by,
    created_at: c.created_at.toISOString(),
    archived_at: c.archived_at?.toISOString() ?? null,
    settings: {
      who_may_post: c.who_may_post,
      who_may_add_agents: c.who_may_add_agents,
      who_may_pin: c.who_may_pin,
      history_for_new_members: c.history_for_new_members,
      agent_access: c.agent_access,
      agent_history_days: c.agent_history_days,
      reasoning_visibility: c.reasoning_visibility,
      agents_see_reasoning: c.agents_see_reasoning,
    },
    last_seq: c.last_seq,
  };
}

export function presentMembership(m: ChannelMember | null) {
  return m ? { role: m.role, joined_at: m.joined_at.toISOString(), last_read_seq: m.last_read_seq } : null;
}
