import type { SearchSnippet } from '@chorus/sdk';

/** A piece of a snippet: plain text, marked or not. */
export interface Segment {
  text: string;
  hit: boolean;
}

/**
 * Cuts a snippet into plain and highlighted pieces by its ranges (UTF-16 offsets, `end` exclusive).
 * Ranges are sorted and clamped; overlapping or empty ones are merged or dropped, so any input is safe.
 */
export function segments(snippet: SearchSnippet): Segment[] {
  const { text } = snippet;
  const ranges = snippet.highlights
    .map((h) => ({ start: Math.max(0, Math.min(text.length, h.start)), end: Math.max(0, Math.min(text.length, h.end)) }))
    .filter((h) => h.end > h.start)
    .sort((a, b) => a.start - b.start);
  const out: Segment[] = [];
  let at = 0;
  for (const r of ranges) {
    const start = Math.max(r.start, at);
    if (r.end <= start) continue;
    if (start > at) out.push({ text: text.slice(at, start), hit: false });
    out.push({ text: text.slice(start, r.end), hit: true });
    at = r.end;
  }
  if (at < text.length) out.push({ text: text.slice(at), hit: false });
  return out;
}

/**
 * A snippet with its matches in `<mark>`. Every piece is a React text node, never HTML: a body that
 * holds `<script>` or markup shows as the characters it is.
 */
export function Highlighted({ snippet }: { snippet: SearchSnippet }) {
  return (
    <span className="search-snippet">
      {segments(snippet).map((s, i) => (s.hit ? <mark key={i} className="hl">{s.text}</mark> : <span key={i}>{s.text}</span>))}
    </span>
  );
}
