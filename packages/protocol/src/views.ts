/**
 * The shapes of Chorus objects on the wire, identical in REST answers and in
 * channel events. The server's presenters produce exactly these.
 */

export type MemberKind = 'human' | 'agent';
export type OrgRole = 'owner' | 'admin' | 'member' | 'guest';
export type ChannelKind = 'public' | 'private' | 'dm' | 'group_dm';
export type ChannelRole = 'owner' | 'moderator' | 'member' | 'observer';
export type WhoMay = 'members' | 'moderators';
export type HistoryForNewMembers = 'all' | 'since_join';
export type MessageKind = 'chat' | 'system' | 'agent_reasoning' | 'agent_tool';
/** What agents read in a channel: its whole history (within the rules), or only what concerns them. */
export type AgentAccess = 'full' | 'mentions_only';
/** Who sees agents' intermediate steps (agent_reasoning and agent_tool messages). */
export type ReasoningVisibility = 'members' | 'moderators' | 'sponsor_only';
/** `humans`: the message never reaches an agent (DESIGN §2.1). */
export type MessageAudience = 'all' | 'humans';

/** Something an agent's message drew on: a message, a channel doc or an experience entry. */
export interface SourceRef {
  type: 'message' | 'doc' | 'experience';
  id: string;
}

/** The image types an avatar may be: detected from the bytes, never taken from the upload's label. */
export type AvatarType = 'image/png' | 'image/jpeg' | 'image/gif' | 'image/webp';
/** When a person gets desktop notifications: every message, mentions and direct messages, or never. */
export type DesktopNotifications = 'all' | 'mentions' | 'none';

/** What a member says about themselves beside their name ("🌴 On leave until Monday"). */
export interface CustomStatus {
  emoji: string;
  text: string;
  /** When it clears by itself; null: until changed. An expired status is presented as null. */
  expires_at: string | null;
}

export interface MemberView {
  id: string;
  org_id: string;
  kind: MemberKind;
  handle: string;
  display_name: string;
  role: OrgRole;
  /** The membership's state: `active`, `deactivated`, or for agents `suspended` / `retired`. */
  status: string;
  created_at: string;
  /**
   * The avatar's path under `/api/v1` (`GET /orgs/:orgId/members/:memberId/avatar?v=…`, read with
   * the caller's token); it changes with every new image, so it can be cached for good. Null: none.
   */
  avatar_url: string | null;
  custom_status: CustomStatus | null;
}

/** Changed by `PATCH /orgs/:orgId/members/:memberId/profile`; `custom_status: null` clears it. */
export interface ProfileUpdate {
  display_name?: string;
  custom_status?: { emoji: string; text: string; expires_at?: string | null } | null;
}

/** A person's notification preferences in one org, stored by the server so they follow them across devices. */
export interface NotificationSettings {
  desktop: DesktopNotifications;
  /** Channels the person muted: no badge count except mentions, no desktop notifications. */
  muted_channel_ids: string[];
}

export interface ChannelSettings {
  who_may_post: WhoMay;
  who_may_add_agents: WhoMay;
  who_may_pin: WhoMay;
  history_for_new_members: HistoryForNewMembers;
  agent_access: AgentAccess;
  /** How many days back agents may read; null for no bound. */
  agent_history_days: number | null;
  reasoning_visibility: ReasoningVisibility;
  /** Whether agents are served other agents' reasoning as context. */
  agents_see_reasoning: boolean;
}

export interface ChannelView {
  id: string;
  org_id: string;
  kind: ChannelKind;
  name: string | null;
  topic: string;
  /** For direct messages: the members, which are the channel's identity. */
  dm_members: string[] | null;
  created_by: string;
  created_at: string;
  archived_at: string | null;
  settings: ChannelSettings;
  last_seq: number;
}

export interface Author {
  id: string;
  handle: string;
  display_name: string;
  kind: MemberKind;
}

export interface ThreadSummary {
  root_id: string;
  reply_count: number;
  last_reply_at: string | null;
  participants: string[];
}

export interface ReactionGroup {
  emoji: string;
  count: number;
  member_ids: string[];
}

/**
 * A file uploaded to a channel (`POST /channels/:id/files`). Its type is detected from its content;
 * its bytes are fetched through a short-lived signed link (`POST /files/:id/link`).
 */
export interface FileView {
  id: string;
  channel_id: string;
  /** The message it is attached to; null while it waits to be attached (collected if it never is). */
  message_id: string | null;
  uploader_id: string;
  /** The name given at upload, as a display name (the download's filename is a safe form of it). */
  name: string;
  size: number;
  /** Detected from the bytes (magic numbers), never the client's claim. */
  mime: string;
  /** Pixel size of a raster image; null otherwise or when unreadable. */
  width: number | null;
  height: number | null;
  /** A thumbnail exists (`POST /files/:id/link` with `variant: preview`). */
  preview: boolean;
  created_at: string;
}

export interface MessageView {
  id: string;
  channel_id: string;
  seq: number;
  kind: MessageKind;
  audience: MessageAudience;
  author: Author;
  body: string;
  /** What an agent's message drew on, each checked against the audience rule when it was posted. */
  sources: SourceRef[];
  thread_root_id: string | null;
  thread: ThreadSummary | null;
  mentions: { member_ids: string[]; channel: boolean; here: boolean; agents: boolean };
  reactions: ReactionGroup[];
  /** Pinned in its channel (`GET /channels/:id/pins` lists the pin); `pin.added` / `pin.removed` change it. */
  pinned: boolean;
  /**
   * A streamed reply: `open` while its author appends chunks (`stream` frames on the socket, the body
   * so far in `body`), then `ended`, or `abandoned` when its author stopped sending; null for a
   * message posted whole. The final text arrives as a `message.edited` event.
   */
  stream: 'open' | 'ended' | 'abandoned' | null;
  /** Files attached when it was posted (a deleted file or message has none). */
  attachments: FileView[];
  created_at: string;
  edited_at: string | null;
  deleted_at: string | null;
}

export type TaskStatus = 'queued' | 'running' | 'done' | 'failed' | 'rejected';
export type TaskOrigin = 'mention' | 'assignment' | 'command';
export type InterventionKind = 'reject' | 'redo' | 'edit';

/** A person rejecting, redoing or editing an agent's result, as recorded on the task. */
export interface InterventionView {
  id: string;
  member_id: string;
  kind: InterventionKind;
  reason: string | null;
  created_at: string;
}

/**
 * A unit of agent work in one channel. It names its messages by id only: a
 * reader gets a message's content only through a read the channel allows.
 */
export interface TaskView {
  id: string;
  org_id: string;
  channel_id: string;
  agent_id: string;
  requester_id: string;
  origin: TaskOrigin;
  status: TaskStatus;
  request_message_id: string | null;
  /** The thread the agent works in: the request's thread, or the request itself as a new root. */
  thread_root_id: string | null;
  result_message_id: string | null;
  attempts: number;
  max_attempts: number;
  lease_expires_at: string | null;
  failure_reason: string | null;
  /** The slash command the request invoked (origin `command`), and its arguments as typed. */
  command: string | null;
  command_args: string | null;
  created_at: string;
  claimed_at: string | null;
  finished_at: string | null;
  updated_at: string;
  interventions: InterventionView[];
  /** People's ratings of the result (1–5): see {@link TaskRating}. */
  rating: TaskRating;
}

/** The reader's own rating of a task's result. */
export interface MyRating {
  score: number;
  comment: string | null;
  updated_at: string;
}

/**
 * The ratings of a task's result: the mean score (null with none) and how many
 * people rated, and the reader's own. Others' scores and comments are not
 * shown. Views carried by events have `mine: null` (an event goes to every
 * reader alike): a client keeps the one it holds, which changes only by the
 * reader's own rating, or when `count` drops to 0 (a redo clears the ratings).
 */
export interface TaskRating {
  average: number | null;
  count: number;
  mine: MyRating | null;
}
