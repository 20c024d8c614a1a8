import type { ChannelEvent } from './events.js';
import type { MemberView, MessageAudience, MessageView, NotificationSettings, SourceRef } from './views.js';

/**
 * The WebSocket protocol at `/api/v1/ws`: JSON text frames, one object each.
 * Documented for people in docs/PROTOCOL.md.
 */

/** Per channel, the last `seq` the client has applied. The server sends exactly what came after. */
export type Cursors = Record<string, number>;

export type PresenceStatus = 'online' | 'away' | 'offline';

// ── client → server ────────────────────────────────────────────────────────

/** The first frame: authenticates and resumes. Nothing else is accepted before it. */
export interface HelloFrame {
  type: 'hello';
  /** A session token (`chs_…`) or an agent token (`cha_…`). */
  token: string;
  /** The org to connect to; optional for agent tokens, which belong to one org. */
  org_id?: string;
  /** Resume: last applied seq per channel. Channels not listed start live, from now. */
  cursors?: Cursors;
}

/** Follow a channel the member may read without being a member of it (a public channel being browsed). */
export interface SubscribeFrame {
  type: 'subscribe';
  channel_id: string;
  /** Resume point; omitted = from now. */
  after_seq?: number;
}

export interface UnsubscribeFrame {
  type: 'unsubscribe';
  channel_id: string;
}

/** Post a message; answered by `ack` (after commit) or `error` with the same request_id. */
export interface SendFrame {
  type: 'send';
  request_id: string;
  channel_id: string;
  body: string;
  thread_root_id?: string;
  client_msg_id?: string;
  /** `agent_reasoning` and `agent_tool` are for agents' intermediate steps; omitted = `chat`. */
  kind?: 'chat' | 'agent_reasoning' | 'agent_tool';
  audience?: MessageAudience;
  /** What an agent's message drew on; an agent's post is refused (`audience_violation`) when one fails the audience rule. */
  sources?: SourceRef[];
  /** Files you uploaded to this channel (`POST /channels/:id/files`) and not yet attached. */
  file_ids?: string[];
}

export interface TypingFrame {
  type: 'typing';
  channel_id: string;
  thread_root_id?: string;
}

export interface PresenceFrame {
  type: 'presence';
  status: 'online' | 'away';
}

/** Move the read cursor; the member's other connections receive `read`. */
export interface ReadFrame {
  type: 'read';
  channel_id: string;
  seq: number;
}

export interface PingFrame {
  type: 'ping';
  nonce?: string;
}

export type ClientFrame = HelloFrame | SubscribeFrame | UnsubscribeFrame | SendFrame | TypingFrame | PresenceFrame | ReadFrame | PingFrame;

// ── server → client ────────────────────────────────────────────────────────

/** After hello: who you are and the channels you will receive, each with its latest seq. */
export interface ReadyFrame {
  type: 'ready';
  connection_id: string;
  member: MemberView;
  channels: { channel_id: string; last_seq: number }[];
  heartbeat_ms: number;
}

/** A channel event; per channel, `event.seq` only grows and never repeats on a connection. */
export interface EventFrame {
  type: 'event';
  event: ChannelEvent;
}

/**
 * The server cannot replay what the client missed in this channel (the gap is
 * older than the retention window, or the cursor is unknown): refetch the
 * channel's state over REST, then continue from `seq`.
 */
export interface ResyncFrame {
  type: 'resync';
  channel_id: string;
  seq: number;
  reason: 'gap_too_old' | 'cursor_ahead';
}

/** The channel's events stop here: the member left or lost access. */
export interface UnsubscribedFrame {
  type: 'unsubscribed';
  channel_id: string;
  reason: 'left' | 'requested' | 'no_access';
}

export interface AckFrame {
  type: 'ack';
  request_id: string;
  message: MessageView;
  /** True when the client_msg_id had already been sent: this is the original message. */
  duplicate: boolean;
}

export interface ErrorFrame {
  type: 'error';
  request_id?: string;
  error: { code: string; message: string; details?: unknown };
}

export interface TypingEventFrame {
  type: 'typing';
  channel_id: string;
  member_id: string;
  thread_root_id: string | null;
}

/**
 * A chunk of a streamed reply (ephemeral, never replayed): append `text` to the message's body.
 * `index` counts the chunks (the opening body is 1), so a client sees a gap; one that missed a chunk
 * refetches the message or waits for the final text, which comes as `message.edited`.
 */
export interface StreamChunkFrame {
  type: 'stream';
  channel_id: string;
  message_id: string;
  index: number;
  text: string;
}

export interface PresenceEventFrame {
  type: 'presence';
  member_id: string;
  status: PresenceStatus;
  last_seen_at: string | null;
}

export interface ReadEventFrame {
  type: 'read';
  channel_id: string;
  seq: number;
}

/**
 * A member of the org changed their profile (display name, avatar, custom status), or an agent's
 * sponsor changed it for them: replace the member in any directory or cache. Sent to every
 * connection of the org, like presence; not replayed: a client that reconnects refetches members.
 */
export interface MemberUpdatedFrame {
  type: 'member.updated';
  member: MemberView;
}

/** The person's notification preferences changed (on any of their devices); sent to their own connections. */
export interface NotificationsFrame {
  type: 'notifications';
  settings: NotificationSettings;
}

export interface PongFrame {
  type: 'pong';
  nonce?: string;
}

export type ServerFrame =
  | ReadyFrame
  | EventFrame
  | ResyncFrame
  | UnsubscribedFrame
  | AckFrame
  | ErrorFrame
  | TypingEventFrame
  | StreamChunkFrame
  | PresenceEventFrame
  | ReadEventFrame
  | MemberUpdatedFrame
  | NotificationsFrame
  | PongFrame;

/** Close codes. 4xxx below 4100: do not reconnect with the same credentials. 41xx: reconnect and resume. */
export const CloseCode = {
  /** The hello's token is invalid, expired or revoked, or the member is not active. */
  Unauthorized: 4001,
  /** No hello within the allowed time. */
  HelloTimeout: 4002,
  /** A frame that is not valid JSON or not a known frame. */
  ProtocolError: 4003,
  /** The member was removed from the org, or deactivated. */
  Forbidden: 4004,
  /** A frame over the size limit. */
  FrameTooLarge: 4009,
  /** Too many frames too fast. Reconnect after a pause. */
  RateLimited: 4029,
  /** The client read too slowly and its send buffer filled: reconnect and resume. */
  SlowConsumer: 4100,
  /** The server is shutting down or restarting: reconnect (possibly to another node) and resume. */
  GoingAway: 4101,
  /** No pong/ping for too long. */
  HeartbeatTimeout: 4102,
} as const;

export type CloseCodeValue = (typeof CloseCode)[keyof typeof CloseCode];

/** Whether a client should reconnect after this close code. */
export function shouldReconnect(code: number): boolean {
  return !(code >= 4001 && code < 4100);
}
