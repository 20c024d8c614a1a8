import { Type } from 'typebox';
import type { SearchHit } from '@chorus/protocol/search';
import { Nullable, Timestamp } from '../http/schemas.js';
import type { FileView } from '@chorus/protocol/views';
import { FileViewSchema } from '../files/presenters.js';
import { AuthorSchema, type Author } from '../messages/presenters.js';
import { snippetOf } from './query.js';
import { searchKinds, type SearchKind, type SourceHit } from './sources.js';

/** Every kind in `searchKinds`, so that adding a source adds its kind to the API. */
export const SearchKindSchema = Type.Unsafe<SearchKind>(Type.Union(searchKinds.map((k) => Type.Literal(k))));

export const SearchHitSchema = Type.Object({
  kind: SearchKindSchema,
  id: Type.String(),
  channel_id: Type.String(),
  author: AuthorSchema,
  created_at: Timestamp,
  rank: Type.Number(),
  title: Nullable(Type.String()),
  snippet: Type.Object({
    text: Type.String(),
    highlights: Type.Array(Type.Object({ start: Type.Integer(), end: Type.Integer() })),
  }),
  status: Nullable(Type.Union([Type.Literal('active'), Type.Literal('archived'), Type.Literal('deprecated'), Type.Literal('superseded'), Type.Literal('expired')])),
  seq: Nullable(Type.Integer()),
  thread_root_id: Nullable(Type.String()),
  attachments: Type.Array(FileViewSchema),
});

export const SearchResultSchema = Type.Object({ hits: Type.Array(SearchHitSchema), next_cursor: Nullable(Type.String()) });

const unknownAuthor = (id: string): Author => ({ id, handle: 'unknown', display_name: 'Unknown', kind: 'human' });

export function presentHit(hit: SourceHit, author: Author | undefined, attachments: FileView[] = []): SearchHit {
  const a = author ?? unknownAuthor(hit.authorId);
  return {
    kind: hit.kind,
    id: hit.id,
    channel_id: hit.channelId,
    author: { id: a.id, handle: a.handle, display_name: a.display_name, kind: a.kind },
    created_at: hit.createdAt.toISOString(),
    rank: hit.rank,
    title: hit.title,
    snippet: snippetOf(hit.headline),
    status: hit.status,
    seq: hit.seq,
    thread_root_id: hit.threadRootId,
    attachments,
  };
}
