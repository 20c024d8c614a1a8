import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { RestClient } from '@chorus/sdk';
import { Composer } from '../composer/Composer.js';
import { ChannelPage } from '../channel/ChannelPage.js';
import { WorkspaceStore } from '../../app/workspace/workspace-store.js';
import { CHANNEL, ORG, ana, makeStore, message, withStore } from '../../test/harness.js';

afterEach(() => {
  cleanup();
  localStorage.clear();
});

const json = (status: number, body: unknown) => Promise.resolve(new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } }));

/** A store whose REST answers uploads (413 for `huge.bin`) and records posted messages. */
function setup(page = false) {
  const posted: { body: string; file_ids?: string[] }[] = [];
  const fetchImpl = ((input: string, init?: { method?: string; body?: unknown }) => {
    const url = new URL(input);
    if (url.pathname.endsWith(`/channels/${CHANNEL}/files`)) {
      const name = url.searchParams.get('name') ?? '';
      if (name === 'huge.bin') return json(413, { error: { code: 'file_too_large', message: 'The file is larger than 100 MB.' } });
      return json(201, { file: { id: `f-${name}`, channel_id: CHANNEL, message_id: null, uploader_id: ana.id, name, size: 5, mime: 'image/png', width: 2, height: 2, preview: true, created_at: '2026-01-01T00:00:00Z' } });
    }
    if (init?.method === 'POST' && url.pathname.endsWith('/messages')) {
      const body = JSON.parse(init.body as string) as { body: string; file_ids?: string[] };
      posted.push(body);
      return json(201, { message: message(9, ana, body.body) });
    }
    return json(200, { commands: [] });
  }) as unknown as typeof fetch;
  const store = new WorkspaceStore(new RestClient('http://chorus.test', 'token', fetchImpl), { baseUrl: 'http://chorus.test', token: 'token', orgId: ORG });
  store.seed(makeStore([]).store.getSnapshot());
  render(withStore(store, page ? <ChannelPage channelId={CHANNEL} /> : <Composer channelId={CHANNEL} placeholder="Message #general" />));
  const pick = (...files: File[]) => { fireEvent.change(screen.getByLabelText('Files to attach'), { target: { files } }); };
  return { posted, pick };
}

describe('attaching files in the composer', () => {
  it('is reachable by a labelled button; uploads show as chips; a too-large file is refused clearly; a send of only files names them', async () => {
    const { posted, pick } = setup();
    expect(screen.getByRole('button', { name: 'Attach files' })).toBeTruthy();
    pick(new File(['12345'], 'red.png', { type: 'image/png' }), new File(['x'], 'huge.bin'));

    const chips = screen.getByRole('list', { name: 'Attachments' });
    await within(chips).findByText('5 B');
    expect((await within(chips).findByRole('alert')).textContent).toBe('huge.bin is too large to upload (1 B).');
    fireEvent.click(within(chips).getByRole('button', { name: 'Remove huge.bin' }));
    expect(within(chips).queryByText('huge.bin')).toBeNull();

    fireEvent.keyDown(screen.getByRole('combobox', { name: 'Message #general' }), { key: 'Enter' });
    await waitFor(() => { expect(posted).toEqual([expect.objectContaining({ body: 'red.png', file_ids: ['f-red.png'] })]); });
    await waitFor(() => { expect(screen.queryByRole('list', { name: 'Attachments' })).toBeNull(); });
  });

  it('takes files dropped anywhere on the channel page, with an overlay naming the channel, into the composer once', async () => {
    setup(true);
    const files = [new File(['12345'], 'plan.png', { type: 'image/png' })];
    const dataTransfer = { types: ['Files'], files, dropEffect: 'none' };
    const log = screen.getByRole('log', { name: 'Messages in #general' });
    expect(screen.queryByText('Drop to attach to #general')).toBeNull();
    fireEvent.dragEnter(log, { dataTransfer });
    fireEvent.dragEnter(log.parentElement!, { dataTransfer });
    fireEvent.dragLeave(log, { dataTransfer });
    expect(screen.getByRole('status').textContent).toBe('Drop to attach to #general');
    fireEvent.drop(log, { dataTransfer });
    expect(screen.queryByText('Drop to attach to #general')).toBeNull();
    const chips = screen.getByRole('list', { name: 'Attachments' });
    await within(chips).findByText('5 B');
    // Dropped on the composer itself: added once, not again by the page.
    fireEvent.drop(screen.getByRole('combobox', { name: 'Message #general' }), { dataTransfer: { ...dataTransfer, files: [new File(['1'], 'notes.txt')] } });
    await within(chips).findByText('notes.txt');
    expect(within(chips).getAllByRole('listitem').map((li) => li.querySelector('.pending-file-name')?.textContent)).toEqual(['plan.png', 'notes.txt']);
  });

  it('ignores a drag of something other than files', () => {
    setup(true);
    fireEvent.dragEnter(screen.getByRole('log'), { dataTransfer: { types: ['text/plain'], files: [] } });
    expect(screen.queryByText(/Drop to attach/)).toBeNull();
  });
});
