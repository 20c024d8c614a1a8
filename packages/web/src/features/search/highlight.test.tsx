import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, render } from '@testing-library/react';
import { Highlighted, segments } from './highlight.js';

afterEach(cleanup);

describe('search highlighting', () => {
  it('wraps each highlighted range in <mark>, the rest as text', () => {
    const { container } = render(<Highlighted snippet={{ text: 'we deploy on Fridays', highlights: [{ start: 3, end: 9 }] }} />);
    const marks = [...container.querySelectorAll('mark')].map((m) => m.textContent);
    expect(marks).toEqual(['deploy']);
    expect(container.textContent).toBe('we deploy on Fridays');
  });

  it('never turns a body into markup: tags and entities show as written', () => {
    const text = '<img src=x onerror=alert(1)> deploy <script>alert(2)</script> &amp;';
    const start = text.indexOf('deploy');
    const { container } = render(<Highlighted snippet={{ text, highlights: [{ start, end: start + 6 }] }} />);
    expect(container.querySelector('img')).toBeNull();
    expect(container.querySelector('script')).toBeNull();
    expect(container.textContent).toBe(text);
    expect(container.querySelector('mark')?.textContent).toBe('deploy');
  });

  it('copes with unsorted, overlapping, empty and out-of-range ranges', () => {
    expect(segments({ text: 'abcdef', highlights: [{ start: 4, end: 99 }, { start: 0, end: 2 }, { start: 1, end: 3 }, { start: 2, end: 2 }] })).toEqual([
      { text: 'ab', hit: true },
      { text: 'c', hit: true },
      { text: 'd', hit: false },
      { text: 'ef', hit: true },
    ]);
    expect(segments({ text: 'plain', highlights: [] })).toEqual([{ text: 'plain', hit: false }]);
  });

  it('cuts by UTF-16 offsets, as JavaScript strings index', () => {
    const text = '🚀 deploy now';
    const start = text.indexOf('deploy');
    expect(segments({ text, highlights: [{ start, end: start + 6 }] })[1]).toEqual({ text: 'deploy', hit: true });
  });
});
