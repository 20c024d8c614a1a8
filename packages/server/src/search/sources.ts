import type { ExperienceStatus } from '@chorus/protocol/experience';
import type { HitStatus } from '@chorus/protocol/search';
import type { AppContext } from '../context.js';
import type { Cursor } from './query.js';
import type { SearchScope } from './scope.js';

/**
 * The kinds of thing search finds, one source each. A source returns its
 * best hits after the cursor, in the common order (query.ts `compareHits`), in
 * the common shape; the service merges them. Adding a kind is adding a source
 * and its name to `searchKinds` — see `docs/ARCHITECTURE.md`, "Search".
 */
export const searchKinds = ['message', 'doc', 'experience'] as const;
export type SearchKind = (typeof searchKinds)[number];

/** Filters every source applies to what it has (a source without authors, say, ignores `authorId`). */
export interface SearchFilters {
  channelId?: string | undefined;
  authorId?: string | undefined;
  authorKind?: 'human' | 'agent' | undefined;
  /** Created at or after. */
  since?: Date | undefined;
  /** Created before. */
  until?: Date | undefined;
  /** `has:pin`: only pinned messages (no other kind is pinned, so no other kind matches). */
  pinned?: boolean | undefined;
  /** Docs: archived ones too (by default only docs that are not archived). */
  includeArchived?: boolean | undefined;
  /** Experience: `active` (current: not past expiry; the default), a history status, or `all`. */
  status?: ExperienceStatus | 'all' | undefined;
}

export interface SearchRequest {
  q: string;
  filters: SearchFilters;
  after: Cursor | null;
  /** At most this many hits. */
  limit: number;
}

/** One hit in the common shape. */
export interface SourceHit extends Cursor {
  kind: SearchKind;
  channelId: string;
  authorId: string;
  createdAt: Date;
  /** Docs and experience have titles; messages do not. */
  title: string | null;
  /** `ts_headline` output with the query.ts marks. */
  headline: string;
  /** Docs: `active` or `archived`; experience: its status now (`expired` computed); null for messages. */
  status: HitStatus | null;
  /** Messages: their seq and thread; null for other kinds. */
  seq: number | null;
  threadRootId: string | null;
}

export type SearchSource = (ctx: AppContext, scope: SearchScope, request: SearchRequest) => Promise<SourceHit[]>;
