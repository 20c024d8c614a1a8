import { Type } from 'typebox';
import type { ContextDoc, ContextMessage, ContextTask } from '@chorus/protocol/context';
import { ChannelViewSchema } from '../channels/presenters.js';
import type { ChannelDoc, Message, Task } from '../db/schema.js';
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

/** The envelope of knowledge items: cited in `sources` by `type` and `id`. */
export const KnowledgeItemSchema = Type.Object({ type: Type.Union([Type.Literal('message'), Type.Literal('doc'), Type.Literal('experience')]), id: Type.String() });

export const ContextPinSchema = Type.Object({
  ...ContextMessageSchema.properties,
  pin: Type.Object({ pinned_by: Type.String(), pinned_at: Timestamp, note: Nullable(Type.String()) }),
});

export const ContextDocSchema = Type.Object({
  type: Type.Literal('doc'),
  id: Type.String(),
  title: Type.String(),
  body: Type.String(),
  revision: Type.Integer(),
  updated_at: Timestamp,
  body_truncated: Type.Boolean(),
  score: Type.Optional(Type.Number()),
});

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
  guide: Nullable(ContextDocSchema),
  thread: Nullable(Type.Object({ root: Nullable(ContextMessageSchema), ...Section })),
  pins: Type.Object({ items: Type.Array(ContextPinSchema), truncated: Type.Boolean() }),
  docs: Type.Object({ items: Type.Array(ContextDocSchema), truncated: Type.Boolean() }),
  experience: Type.Array(ContextExperienceSchema),
  history: Type.Object(Section),
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

/** A doc as context: `body` is what the budget let in (only the guide is ever cut). */
export function presentContextDoc(d: ChannelDoc, body: string, score?: number): ContextDoc {
  return {
    type: 'doc',
    id: d.id,
    title: d.title,
    body,
    revision: d.revision,
    updated_at: d.updated_at.toISOString(),
    body_truncated: body.length < d.body.length,
    ...(score !== undefined ? { score } : {}),
  };
}
