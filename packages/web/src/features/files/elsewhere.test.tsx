import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, render, screen, within } from '@testing-library/react';
import type { FileView, PinEntry, SearchHit } from '@chorus/sdk';
import { PinsPanel } from '../pins/PinsPanel.js';
import { SearchPage } from '../search/SearchPage.js';
import { CHANNEL, ORG, ana, bob, makeStore, message, withStore, type Recorded } from '../../test/harness.js';

afterEach(() => {
  cleanup();
  history.replaceState(null, '', '/');
});

const file = (id: string, name: string, overrides: Partial<FileView> = {}): FileView => ({
  id, channel_id: CHANNEL, message_id: 'msg-1', uploader_id: bob.id, name, size: 2048, mime: 'application/pdf', width: null, height: null, preview: false, created_at: '2026-01-01T00:00:00Z', ...overrides,
});
const plan = file('f-plan', 'plan.pdf');
const shot = file('f-shot', 'shot.png', { mime: 'image/png', preview: true, width: 480, height: 240 });

/** Answers file links the way the server does, and whatever else `extra` knows. */
const answering = (extra: (r: Recorded) => unknown) => (r: Recorded): unknown => {
  const link = /^\/files\/([^/]+)\/link$/.exec(r.path);
  if (link) {
    const variant = (r.body as { variant: string }).variant;
    return { url: `http://chorus.test/api/v1/files/${link[1]}/${variant}`, path: `/api/v1/files/${link[1]}/${variant}`, expires_at: '2026-01-01T00:05:00Z' };
  }
  return extra(r);
};

describe('attachments outside the channel', () => {
  it('shows a pinned message\'s files in the pins panel, as in the channel', async () => {
    const pinned = message(1, bob, 'the plan', { pinned: true, attachments: [plan, shot] });
    const entry: PinEntry = { pin: { message_id: pinned.id, channel_id: CHANNEL, pinned_by: ana.id, pinned_at: '2026-01-01T00:00:00Z', note: null, seq: 2 }, message: pinned };
    const { store } = makeStore([pinned], answering((r) => (r.path.startsWith(`/channels/${CHANNEL}/pins`) ? { pins: [entry], next_cursor: null } : null)));
    render(withStore(store, <PinsPanel channelId={CHANNEL} />));
    const item = (await screen.findByText('the plan')).closest('li')!;
    const files = within(item).getByRole('list', { name: 'Attachments' });
    expect(await within(files).findByRole('link', { name: 'plan.pdf 2.0 KB' })).toBeTruthy();
    expect((await within(files).findByRole('img', { name: 'shot.png' })).getAttribute('src')).toBe('/api/v1/files/f-shot/preview');
  });

  it('shows a message hit\'s files in the search results; other hits have none', async () => {
    history.replaceState(null, '', `/o/${ORG}/search?q=plan`);
    const base = { channel_id: CHANNEL, author: { id: bob.id, handle: bob.handle, display_name: bob.display_name, kind: 'human' as const }, created_at: '2026-01-01T00:00:00Z', rank: 0.5, status: null, thread_root_id: null };
    const hits: SearchHit[] = [
      { ...base, kind: 'message', id: 'msg-1', title: null, snippet: { text: 'the plan', highlights: [{ start: 4, end: 8 }] }, seq: 1, attachments: [plan] },
      { ...base, kind: 'doc', id: 'doc-1', title: 'Plan doc', snippet: { text: 'a plan', highlights: [] }, seq: null, status: 'active', attachments: [] },
    ];
    const { store } = makeStore([], answering((r) => (r.path.startsWith(`/orgs/${ORG}/search`) ? { hits, next_cursor: null } : null)));
    render(withStore(store, <SearchPage />));
    const results = await screen.findByRole('list', { name: 'Search results' });
    const [messageHit, docHit] = within(results).getAllByRole('listitem').filter((li) => li.classList.contains('search-hit'));
    expect(await within(messageHit!).findByRole('link', { name: 'plan.pdf 2.0 KB' })).toBeTruthy();
    expect(within(docHit!).queryByRole('list', { name: 'Attachments' })).toBeNull();
  });
});
