import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';

/** Row types of the Chorus schema, as Kysely sees them. Mirrors db/migrations. */

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
type Json<T> = ColumnType<T, string, string>;

// The value sets are the wire's: one definition, in the protocol package.
import type {
  AgentAccess,
  AvatarType,
  ChannelKind,
  ChannelRole,
  DesktopNotifications,
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
import type { ExperienceOutcome, ExperienceScope, ExperienceVote, StoredExperienceStatus } from '@chorus/protocol/experience';

export type { ExperienceOutcome, ExperienceScope, ExperienceVote, StoredExperienceStatus };
export type { AgentAccess, Audience, AvatarType, ChannelKind, ChannelRole, DesktopNotifications, HistoryForNewMembers, InterventionKind, MemberKind, MessageKind, OrgRole, ReasoningVisibility, TaskOrigin, TaskStatus, WhoMay };
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
  /** Slash commands people can invoke: `/name args` creates a task for this agent. */
  commands?: AgentCommand[];
}

export interface AgentCommand {
  name: string;
  description: string;
  arg_hint?: string;
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
  /** The custom status people see beside the name (migration 0012); hidden once `status_expires_at` has passed. */
  status_emoji: string | null;
  status_text: string | null;
  status_expires_at: NullableTimestamp;
  /** Changes with every new avatar (its bytes in `member_avatars`); null: none. */
  avatar_version: string | null;
  desktop_notifications: Generated<DesktopNotifications>;
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

/** A muted channel membership (migration 0012): no badge count except mentions, no desktop notifications. */
export interface ChannelMutesTable {
  channel_id: string;
  member_id: string;
  created_at: Timestamp;
}

export interface MemberAvatarsTable {
  member_id: string;
  content_type: AvatarType;
  bytes: Buffer;
  updated_by: string;
  updated_at: Timestamp;
}

/**
 * Besides these columns, `messages` has `search_tsv` (migration 0005): a
 * generated tsvector of the body, read only by search (search/messages.ts,
 * through `sql`). It is left out of this type on purpose, so that no `Message`
 * carries it: read paths select {@link messageColumns}, not `*`.
 */
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
  /** A streamed reply's state; null for a message posted whole. */
  stream_state: ColumnType<StreamState | null, StreamState | null | undefined, StreamState | null>;
}

export type StreamState = 'open' | 'ended' | 'abandoned';

export interface MessageStreamsTable {
  message_id: string;
  org_id: string;
  channel_id: string;
  author_id: string;
  text: string;
  chunks: Generated<number>;
  opened_at: Generated<Date>;
  last_chunk_at: Generated<Date>;
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
  /** The command a `/name args` message asked with (origin `command`). */
  command: Generated<string | null>;
  command_args: Generated<string | null>;
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

export interface TaskRatingsTable {
  task_id: string;
  member_id: string;
  score: number;
  comment: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
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

export interface PinsTable {
  message_id: string;
  org_id: string;
  channel_id: string;
  pinned_by: string;
  note: string | null;
  seq: number;
  pinned_at: Timestamp;
}

export interface ChannelDocsTable {
  id: Generated<string>;
  org_id: string;
  channel_id: string;
  title: string;
  body: string;
  revision: Generated<number>;
  agent_guide: Generated<boolean>;
  created_by: string;
  created_at: Timestamp;
  updated_by: string;
  updated_at: Timestamp;
  archived_at: NullableTimestamp;
  archived_by: string | null;
  /** Generated: title (A) and body (B) as an `english` tsvector. Never written. */
  search: ColumnType<string, never, never>;
}

export interface ChannelDocRevisionsTable {
  doc_id: string;
  revision: number;
  title: string;
  body: string;
  author_id: string;
  restored_from: number | null;
  created_at: Timestamp;
}

/** Where an experience entry came from: a message, a whole thread (by its root) or a channel doc. */
export interface ProvenanceRef {
  type: 'message' | 'thread' | 'doc';
  id: string;
  /** The channel the source lives in, as found when the entry was made. */
  channel_id: string;
}

export interface ExperienceEntriesTable {
  id: Generated<string>;
  org_id: string;
  channel_id: string;
  author_id: string;
  title: string;
  body: string;
  tags: ColumnType<string[], string[] | undefined, string[]>;
  sources: ColumnType<ProvenanceRef[], string, string>;
  audience: Generated<Audience>;
  scope: Generated<ExperienceScope>;
  status: Generated<StoredExperienceStatus>;
  superseded_by: string | null;
  expires_at: NullableTimestamp;
  review_by: NullableTimestamp;
  confirmed_at: NullableTimestamp;
  last_negative_at: NullableTimestamp;
  promoted_at: NullableTimestamp;
  promoted_by: string | null;
  promotion_override: Generated<boolean>;
  use_count: Generated<number>;
  last_used_at: NullableTimestamp;
  created_at: Timestamp;
  updated_at: Timestamp;
  /** Generated: title (A), tags (B), body (C). Never written. */
  search: ColumnType<string, never, never>;
}

export interface ExperienceVotesTable {
  entry_id: string;
  member_id: string;
  vote: ExperienceVote;
  reason: string | null;
  created_at: Timestamp;
}

export interface ExperienceReportsTable {
  entry_id: string;
  task_id: string;
  agent_id: string;
  outcome: ExperienceOutcome;
  note: string | null;
  created_at: Timestamp;
}

export type BuiltinAgentKind = 'digest' | 'llm';

/** How a built-in LLM agent reaches its model. The API key is read from `api_key_env` at run time, never stored. */
export interface LlmConfig {
  provider: 'openai' | 'anthropic';
  model: string;
  base_url?: string;
  api_key_env: string;
}

export interface BuiltinAgentsTable {
  agent_id: string;
  org_id: string;
  kind: BuiltinAgentKind;
  config: Json<{ llm?: LlmConfig }>;
  token_secret: string;
  token_id: string;
  created_by: string;
  created_at: Generated<Date>;
}

/** A file uploaded to a channel (files/); bytes in the file store under `storage_key`. */
export interface FilesTable {
  id: Generated<string>;
  org_id: string;
  channel_id: string;
  uploader_id: string;
  /** The message it is attached to; null while pending (collected after `files.unattachedSeconds`). */
  message_id: string | null;
  name: string;
  size: number;
  /** Detected from the content, never the client's claim. */
  mime: string;
  sha256: string;
  width: number | null;
  height: number | null;
  storage_key: string;
  preview_key: string | null;
  created_at: Generated<Date>;
  attached_at: NullableTimestamp;
  deleted_at: NullableTimestamp;
  /** When the bytes were removed from the store; the row remains as a tombstone. */
  purged_at: NullableTimestamp;
}

export interface ServerSecretsTable {
  name: string;
  value: string;
  created_at: Generated<Date>;
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
  member_avatars: MemberAvatarsTable;
  channel_mutes: ChannelMutesTable;
  messages: MessagesTable;
  message_streams: MessageStreamsTable;
  message_mentions: MessageMentionsTable;
  message_idempotency: MessageIdempotencyTable;
  reactions: ReactionsTable;
  channel_events: ChannelEventsTable;
  tasks: TasksTable;
  builtin_agents: BuiltinAgentsTable;
  task_interventions: TaskInterventionsTable;
  task_ratings: TaskRatingsTable;
  task_tokens: TaskTokensTable;
  audit_events: AuditEventsTable;
  audit_heads: AuditHeadsTable;
  pins: PinsTable;
  channel_docs: ChannelDocsTable;
  channel_doc_revisions: ChannelDocRevisionsTable;
  experience_entries: ExperienceEntriesTable;
  experience_votes: ExperienceVotesTable;
  experience_reports: ExperienceReportsTable;
  agent_webhooks: AgentWebhooksTable;
  webhook_deliveries: WebhookDeliveriesTable;
  incoming_webhooks: IncomingWebhooksTable;
  files: FilesTable;
  server_secrets: ServerSecretsTable;
  retention_policies: RetentionPoliciesTable;
  legal_holds: LegalHoldsTable;
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
export type FileRow = Selectable<FilesTable>;
export type NewMessage = Insertable<MessagesTable>;

/**
 * Every column of {@link MessagesTable}, for reads of whole messages: `select *`
 * would also fetch the search vector, as long as the body, on every history read.
 */
export const messageColumns = [
  'id', 'org_id', 'channel_id', 'seq', 'author_id', 'kind', 'body', 'thread_root_id', 'reply_count', 'last_reply_at', 'reply_participants',
  'mentions_all', 'mentions_here', 'mentions_agents', 'created_at', 'edited_at', 'deleted_at', 'audience', 'sources', 'task_id', 'stream_state',
] as const satisfies readonly (keyof MessagesTable)[];
/** Fails to compile when a column of the table is missing from {@link messageColumns}. */
export const everyMessageColumn: Exclude<keyof MessagesTable, (typeof messageColumns)[number]> extends never ? true : never = true;
export type Task = Selectable<TasksTable>;
export type TaskIntervention = Selectable<TaskInterventionsTable>;
export type TaskRatingRow = Selectable<TaskRatingsTable>;
export type Pin = Selectable<PinsTable>;
/** A doc as read: every column but the generated search vector, which only SQL reads. */
export type ChannelDoc = Omit<Selectable<ChannelDocsTable>, 'search'>;
export type ChannelDocRevision = Selectable<ChannelDocRevisionsTable>;
export type ExperienceEntry = Selectable<ExperienceEntriesTable>;

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
export type BuiltinAgent = Selectable<BuiltinAgentsTable>;

// 0011_retention

/** A retention policy: the org's (channel_id null) or a channel's, which overrides it. keep_days null: forever. */
export interface RetentionPoliciesTable {
  org_id: string;
  channel_id: string | null;
  keep_days: number | null;
  updated_by: string;
  updated_at: Timestamp;
}

/** A legal hold on a channel or a member (exactly one): nothing it covers is deleted while it is not released. */
export interface LegalHoldsTable {
  id: Generated<string>;
  org_id: string;
  channel_id: string | null;
  member_id: string | null;
  reason: string;
  created_by: string;
  created_at: Timestamp;
  released_by: string | null;
  released_at: NullableTimestamp;
}

export type RetentionPolicy = Selectable<RetentionPoliciesTable>;
export type LegalHold = Selectable<LegalHoldsTable>;
