import { Type } from 'typebox';
import type { DocRevisionView, DocSummary, DocView } from '@chorus/protocol/knowledge';
import type { ChannelDoc, ChannelDocRevision } from '../../db/schema.js';
import { Nullable, Timestamp } from '../../http/schemas.js';
import { AuthorSchema, type Author } from '../../messages/presenters.js';

/** Every column of a doc but its search vector: what reads select. */
export const docColumns = [
  'id',
  'org_id',
  'channel_id',
  'title',
  'body',
  'revision',
  'agent_guide',
  'created_by',
  'created_at',
  'updated_by',
  'updated_at',
  'archived_at',
  'archived_by',
] as const;

const summaryFields = {
  id: Type.String(),
  org_id: Type.String(),
  channel_id: Type.String(),
  title: Type.String(),
  revision: Type.Integer(),
  agent_guide: Type.Boolean(),
  body_length: Type.Integer(),
  created_by: Type.String(),
  created_at: Timestamp,
  updated_by: Type.String(),
  updated_at: Timestamp,
  archived_at: Nullable(Timestamp),
};

export const DocSummarySchema = Type.Object(summaryFields);
export const DocViewSchema = Type.Object({ ...summaryFields, body: Type.String() });

export const DocRevisionSchema = Type.Object({
  doc_id: Type.String(),
  revision: Type.Integer(),
  title: Type.String(),
  author: AuthorSchema,
  created_at: Timestamp,
  restored_from: Nullable(Type.Integer()),
  body_length: Type.Integer(),
  body: Type.Optional(Type.String()),
});

export const DocDiffSchema = Type.Object({
  doc_id: Type.String(),
  from: Type.Integer(),
  to: Type.Integer(),
  title: Type.Object({ from: Type.String(), to: Type.String() }),
  unified: Type.String(),
  hunks: Type.Array(Type.Object({ old_start: Type.Integer(), old_lines: Type.Integer(), new_start: Type.Integer(), new_lines: Type.Integer(), lines: Type.Array(Type.String()) })),
});

export function presentDocSummary(d: ChannelDoc): DocSummary {
  return {
    id: d.id,
    org_id: d.org_id,
    channel_id: d.channel_id,
    title: d.title,
    revision: d.revision,
    agent_guide: d.agent_guide,
    body_length: d.body.length,
    created_by: d.created_by,
    created_at: d.created_at.toISOString(),
    updated_by: d.updated_by,
    updated_at: d.updated_at.toISOString(),
    archived_at: d.archived_at?.toISOString() ?? null,
  };
}

export function presentDoc(d: ChannelDoc): DocView {
  return { ...presentDocSummary(d), body: d.body };
}

export function presentRevision(r: ChannelDocRevision, author: Author, withBody: boolean): DocRevisionView {
  return {
    doc_id: r.doc_id,
    revision: r.revision,
    title: r.title,
    author: { id: author.id, handle: author.handle, display_name: author.display_name, kind: author.kind },
    created_at: r.created_at.toISOString(),
    restored_from: r.restored_from,
    body_length: r.body.length,
    ...(withBody ? { body: r.body } : {}),
  };
}
