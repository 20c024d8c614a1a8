import { beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { createWorld, type World } from '../../server/src/test/fixtures.js';
import { openAs, screenshot, appPerFile } from './app.js';

const env = appPerFile();
let world: World;

beforeAll(async () => {
  world = await createWorld(env.server.url);
});

const channelPath = (channelId: string) => `/o/${world.orgId}/c/${channelId}`;
const composer = (page: Page) => page.getByRole('combobox', { name: /^Message / });
// A 2×2 red PNG: real image bytes, so the server detects it, measures it and makes a thumbnail.
const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFklEQVR4nGP8z8DAwMDAxMDAwMDAAAANHQEDasKb6QAAAABJRU5ErkJggg==', 'base64');

describe('files in the web app', () => {
  it('a person attaches a PNG and sends it alone; the other sees its thumbnail live, and a dropped file as a download link', async () => {
    const bob = await world.person('member', 'Bob');
    const ana = await openAs(env.browser, env.server.url, world.owner.token, channelPath(world.generalId));
    const bobPage = await openAs(env.browser, env.server.url, bob.token, channelPath(world.generalId));
    await composer(ana).waitFor();
    await composer(bobPage).waitFor();

    // Picked through the paperclip's file input: a pending chip with name and size, then Enter sends it with no text.
    await ana.getByLabel('Files to attach').setInputFiles({ name: 'red-square.png', mimeType: 'image/png', buffer: png });
    const chip = ana.getByRole('list', { name: 'Attachments' }).getByRole('listitem').filter({ hasText: 'red-square.png' });
    await chip.filter({ hasText: `${png.length} B` }).waitFor();
    await screenshot(ana, 'files-pending');
    await composer(ana).press('Enter');
    await chip.waitFor({ state: 'detached' });

    const thumb = bobPage.locator('.message-list article').getByRole('img', { name: 'red-square.png' });
    await thumb.waitFor();
    await bobPage.waitForFunction((name) => {
      const img = document.querySelector<HTMLImageElement>(`.message-list article img[alt="${name}"]`);
      return img !== null && img.complete && img.naturalWidth > 0;
    }, 'red-square.png');
    expect(await thumb.getAttribute('src')).toMatch(/^\/api\/v1\/files\//);
    expect(await thumb.locator('xpath=ancestor::a').getAttribute('href')).toMatch(/^\/api\/v1\/files\//);
    await screenshot(bobPage, 'files-thumbnail');

    // Dropped onto the composer with a message: Bob sees the text and a download link with name and size.
    const drop = await ana.evaluateHandle(() => {
      const dt = new DataTransfer();
      dt.items.add(new File(['hello notes'], 'notes.txt', { type: 'text/plain' }));
      return dt;
    });
    await ana.locator('.composer').first().dispatchEvent('drop', { dataTransfer: drop });
    await ana.getByRole('listitem').filter({ hasText: 'notes.txt' }).filter({ hasText: '11 B' }).waitFor();
    await composer(ana).fill('The notes');
    await composer(ana).press('Enter');
    const link = bobPage.locator('.message-list article', { hasText: 'The notes' }).getByRole('link', { name: /notes\.txt/ });
    await link.waitFor();
    expect(await link.innerText()).toMatch(/notes\.txt\s+11 B/);

    await ana.context().close();
    await bobPage.context().close();
  });
});
