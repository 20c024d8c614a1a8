import { beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { createWorld, unique, type World } from '../../server/src/test/fixtures.js';
import { appPerFile, openAs, screenshot } from './app.js';
import { showTheme } from './axe.js';

/**
 * A phone-sized screen (390×844, a touch screen): the sidebar is a drawer behind the menu button,
 * a channel opens, a message is sent, a thread opens over the channel and closes, and nothing ever
 * scrolls sideways.
 */
const env = appPerFile();
let world: World;
const phone = { width: 390, height: 844 };

beforeAll(async () => {
  world = await createWorld(env.server.url);
});

/** How far the page scrolls sideways (0 when it fits), with the widest element when it does not. */
function sidewaysOverflow(page: Page): Promise<{ by: number; widest: string }> {
  return page.evaluate(() => {
    const by = Math.max(document.documentElement.scrollWidth, document.body.scrollWidth) - window.innerWidth;
    let widest = '';
    if (by > 0) {
      for (const el of document.querySelectorAll<HTMLElement>('body *')) {
        const r = el.getBoundingClientRect();
        if (r.right > window.innerWidth + 1 && getComputedStyle(el).position !== 'fixed') { widest = `${el.tagName.toLowerCase()}.${el.className} right=${Math.round(r.right)}`; break; }
      }
    }
    return { by, widest };
  });
}

/** The document is no wider than the viewport (scrollWidth ≤ innerWidth); names the culprit when it is. */
async function expectNoSidewaysScroll(page: Page, where = ''): Promise<void> {
  const overflow = await sidewaysOverflow(page);
  expect(overflow.by, `${where} ${overflow.widest}`).toBeLessThanOrEqual(0);
}

describe('the web app on a phone-sized screen', () => {
  it('drawer, channel, send, thread open and closed, never scrolling sideways', async () => {
    const bob = await world.person('member', 'Bob');
    const name = unique('mobile');
    const channelId = await world.channel(world.owner, { name, members: [bob.memberId], topic: 'A rather long topic for a narrow screen, which must wrap instead of pushing the page wider' });
    await world.post(bob, channelId, `A long link-like word: https://example.test/${'segment/'.repeat(12)} and some text`);
    const page = await openAs(env.browser, env.server.url, world.owner.token, `/o/${world.orgId}/c/${world.generalId}`, phone, { isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
    await page.getByRole('heading', { name: '#general' }).waitFor();

    // The sidebar is out of sight and out of reach; the menu button opens it.
    const sidebar = page.getByRole('navigation', { name: 'Workspace' });
    expect(await sidebar.isHidden()).toBe(true);
    const menu = page.getByRole('button', { name: 'Open the sidebar' });
    expect(await menu.getAttribute('aria-expanded')).toBe('false');
    await expectNoSidewaysScroll(page);
    await screenshot(page, 'phone-channel-closed-drawer');
    await menu.tap();
    await sidebar.waitFor({ state: 'visible' });
    await page.waitForFunction(() => (document.querySelector('.sidebar')?.getBoundingClientRect().x ?? -1) >= 0);
    expect(await menu.getAttribute('aria-expanded')).toBe('true');
    await screenshot(page, 'phone-drawer-open');
    // Focus went into the drawer; Escape (a keyboard on the phone) closes it and focus returns to ☰; ☰ opens it again.
    expect(await page.evaluate(() => document.querySelector('.sidebar')?.contains(document.activeElement))).toBe(true);
    await page.keyboard.press('Escape');
    await sidebar.waitFor({ state: 'hidden' });
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('Open the sidebar');
    await menu.tap();
    await sidebar.waitFor({ state: 'visible' });

    // A channel from the drawer: the drawer closes, the channel fills the screen.
    await sidebar.getByRole('link', { name: new RegExp(`^${name}`) }).tap();
    await page.getByRole('heading', { name: `#${name}` }).waitFor();
    await sidebar.waitFor({ state: 'hidden' });
    await page.locator('.message-list article', { hasText: 'A long link-like word' }).waitFor();
    await expectNoSidewaysScroll(page);

    // Send a message.
    const composer = page.getByRole('combobox', { name: `Message #${name}` });
    await composer.tap();
    await composer.fill('Sent from a phone');
    await composer.press('Enter');
    const mine = page.locator('.message-list article', { hasText: 'Sent from a phone' });
    await mine.waitFor();
    await expectNoSidewaysScroll(page);
    await screenshot(page, 'phone-channel');

    // A tap on the message shows its actions; the thread covers the channel, and closes.
    await mine.tap();
    await mine.getByRole('button', { name: 'Reply in thread' }).tap();
    const pane = page.getByRole('complementary', { name: 'Thread' });
    await pane.waitFor();
    const paneBox = await pane.boundingBox();
    expect(paneBox).toMatchObject({ x: 0, width: phone.width });
    const reply = pane.getByRole('combobox', { name: 'Reply in thread' });
    await reply.fill('A reply from the phone');
    await reply.press('Enter');
    await pane.getByText('A reply from the phone').waitFor();
    await expectNoSidewaysScroll(page);
    await screenshot(page, 'phone-thread');
    await showTheme(page, 'dark');
    await screenshot(page, 'phone-thread-dark');
    await pane.getByRole('button', { name: 'Close thread' }).tap();
    await pane.waitFor({ state: 'detached' });
    await mine.getByRole('button', { name: '1 reply' }).waitFor();
    await expectNoSidewaysScroll(page);
    await screenshot(page, 'phone-channel-dark');
    await page.context().close();
  });

  it('the other screens fit the width too: search, settings, agents, admin, profile', async () => {
    const page = await openAs(env.browser, env.server.url, world.owner.token, `/o/${world.orgId}/c/${world.generalId}`, phone, { isMobile: true, hasTouch: true });
    await page.getByRole('heading', { name: '#general' }).waitFor();
    const screens: [string, string][] = [
      [`/o/${world.orgId}/search?q=phone`, 'Search in'],
      [`/o/${world.orgId}/c/${world.generalId}/settings`, 'Who may post'],
      [`/o/${world.orgId}/agents`, 'Handle'],
      [`/o/${world.orgId}/admin`, 'Action'],
      [`/o/${world.orgId}/profile`, 'Display name'],
    ];
    for (const [path, label] of screens) {
      await page.goto(env.server.url + path);
      await page.getByLabel(label).first().waitFor();
      await expectNoSidewaysScroll(page, path);
    }
    await screenshot(page, 'phone-profile');
    await page.context().close();
  });
});
