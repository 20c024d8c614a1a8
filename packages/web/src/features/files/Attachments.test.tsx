import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, render, screen, waitFor } from '@testing-library/react';
import type { FileView } from '@chorus/sdk';
import { Attachments } from './Attachments.js';
import { CHANNEL, ana, makeStore, message, withStore, type Recorded } from '../../test/harness.js';

afterEach(cleanup);

function fileView(id: string, name: string, overrides: Partial<FileView> = {}): FileView {
  return { id, channel_id: CHANNEL, message_id: 'msg-1', uploader_id: ana.id, name, size: 2048, mime: 'application/pdf', width: null, height: null, preview: false, created_at: '2026-01-01T00:00:00Z', ...overrides };
}

function answer(r: Recorded): unknown {
  const match = /^\/files\/([^/]+)\/link$/.exec(r.path);
  if (!match) return null;
  const variant = (r.body as { variant: string }).variant;
  return { url: `http://chorus.test/api/v1/files/${match[1]}/${variant}`, path: `/api/v1/files/${match[1]}/${variant}`, expires_at: '2026-01-01T00:05:00Z' };
}

describe('a message\'s attachments', () => {
  it('shows images as preview thumbnails linking to the original, other files as download links with name and size; names are text', async () => {
    const image = fileView('f-img', '<img src=x onerror=alert(1)>.png', { mime: 'image/png', width: 800, height: 400, preview: true, size: 123_456 });
    const doc = fileView('f-doc', '<b>plan</b>.pdf');
    const { store, requests } = makeStore([], answer);
    const { container } = render(withStore(store, <Attachments message={message(1, ana, 'see', { attachments: [image, doc] })} />));

    const download = await screen.findByRole('link', { name: '<b>plan</b>.pdf 2.0 KB' });
    await waitFor(() => { expect(download.getAttribute('href')).toBe('/api/v1/files/f-doc/original'); });
    expect(container.querySelector('b')).toBeNull();

    const thumb = await screen.findByRole('img', { name: image.name });
    expect(thumb.getAttribute('src')).toBe('/api/v1/files/f-img/preview');
    expect(thumb.getAttribute('width')).toBe('240');
    expect(thumb.getAttribute('height')).toBe('120');
    await waitFor(() => { expect(thumb.closest('a')?.getAttribute('href')).toBe('/api/v1/files/f-img/original'); });
    expect(container.querySelectorAll('img')).toHaveLength(1);
    expect(requests.filter((r) => r.path.endsWith('/link')).map((r) => `${r.path} ${(r.body as { variant: string }).variant}`).sort())
      .toEqual(['/files/f-doc/link original', '/files/f-img/link original', '/files/f-img/link preview']);
  });

  it('renders nothing for a message without files', () => {
    const { store } = makeStore([]);
    const { container } = render(withStore(store, <Attachments message={message(1, ana, 'plain')} />));
    expect(container.innerHTML).toBe('');
  });
});
