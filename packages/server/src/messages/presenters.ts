import { Type } from 'typebox';
import type { MessageView as WireMessageView, ThreadSummary as WireThreadSummary } from '@chorus/protocol/views';
import type { Member, Message } from '../db/schema.js';
import { Nullable, Timestamp } from '../http/schemas.js';
import { FileViewSchema } from '../files/presenters.js';
import type { FileView } from '@chorus/protocol/views';

export const AuthorSchema = Type.Object({
  id: Type.String(),
  handle: Type.String(),
  display_name: Type.String(),
  kind: Type.Union([Type.Literal('human'), Type.Literal('agent')]),
});

export const ThreadSummarySchema = Type.Object({
  root_id: Type.String(),
  reply_count: Type.Integer(),
  last_reply_at: Nullable(Timestamp),
  participants: Type.Array(Type.String()),
});

export const ReactionGroupSchema = Type.Object({ emoji: Type.String(), count: Type.Integer(), member_ids: Type.Array(Type.String()) });

export const SourceRefSchema = Type.Object({
  type: Type.Union([Type.Literal('message'), Type.Literal('doc'), Type.Literal('experience')]),
  id: Type.String(),
});

export const MessageViewSchema = Type.Object({
  id: Type.String(),
  channel_id: Type.String(),
  seq: Type.Integer(),
  kind: Type.String(),
  author: AuthorSchema,
  body: Type.String(),
  thread_root_id: Nullable(Type.String()),
  thread: Nullable(ThreadSummarySchema),
  mentions: Type.Object({ member_ids: Type.Array(Type.String()), channel: Type.Boolean(), here: Type.Boolean(), agents: Type.Boolean() }),
  reactions: Type.Array(ReactionGroupSchema),
  /** Pinned in its channel (GET /channels/:id/pins). */
  pinned: Type.Boolean(),
  stream: Nullable(Type.Union([Type.Literal('open'), Type.Literal('ended'), Type.Literal('abandoned')])),
  /** Files attached when it was posted. */
  attachments: Type.Array(FileViewSchema),
  created_at: Timestamp,
  edited_at: Nullable(Timestamp),
  deleted_at: Nullable(Timestamp),
  /** `humans`: kept out of every agent's context; people see the message with this mark. */
  audience: Type.Union([Type.Literal('all'), Type.Literal('humans')]),
  /** What an agent's message drew on, each checked against the audience rule when it was posted. */
  sources: Type.Array(SourceRefSchema),
});

export type Author = Pick<Member, 'id' | 'handle' | 'display_name' | 'kind'>;
export type ThreadSummary = WireThreadSummary;
export type ReactionGroup = { emoji: string; count: number; member_ids: string[] };
export type MessageView = WireMessageView;

export function threadSummary(root: Pick<Message, 'id' | 'reply_count' | 'last_reply_at' | 'reply_participants'>): ThreadSummary {
  return {
    root_id: root.id,
    reply_count: root.reply_count,
    last_reply_at: root.last_reply_at?.toISOString() ?? null,
    participants: root.reply_participants,
  };
}

/** One shape for a message everywhere: REST answers and channel events carry the same view. */
export function presentMessage(m: Message, author: Author, mentionIds: string[], reactions: ReactionGroup[], pinned = false, attachments: FileView[] = []): MessageView {
  const deleted = m.deleted_at !== null;
  return {
    id: m.id,
    channel_id: m.channel_id,
    seq: m.seq,
    kind: m.kind,
    author: { id: author.id, handle: author.handle, display_name: author.display_name, kind: author.kind },
    body: deleted ? '' : m.body,
    thread_root_id: m.thread_root_id,
    thread: m.reply_count > 0 ? threadSummary(m) : null,
    mentions: {
      member_ids: deleted ? [] : mentionIds,
      channel: !deleted && m.mentions_all,
      here: !deleted && m.mentions_here,
      agents: !deleted && m.mentions_agents,
    },
    reactions: deleted ? [] : reactions,
    pinned: !deleted && pinned,
    stream: m.stream_state,
    attachments: deleted ? [] : attachments,
    created_at: m.created_at.toISOString(),
    edited_at: m.edited_at?.toISOString() ?? null,
    deleted_at: m.deleted_at?.toISOString() ?? null,
    audience: m.audience,
    sources: deleted ? [] : m.sources,
  };
}
