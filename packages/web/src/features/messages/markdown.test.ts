import { describe, expect, it } from 'vitest';
import { renderMarkdown } from './markdown.js';

const env = { handles: new Set(['ana', 'bob']), me: 'ana' };
/** Parses the HTML the way the browser will, so the assertions are about elements, not strings. */
function dom(html: string): HTMLElement {
  const div = document.createElement('div');
  div.innerHTML = html;
  return div;
}

describe('markdown rendering', () => {
  it('renders emphasis, code blocks, inline code, lists and quotes', () => {
    const html = dom(renderMarkdown('**bold** _it_ `x < y`\n\n```\nconst a = "<b>";\n```\n\n- one\n- two\n\n> quoted', env));
    expect(html.querySelector('strong')?.textContent).toBe('bold');
    expect(html.querySelector('em')?.textContent).toBe('it');
    expect(html.querySelector('p code')?.textContent).toBe('x < y');
    expect(html.querySelector('pre code')?.textContent).toBe('const a = "<b>";\n');
    expect(html.querySelectorAll('li')).toHaveLength(2);
    expect(html.querySelector('blockquote')?.textContent?.trim()).toBe('quoted');
  });

  it('shows raw HTML as text: no script, no element with handlers', () => {
    const attempts = [
      '<script>alert(1)</script>',
      '<img src=x onerror="alert(1)">',
      '<a href="javascript:alert(1)">x</a>',
      '<svg onload=alert(1)>',
      '<iframe src="https://evil.example"></iframe>',
      '<div style="position:fixed" onclick="alert(1)">x</div>',
    ];
    for (const attempt of attempts) {
      const html = dom(renderMarkdown(attempt, env));
      expect(html.querySelectorAll('script, img, iframe, svg, div'), attempt).toHaveLength(0);
      // Only a bare https URL in the text becomes a link (linkify).
      for (const a of html.querySelectorAll('a')) expect(a.getAttribute('href'), attempt).toMatch(/^https:/);
      expect(html.textContent, attempt).toContain(attempt.slice(0, 8));
      for (const el of html.querySelectorAll('*')) for (const attr of el.getAttributeNames()) expect(attr.startsWith('on'), attempt).toBe(false);
    }
  });

  it('keeps only http(s) and mailto links, opening in a new tab without an opener', () => {
    const unsafe = ['[x](javascript:alert(1))', '[x](JAVASCRIPT:alert(1))', '[x](  javascript:alert(1))', '[x](java&#x09;script:alert(1))', '[x](data:text/html;base64,PHNjcmlwdD4=)', '[x](vbscript:msgbox)', '<javascript:alert(1)>', '[x](file:///etc/passwd)'];
    for (const attempt of unsafe) {
      const html = dom(renderMarkdown(attempt, env));
      expect(html.querySelectorAll('a'), attempt).toHaveLength(0);
    }
    const html = dom(renderMarkdown('[docs](https://example.com/a?b=1) and https://example.org and [mail](mailto:a@b.c)', env));
    const links = [...html.querySelectorAll('a')];
    expect(links.map((a) => a.getAttribute('href'))).toEqual(['https://example.com/a?b=1', 'https://example.org', 'mailto:a@b.c']);
    for (const a of links) {
      expect(a.getAttribute('target')).toBe('_blank');
      expect(a.getAttribute('rel')).toBe('noopener noreferrer nofollow');
    }
  });

  it('does not render images (no remote loads, no onerror)', () => {
    const html = dom(renderMarkdown('![x](https://example.com/pixel.png)', env));
    expect(html.querySelectorAll('img')).toHaveLength(0);
  });

  it('highlights mentions of known handles, the reader\'s own and @channel more strongly, and leaves e-mail addresses alone', () => {
    const html = dom(renderMarkdown('hi @bob and @ana, @channel; not @nobody or ana@example.com', env));
    const mentions = [...html.querySelectorAll('.mention')];
    expect(mentions.map((m) => m.textContent)).toEqual(['@bob', '@ana', '@channel']);
    expect(mentions.map((m) => m.classList.contains('mention-me'))).toEqual([false, true, true]);
  });

  it('escapes a mention-like handle with markup in it', () => {
    const html = dom(renderMarkdown('@bob<img src=x onerror=alert(1)>', env));
    expect(html.querySelectorAll('img')).toHaveLength(0);
    expect(html.querySelector('.mention')?.textContent).toBe('@bob');
  });
});
