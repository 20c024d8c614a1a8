import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';

/** Row types of the Chorus schema, as Kysely sees them. Mirrors db/migrations. */

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
type Json<T> = ColumnType<T, string, string>;

// The value sets are the wire's: one definition, in the protocol package.
import type {
  AgentAccess,
  ChannelKind,
  ChannelRole,
  HistoryForNewMembers,
  InterventionKind,
  MemberKind,
  MessageAudience as Audience,
  MessageKind,
  OrgRole,
  ReasoningVisibility,
  TaskOrigin,
  TaskStatus,
  WhoMay,
} from '@chorus/protocol/views';

export type { AgentAccess, Audience, ChannelKind, ChannelRole, HistoryForNewMembers, InterventionKind, MemberKind, MessageKind, OrgRole, ReasoningVisibility, TaskOrigin, TaskStatus, WhoMay };
export type MemberStatus = 'active' | 'deactivated' | 'suspended' | 'retired';
/** Something an agent's message drew on. */
export interface SourceRef {
  type: 'message' | 'doc' | 'experience';
  id: string;
}

export interface AgentCard {
  skills?: string[];
  model?: string;
  version?: string;
  /** Set on the member an integration posts as (`incoming_webhook`): it takes no tasks. */
  integration?: string;
}

export interface UsersTable {
  id: Generated<string>;
  email: string;
  password_hash: string;
  display_name: string;
  created_at: Timestamp;
}

export interface SessionsTable {
  id: Generated<string>;
  user_id: string;
  token_hash: string;
  created_at: Timestamp;
  expires_at: Timestamp;
  last_used_at: Timestamp;
}

export interface OrgsTable {
  id: Generated<string>;
  name: string;
  slug: string;
  created_at: Timestamp;
  default_channel_id: string | null;
}

export interface MembersTable {
  id: Generated<string>;
  org_id: string;
  kind: MemberKind;
  user_id: string | null;
  handle: string;
  display_name: string;
  role: OrgRole;
  status: MemberStatus;
  created_at: Timestamp;
}

export interface AgentsTable {
  member_id: string;
  sponsor_id: string;
  description: Generated<string>;
  card: Json<AgentCard>;
}

export interface AgentTokensTable {
  id: Generated<string>;
  agent_id: string;
  name: string;
  token_hash: string;
  scopes: string[];
  created_by: string;
  created_at: Timestamp;
  expires_at: NullableTimestamp;
  revoked_at: NullableTimestamp;
  last_used_at: NullableTimestamp;
}

export interface InvitesTable {
  id: Generated<string>;
  org_id: string;
  token_hash: string;
  role: Exclude<OrgRole, 'owner'>;
  created_by: string;
  created_at: Timestamp;
  expires_at: Timestamp;
  max_uses: number;
  uses: Generated<number>;
  revoked_at: NullableTimestamp;
}

export interface ChannelsTable {
  id: Generated<string>;
  org_id: string;
  kind: ChannelKind;
  name: string | null;
  topic: Generated<string>;
  dm_key: string | null;
  created_by: string;
  created_at: Timestamp;
  archived_at: NullableTimestamp;
  who_may_post: Generated<WhoMay>;
  who_may_add_agents: Generated<WhoMay>;
  who_may_pin: Generated<WhoMay>;
  history_for_new_members: Generated<HistoryForNewMembers>;
  last_seq: Generated<number>;
  agent_access: Generated<AgentAccess>;
  agent_history_days: number | null;
  reasoning_visibility: Generated<ReasoningVisibility>;
  agents_see_reasoning: Generated<boolean>;
  members_epoch: Generated<number>;
}

export interface ChannelMembersTable {
  channel_id: string;
  member_id: string;
  role: ChannelRole;
  joined_at: Timestamp;
  joined_seq: number;
  last_read_seq: Generated<number>;
}

export interface MessagesTable {
  id: Generated<string>;
  org_id: string;
  channel_id: string;
  seq: number;
  author_id: string;
  kind: Generated<MessageKind>;
  body: string;
  thread_root_id: string | null;
  reply_count: Generated<number>;
  last_reply_at: NullableTimestamp;
  reply_participants: Generated<string[]>;
  mentions_all: Generated<boolean>;
  mentions_here: Generated<boolean>;
  mentions_agents: Generated<boolean>;
  created_at: Timestamp;
  edited_at: NullableTimestamp;
  deleted_at: NullableTimestamp;
  audience: Generated<Audience>;
  sources: ColumnType<SourceRef[], string | undefined, string>;
  task_id: string | null;
}

export interface MessageMentionsTable {
  message_id: string;
  member_id: string;
  channel_id: string;
  seq: number;
}

export interface MessageIdempotencyTable {
  author_id: string;
  client_msg_id: string;
  message_id: string;
  created_at: Timestamp;
}

export interface ReactionsTable {
  message_id: string;
  member_id: string;
  emoji: string;
  created_at: Timestamp;
}

export interface ChannelEventsTable {
  channel_id: string;
  seq: number;
  type: string;
  actor_id: string | null;
  payload: Json<unknown>;
  created_at: Timestamp;
}

export interface TasksTable {
  id: Generated<string>;
  org_id: string;
  channel_id: string;
  agent_id: string;
  requester_id: string;
  request_message_id: string | null;
  thread_root_id: string | null;
  origin: TaskOrigin;
  status: Generated<TaskStatus>;
  attempts: Generated<number>;
  max_attempts: Generated<number>;
  lease_expires_at: NullableTimestamp;
  result_message_id: string | null;
  failure_reason: string | null;
  created_at: Timestamp;
  claimed_at: NullableTimestamp;
  finished_at: NullableTimestamp;
  updated_at: Timestamp;
}

export interface TaskInterventionsTable {
  id: Generated<string>;
  task_id: string;
  member_id: string;
  kind: InterventionKind;
  reason: string | null;
  created_at: Timestamp;
}

export interface TaskTokensTable {
  id: Generated<string>;
  task_id: string;
  agent_id: string;
  channel_id: string;
  token_hash: string;
  scopes: string[];
  created_at: Timestamp;
  expires_at: Timestamp;
  revoked_at: NullableTimestamp;
}

export interface AuditEventsTable {
  org_id: string;
  seq: number;
  actor_id: string | null;
  actor_kind: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  channel_id: string | null;
  items: Json<string[]>;
  decision: 'allow' | 'deny';
  reason: string | null;
  details: ColumnType<Record<string, unknown> | null, string | null, string | null>;
  created_at: ColumnType<Date, Date, Date>;
  prev_hash: string;
  hash: string;
}

export interface AuditHeadsTable {
  org_id: string;
  seq: number;
  hash: string;
}

export interface Database {
  users: UsersTable;
  sessions: SessionsTable;
  orgs: OrgsTable;
  members: MembersTable;
  agents: AgentsTable;
  agent_tokens: AgentTokensTable;
  invites: InvitesTable;
  channels: ChannelsTable;
  channel_members: ChannelMembersTable;
  messages: MessagesTable;
  message_mentions: MessageMentionsTable;
  message_idempotency: MessageIdempotencyTable;
  reactions: ReactionsTable;
  channel_events: ChannelEventsTable;
  tasks: TasksTable;
  task_interventions: TaskInterventionsTable;
  task_tokens: TaskTokensTable;
  audit_events: AuditEventsTable;
  audit_heads: AuditHeadsTable;
  agent_webhooks: AgentWebhooksTable;
  webhook_deliveries: WebhookDeliveriesTable;
  incoming_webhooks: IncomingWebhooksTable;
}

export type User = Selectable<UsersTable>;
export type Org = Selectable<OrgsTable>;
export type Member = Selectable<MembersTable>;
export type Agent = Selectable<AgentsTable>;
export type AgentToken = Selectable<AgentTokensTable>;
export type Invite = Selectable<InvitesTable>;
export type Channel = Selectable<ChannelsTable>;
export type ChannelMember = Selectable<ChannelMembersTable>;
export type Message = Selectable<MessagesTable>;
export type NewMessage = Insertable<MessagesTable>;
export type Task = Selectable<TasksTable>;
export type TaskIntervention = Selectable<TaskInterventionsTable>;

// 0006_integrations

export interface AgentWebhooksTable {
  agent_id: string;
  url: string;
  /** Kept as-is: the server signs with it (docs/SECURITY.md). */
  secret: string;
  secret_rotated_at: Timestamp;
  created_by: string;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export type WebhookDeliveryStatus = 'pending' | 'delivered' | 'failed';

export interface WebhookDeliveriesTable {
  id: Generated<string>;
  org_id: string;
  agent_id: string;
  event: string;
  task_id: string | null;
  payload: Json<unknown>;
  status: ColumnType<WebhookDeliveryStatus, WebhookDeliveryStatus | undefined, WebhookDeliveryStatus>;
  attempts: Generated<number>;
  next_attempt_at: Timestamp;
  last_attempt_at: NullableTimestamp;
  response_status: number | null;
  last_error: string | null;
  duration_ms: number | null;
  delivered_at: NullableTimestamp;
  redelivery_of: string | null;
  created_at: Timestamp;
}

export interface IncomingWebhooksTable {
  id: Generated<string>;
  org_id: string;
  channel_id: string;
  member_id: string;
  name: string;
  secret_hash: string;
  created_by: string;
  created_at: Timestamp;
  revoked_at: NullableTimestamp;
}

export type AgentWebhook = Selectable<AgentWebhooksTable>;
export type WebhookDelivery = Selectable<WebhookDeliveriesTable>;
export type IncomingWebhook = Selectable<IncomingWebhooksTable>;
