import type { SearchKind, SearchQuery } from '@chorus/sdk';

const kindsAll: SearchKind[] = ['message', 'doc', 'experience'];

/** The search screen's state lives in its URL (shareable, back button works): URL ⇄ the API's query. */
export function queryFromParams(params: URLSearchParams): SearchQuery | null {
  const q = params.get('q')?.trim();
  if (!q) return null;
  const query: SearchQuery = { q, limit: 20 };
  const kinds = (params.get('kinds') ?? '').split(',').filter((k): k is SearchKind => (kindsAll as string[]).includes(k));
  if (kinds.length > 0 && kinds.length < kindsAll.length) query.kinds = kinds;
  const channel = params.get('channel');
  if (channel) query.channel_id = channel;
  const author = params.get('author');
  if (author) query.author_id = author;
  const kind = params.get('author_kind');
  if (kind === 'human' || kind === 'agent') query.author_kind = kind;
  if (params.get('pinned') === 'true') query.pinned = true;
  // Dates are days in the person's time zone: from the start of `since` to the end of `until`.
  const since = params.get('since');
  if (since) query.since = new Date(`${since}T00:00:00`).toISOString();
  const until = params.get('until');
  if (until) query.until = new Date(new Date(`${until}T00:00:00`).getTime() + 86_400_000).toISOString();
  return query;
}

/** Sets or clears one filter in the current params, returning the new query string. */
export function withParam(params: URLSearchParams, key: string, value: string | null): string {
  const next = new URLSearchParams(params);
  if (value === null || value === '') next.delete(key);
  else next.set(key, value);
  return next.toString();
}
