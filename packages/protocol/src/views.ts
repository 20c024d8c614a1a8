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

export interface MemberView {
  id: string;
  org_id: string;
  kind: MemberKind;
  handle: string;
  display_name: string;
  role: OrgRole;
  status: string;
  created_at: string;
}

export interface ChannelSettings {
  who_may_post: WhoMay;
  who_may_add_agents: WhoMay;
  who_may_pin: WhoMay;
  history_for_new_members: HistoryForNewMembers;
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

export interface MessageView {
  id: string;
  channel_id: string;
  seq: number;
  kind: MessageKind;
  author: Author;
  body: string;
  thread_root_id: string | null;
  thread: ThreadSummary | null;
  mentions: { member_ids: string[]; channel: boolean; here: boolean; agents: boolean };
  reactions: ReactionGroup[];
  created_at: string;
  edited_at: string | null;
  deleted_at: string | null;
}
