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
const direct = (page: Page) => page.getByRole('region', { name: 'Direct messages' });

describe('people in the web app', () => {
  it('a person starts a DM from the sidebar; the other sees it live with an unread badge that clears on opening; authors have avatars', async () => {
    const bea = await world.person('member', 'Bea Lopez');
    const owner = await openAs(env.browser, env.server.url, world.owner.token, channelPath(world.generalId));
    const beaPage = await openAs(env.browser, env.server.url, bea.token, channelPath(world.generalId));
    await composer(owner).waitFor();
    await composer(beaPage).waitFor();

    // In #general, each author's run is headed by their avatar, next to their name and presence.
    await composer(owner).fill('Morning all');
    await composer(owner).press('Enter');
    const header = beaPage.locator('.message-list article', { hasText: 'Morning all' }).locator('.message-header');
    await header.getByRole('button', { name: 'Profile of Owner' }).waitFor();
    expect(await header.locator('.avatar').isVisible()).toBe(true);
    expect(await header.locator('.avatar').innerText()).toBe('O');
    expect(await header.locator('.presence').getAttribute('aria-label')).toBe('online');

    // The owner: "New message", type part of Bea's name, Enter.
    await owner.getByRole('button', { name: 'New message' }).click();
    const picker = owner.getByRole('combobox', { name: 'Person or agent' });
    await picker.fill('lopez');
    await owner.getByRole('option', { name: 'Bea Lopez (@' + bea.handle + ')' }).waitFor();
    await screenshot(owner, 'new-message');
    await picker.press('Enter');
    await owner.getByRole('heading', { name: 'Bea Lopez' }).waitFor();
    const dmPath = new URL(owner.url()).pathname;
    expect(dmPath).toMatch(new RegExp(`^/o/${world.orgId}/c/`));
    await composer(owner).fill('Hi Bea, a quick question');
    await composer(owner).press('Enter');

    // Bea, still in #general: the DM appears in her sidebar with its badge, without a reload.
    const dm = direct(beaPage).getByRole('link', { name: 'Owner, 1 unread' });
    await dm.waitFor();
    expect(await dm.locator('.badge-mention').innerText()).toBe('1');
    await screenshot(beaPage, 'dm-unread');
    await dm.click();
    await beaPage.locator('.message-list article', { hasText: 'Hi Bea, a quick question' }).waitFor();
    await direct(beaPage).getByRole('link', { name: 'Owner', exact: true }).waitFor();
    expect(await direct(beaPage).locator('.badge').count()).toBe(0);

    // From Bea's profile, "Message" opens the same conversation: no second DM.
    await owner.goto(env.server.url + channelPath(world.generalId));
    await owner.locator('.message-list article', { hasText: 'Morning all' }).waitFor();
    await owner.goto(`${env.server.url}${channelPath(world.generalId)}?panel=profile:${bea.memberId}`);
    await owner.getByRole('region', { name: 'Profile of Bea Lopez' }).waitFor();
    await owner.getByRole('button', { name: 'Message', exact: true }).click();
    await owner.waitForURL((url) => url.pathname === dmPath);
    await owner.locator('.message-list article', { hasText: 'Hi Bea, a quick question' }).waitFor();
    expect(await direct(owner).getByRole('link').count()).toBe(1);

    await owner.context().close();
    await beaPage.context().close();
  });

  it('files dragged over the channel page show a drop overlay and join the composer when dropped', async () => {
    const page = await openAs(env.browser, env.server.url, world.owner.token, channelPath(world.generalId));
    await composer(page).waitFor();
    const files = await page.evaluateHandle(() => {
      const dt = new DataTransfer();
      dt.items.add(new File(['agenda'], 'agenda.txt', { type: 'text/plain' }));
      return dt;
    });
    const list = page.getByRole('log', { name: 'Messages in #general' });
    await list.dispatchEvent('dragenter', { dataTransfer: files });
    await page.getByText('Drop to attach to #general').waitFor();
    await screenshot(page, 'drop-overlay');
    await list.dispatchEvent('drop', { dataTransfer: files });
    await page.getByText('Drop to attach to #general').waitFor({ state: 'detached' });
    await page.getByRole('list', { name: 'Attachments' }).getByRole('listitem').filter({ hasText: 'agenda.txt' }).filter({ hasText: '6 B' }).waitFor();
    await page.context().close();
  });
});
