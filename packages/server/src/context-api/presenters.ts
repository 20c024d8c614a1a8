import { Type } from 'typebox';
import type { ContextMessage, ContextTask } from '@chorus/protocol/context';
import { ChannelViewSchema } from '../channels/presenters.js';
import type { Message, Task } from '../db/schema.js';
import { Nullable, Timestamp } from '../http/schemas.js';
import { AuthorSchema, type Author } from '../messages/presenters.js';
import { ContextExperienceSchema } from '../experience/presenters.js';

export const ContextMessageSchema = Type.Object({
  type: Type.Literal('message'),
  id: Type.String(),
  seq: Type.Integer(),
  kind: Type.String(),
  author: AuthorSchema,
  body: Type.String(),
  thread_root_id: Nullable(Type.String()),
  created_at: Timestamp,
  edited_at: Nullable(Timestamp),
});

/** Pins, docs, the guide and experience join the bundle with the knowledge issue; each item is cited by `type` and `id`. */
const KnowledgeItemSchema = Type.Object({ type: Type.Union([Type.Literal('pin'), Type.Literal('doc'), Type.Literal('experience')]), id: Type.String() });

const ContextTaskSchema = Type.Object({
  id: Type.String(),
  status: Type.String(),
  origin: Type.String(),
  requester_id: Type.String(),
  request_message_id: Nullable(Type.String()),
  thread_root_id: Nullable(Type.String()),
  created_at: Timestamp,
});

const Section = { items: Type.Array(ContextMessageSchema), truncated: Type.Boolean() };

export const ContextBundleSchema = Type.Object({
  channel: ChannelViewSchema,
  task: Nullable(ContextTaskSchema),
  thread: Nullable(Type.Object({ root: Nullable(ContextMessageSchema), ...Section })),
  history: Type.Object(Section),
  guide: Type.Array(KnowledgeItemSchema),
  pins: Type.Array(KnowledgeItemSchema),
  docs: Type.Array(KnowledgeItemSchema),
  experience: Type.Array(ContextExperienceSchema),
  budget: Type.Object({ max_messages: Type.Integer(), max_chars: Type.Integer(), messages: Type.Integer(), chars: Type.Integer() }),
});

export function presentContextMessage(m: Message, author: Author): ContextMessage {
  return {
    type: 'message',
    id: m.id,
    seq: m.seq,
    kind: m.kind,
    author: { id: author.id, handle: author.handle, display_name: author.display_name, kind: author.kind },
    body: m.body,
    thread_root_id: m.thread_root_id,
    created_at: m.created_at.toISOString(),
    edited_at: m.edited_at?.toISOString() ?? null,
  };
}

export function presentContextTask(t: Task): ContextTask {
  return {
    id: t.id,
    status: t.status,
    origin: t.origin,
    requester_id: t.requester_id,
    request_message_id: t.request_message_id,
    thread_root_id: t.thread_root_id,
    created_at: t.created_at.toISOString(),
  };
}
