import type { ExperienceStatus } from './experience.js';
import type { Author, FileView } from './views.js';

/**
 * Full-text search: `GET /api/v1/orgs/:orgId/search?q=…`. A hit is something
 * the caller may read now — nothing hidden is counted, hinted at or paged
 * over. An agent's search is recorded in the audit log with the ids returned.
 */

/** What search finds: messages, channel docs and experience entries. */
export type SearchKind = 'message' | 'doc' | 'experience';

/** A doc's state (`active` or `archived`) or an experience entry's status now; messages have none. */
export type HitStatus = 'active' | 'archived' | Exclude<ExperienceStatus, 'active'>;

/**
 * A highlighted excerpt as plain text and ranges, never markup: render `text`
 * as text and wrap each range (UTF-16 offsets, `end` exclusive) in a highlight.
 *
 * @example
 *   // { text: 'we deploy on Fridays', highlights: [{ start: 3, end: 9 }] } → "we **deploy** on Fridays"
 */
export interface SearchSnippet {
  text: string;
  highlights: { start: number; end: number }[];
}

/** One hit, in one shape for every kind. Cite it as a source with `{ type: kind, id }`. */
export interface SearchHit {
  kind: SearchKind;
  id: string;
  channel_id: string;
  author: Author;
  created_at: string;
  /** `ts_rank` of the match: higher is better; comparable across kinds. */
  rank: number;
  /** Docs and experience have a title; messages have none. */
  title: string | null;
  snippet: SearchSnippet;
  /** Docs: `active` or `archived`; experience: `active`, `deprecated`, `superseded` or `expired`; null for messages. */
  status: HitStatus | null;
  /** For messages: their seq in the channel and thread root; null for other kinds. */
  seq: number | null;
  thread_root_id: string | null;
  /** A message's files, as the message shows them (`GET /messages/:id`); empty for other kinds. */
  attachments: FileView[];
}

export interface SearchResult {
  hits: SearchHit[];
  /** Pass as `cursor` for the next page; null on the last page. Stable: new matches never shift a page already served. */
  next_cursor: string | null;
}

/** The query of `GET /orgs/:orgId/search`. */
export interface SearchQuery {
  q: string;
  kinds?: SearchKind[];
  channel_id?: string;
  author_id?: string;
  author_kind?: 'human' | 'agent';
  /** ISO date-time: created at or after. */
  since?: string;
  /** ISO date-time: created before. */
  until?: string;
  /** `has:pin`: only pinned messages (docs and experience are never pinned, so none of them). */
  pinned?: boolean;
  /** Docs: archived docs too. */
  include_archived?: boolean;
  /** Experience: `active` (current, the default), a history status, or `all`. */
  status?: ExperienceStatus | 'all';
  limit?: number;
  cursor?: string;
}
