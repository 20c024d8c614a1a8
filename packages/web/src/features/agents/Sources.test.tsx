import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import type { SourceRef } from '@chorus/protocol/views';
import { SourceList } from './Sources.js';

afterEach(cleanup);

describe('SourceList', () => {
  const items = [
    { source: { type: 'message', id: 'm1' } as SourceRef, label: 'Pat: we deploy on Fridays' },
    { source: { type: 'doc', id: 'd1' } as SourceRef, label: 'Deploy runbook' },
    { source: { type: 'experience', id: 'e1' } as SourceRef, label: '<b>Take the lock first</b>' },
  ];

  it('shows every cited source as a link that opens it', () => {
    const opened: SourceRef[] = [];
    render(<SourceList items={items} onOpen={(s) => { opened.push(s); }} />);
    const nav = screen.getByRole('navigation', { name: 'Sources' });
    const links = [...nav.querySelectorAll('a')];
    expect(links.map((a) => a.textContent)).toEqual(['Message Pat: we deploy on Fridays', 'Doc Deploy runbook', 'Experience <b>Take the lock first</b>']);
    for (const link of links) fireEvent.click(link);
    expect(opened).toEqual(items.map((i) => i.source));
  });

  it('renders labels as text, not markup', () => {
    render(<SourceList items={items} onOpen={() => undefined} />);
    expect(document.querySelector('.sources b')).toBeNull();
  });

  it('shows nothing without sources', () => {
    const { container } = render(<SourceList items={[]} onOpen={() => undefined} />);
    expect(container.innerHTML).toBe('');
  });
});
