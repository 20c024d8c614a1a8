import { memo, useMemo } from 'react';
import { renderMarkdown, type MarkdownEnv } from './markdown.js';

/** A message body as markdown; the HTML comes from `renderMarkdown`, which lets no raw HTML or unsafe link through. */
export const Markdown = memo(function Markdown({ body, env }: { body: string; env: MarkdownEnv }) {
  const html = useMemo(() => renderMarkdown(body, env), [body, env]);
  return <div className="markdown" dangerouslySetInnerHTML={{ __html: html }} />;
});
