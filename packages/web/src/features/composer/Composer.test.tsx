import { afterEach, describe, expect, it } from 'vitest';
import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { Composer } from './Composer.js';
import { CHANNEL, ana, makeStore, message, withStore, type Recorded } from '../../test/harness.js';

afterEach(() => {
  cleanup();
  localStorage.clear();
});

const commands = { commands: [{ name: 'digest', description: 'Summarise the channel', arg_hint: '[days]', agent: { id: 'm-helper', handle: 'helper', display_name: 'Helper bot' }, ambiguous: false }] };
function answer(r: Recorded): unknown {
  if (r.path.endsWith('/commands')) return commands;
  if (r.method === 'POST' && r.path.endsWith('/messages')) return { message: message(9, ana, (r.body as { body: string }).body) };
  return null;
}

function setup(extra: { onEditLast?: () => void } = {}) {
  const { store, requests } = makeStore([], answer);
  render(withStore(store, <Composer channelId={CHANNEL} placeholder="Message #general" onEditLast={extra.onEditLast} />));
  const box = screen.getByRole<HTMLTextAreaElement>('combobox', { name: 'Message #general' });
  const type = (text: string) => { fireEvent.change(box, { target: { value: text, selectionStart: text.length } }); };
  const sent = () => requests.filter((r) => r.method === 'POST').map((r) => (r.body as { body: string }).body);
  return { box, type, sent, requests };
}

describe('the composer', () => {
  it('sends on Enter and clears; Shift+Enter does not send', async () => {
    const { box, type, sent } = setup();
    type('first line');
    fireEvent.keyDown(box, { key: 'Enter', shiftKey: true });
    expect(sent()).toEqual([]);
    type('first line\nsecond line');
    fireEvent.keyDown(box, { key: 'Enter' });
    await waitFor(() => { expect(sent()).toEqual(['first line\nsecond line']); });
    expect(box.value).toBe('');
  });

  it('does not send blank text', () => {
    const { box, type, sent } = setup();
    type('   ');
    fireEvent.keyDown(box, { key: 'Enter' });
    expect(sent()).toEqual([]);
  });

  it('completes people and agents after @, agents badged, with the keyboard', () => {
    const { box, type } = setup();
    type('hi @b');
    // Handles first, then any word of a name ("Helper bot").
    const options = screen.getAllByRole('option');
    expect(options.map((o) => o.textContent?.replace(/\s+/g, ' '))).toEqual(['Bob @bob', 'Helper bot agent @helper']);
    type('hi @he');
    expect(screen.getByRole('option').textContent).toContain('agent');
    fireEvent.keyDown(box, { key: 'Enter' });
    expect(box.value).toBe('hi @helper ');
    expect(screen.queryByRole('listbox')).toBeNull();
  });

  it('lists the channel\'s agent commands after / at the start', async () => {
    const { type, requests } = setup();
    await waitFor(() => { expect(requests.some((r) => r.path === `/channels/${CHANNEL}/commands`)).toBe(true); });
    type('/di');
    await waitFor(() => { expect(screen.getByRole('option').textContent).toContain('/digest [days]'); });
    expect(screen.getByRole('option').textContent).toContain('@helper');
  });

  it('Escape closes the suggestions; Enter then sends', async () => {
    const { box, type, sent } = setup();
    type('@bob');
    expect(screen.getAllByRole('option')).toHaveLength(1);
    fireEvent.keyDown(box, { key: 'Escape' });
    expect(screen.queryByRole('listbox')).toBeNull();
    fireEvent.keyDown(box, { key: 'Enter' });
    await waitFor(() => { expect(sent()).toEqual(['@bob']); });
  });

  it('↑ in an empty composer edits the last message', () => {
    let edits = 0;
    const { box, type } = setup({ onEditLast: () => { edits += 1; } });
    type('text');
    fireEvent.keyDown(box, { key: 'ArrowUp' });
    expect(edits).toBe(0);
    type('');
    fireEvent.keyDown(box, { key: 'ArrowUp' });
    expect(edits).toBe(1);
  });

  it('keeps a draft per channel', () => {
    const first = setup();
    first.type('half a thought');
    cleanup();
    const again = setup();
    expect(again.box.value).toBe('half a thought');
    act(() => { again.type(''); });
    expect(localStorage.getItem(`chorus.draft.${CHANNEL}`)).toBeNull();
  });
});
