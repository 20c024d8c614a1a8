import { Markdown } from '../messages/Markdown.js';
import type { MarkdownEnv } from '../messages/markdown.js';

const env: MarkdownEnv = { handles: new Set(), me: null };

/** A doc body as safe markdown: the messages' renderer (no raw HTML, safe links only). */
export function DocMarkdown({ body }: { body: string }) {
  if (!body.trim()) return <p className="muted">This doc is empty.</p>;
  return <div className="doc-preview"><Markdown body={body} env={env} /></div>;
}
