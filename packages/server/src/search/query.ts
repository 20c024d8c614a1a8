import { sql, type RawBuilder, type SqlBool } from 'kysely';
import { badRequest } from '../http/errors.js';

/**
 * What every search source shares: the text-search configuration, the query,
 * the order of hits and the cursor that pages through them, and the snippet
 * markers.
 */

/**
 * The text-search configuration of every searchable vector (messages; the
 * docs' and experience's "title A, body B"): `english` stems ("deploying"
 * finds "deploy") and drops stop words. A source whose vector was built with
 * another configuration must parse the query with that one.
 */
export const searchConfig = 'english';

/** The user's words as a tsquery: `websearch_to_tsquery` never fails on input ("quoted phrases", `or`, `-not`). */
export function tsquery(q: string): RawBuilder<unknown> {
  return sql`websearch_to_tsquery(${sql.lit(searchConfig)}::regconfig, ${q})`;
}

/** A rank as `ts_rank` computes it (a `real`), kept exactly through the cursor. */
export function rankOf(vector: RawBuilder<unknown>, q: string): RawBuilder<number> {
  return sql<number>`ts_rank(${vector}, ${tsquery(q)})`;
}

/**
 * Hits are ordered by rank (highest first), then recency (newest first),
 * then id; a cursor is the last hit of a page in that order. `created_us` is
 * microseconds since the epoch, exact where a JS Date would round.
 */
export interface Cursor {
  rank: number;
  createdUs: string;
  id: string;
}

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify([c.rank, c.createdUs, c.id])).toString('base64url');
}

/** A cursor this server made; anything else is `400 invalid_cursor`. */
export function decodeCursor(text: string): Cursor {
  try {
    const value: unknown = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === 3) {
      const [rank, createdUs, id] = value as unknown[];
      if (typeof rank === 'number' && Number.isFinite(rank) && rank >= 0 && typeof createdUs === 'string' && /^-?\d{1,18}$/.test(createdUs) && typeof id === 'string' && uuid.test(id)) {
        return { rank, createdUs, id };
      }
    }
  } catch {
    // falls through to the refusal
  }
  throw badRequest('invalid_cursor', 'This cursor was not made by a search here; start again without one.');
}

/**
 * The keyset clause of every source: rows of the subquery `m` (columns `rank`,
 * `created_at`, `id`) strictly after the cursor in the search order. The rank
 * is compared as the `real` ts_rank computes, the time to the microsecond.
 */
export function afterCursor(after: Cursor): RawBuilder<SqlBool> {
  const rank = sql`${after.rank}::real`;
  // Microseconds since the epoch back to a timestamp, exactly.
  const createdAt = sql`(timestamptz 'epoch' + ${after.createdUs}::bigint * interval '1 microsecond')`;
  return sql<SqlBool>`(m.rank < ${rank} or (m.rank = ${rank} and (m.created_at < ${createdAt} or (m.created_at = ${createdAt} and m.id > ${after.id}::uuid))))`;
}

/** Exact microseconds of `p.created_at` for the cursor (a JS Date keeps milliseconds), computed for a page only. */
export const createdUs = sql<string>`(extract(epoch from p.created_at) * 1000000)::bigint::text`;

/** Compares two hits in the search order: negative when `a` comes first. */
export function compareHits(a: Cursor, b: Cursor): number {
  if (a.rank !== b.rank) return b.rank - a.rank;
  const at = BigInt(a.createdUs);
  const bt = BigInt(b.createdUs);
  if (at !== bt) return at < bt ? 1 : -1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/**
 * Snippets are plain text with highlight ranges, never markup: a body may
 * hold anything, and a client that renders `text` as text and wraps each
 * range is safe whatever the body says. `ts_headline` marks the matches with
 * two control characters that are first removed from the body, so a body
 * cannot forge a highlight.
 */
export const startMark = '\u0002';
export const stopMark = '\u0003';
const marks = `StartSel=${startMark}, StopSel=${stopMark}`;

/**
 * A body up to this long is its own snippet, whole and verbatim
 * (`HighlightAll`); a longer one is cut to at most two fragments around the
 * matches (fragment mode drops edge punctuation, fine for an excerpt).
 */
export const wholeBodyChars = 300;

/** The `ts_headline` of `body` (already free of the marks) for the query. */
export function headline(body: RawBuilder<string>, q: string): RawBuilder<string> {
  const config = sql.lit(searchConfig);
  return sql<string>`case when length(${body}) <= ${wholeBodyChars}
    then ts_headline(${config}::regconfig, ${body}, ${tsquery(q)}, ${`${marks}, HighlightAll=true`})
    else ts_headline(${config}::regconfig, ${body}, ${tsquery(q)}, ${`${marks}, MaxWords=20, MinWords=8, ShortWord=0, MaxFragments=2, FragmentDelimiter=" … "`}) end`;
}

export interface Snippet {
  text: string;
  /** Highlighted ranges of `text`: `start` and `end` are UTF-16 offsets (JavaScript string indices), end exclusive. */
  highlights: { start: number; end: number }[];
}

/** `ts_headline`'s marked text as a {@link Snippet}. */
export function snippetOf(marked: string): Snippet {
  let text = '';
  const highlights: Snippet['highlights'] = [];
  let open: number | null = null;
  for (const ch of marked) {
    if (ch === startMark) open ??= text.length;
    else if (ch === stopMark) {
      if (open !== null && text.length > open) highlights.push({ start: open, end: text.length });
      open = null;
    } else text += ch;
  }
  return { text, highlights };
}
