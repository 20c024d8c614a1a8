import { beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { createWorld, unique, type World } from '../../server/src/test/fixtures.js';
import { appPerFile, openAs, screenshot } from './app.js';

/**
 * The web app with the keyboard alone: Tab, Shift+Tab, Enter, Escape, the arrows and Ctrl+K. No
 * click, no hover. Each step asserts where focus is, and that it can be seen.
 */
const env = appPerFile();
let world: World;

beforeAll(async () => {
  world = await createWorld(env.server.url);
});

/** What has focus: its role-ish description (tag, accessible label or text), and whether it shows a focus ring. */
function focused(page: Page): Promise<{ tag: string; name: string; role: string | null; messageId: string | null; ring: boolean }> {
  return page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    if (!el || el === document.body) return { tag: 'body', name: '', role: null, messageId: null, ring: false };
    const style = getComputedStyle(el);
    return {
      tag: el.tagName.toLowerCase(),
      name: el.getAttribute('aria-label') ?? el.textContent?.trim() ?? '',
      role: el.getAttribute('role'),
      messageId: el.closest('article')?.getAttribute('data-message-id') ?? null,
      ring: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2,
    };
  });
}

/** Presses `key` until focus matches `want` (at most `max` times); fails if it never does. */
async function pressUntil(page: Page, key: string, want: (f: Awaited<ReturnType<typeof focused>>) => boolean, max = 8): Promise<void> {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press(key);
    if (want(await focused(page))) return;
  }
  throw new Error(`${key} ×${max} never reached the wanted element; focus is on ${JSON.stringify(await focused(page))}`);
}

describe('the web app with the keyboard only', () => {
  it('skip link, quick switcher, send, react from the actions, reply in a thread, Escape back', async () => {
    const name = unique('kbd');
    const channelId = await world.channel(world.owner, { name });
    // A screen without a composer (a channel focuses its composer when it opens).
    const page = await openAs(env.browser, env.server.url, world.owner.token, `/o/${world.orgId}/profile`);
    await page.getByRole('heading', { name: 'Profile and notifications' }).waitFor();

    // The first Tab stop skips the sidebar; Enter lands in the main column.
    await page.keyboard.press('Tab');
    expect(await focused(page)).toMatchObject({ tag: 'a', name: 'Skip to main content', ring: true });
    await page.keyboard.press('Enter');
    expect(await focused(page)).toMatchObject({ tag: 'main' });

    // Ctrl+K, part of the name, Enter: the channel opens with the composer focused.
    await page.keyboard.press('Control+k');
    expect(await focused(page)).toMatchObject({ name: 'Channel or person' });
    await page.keyboard.type(name.slice(0, 9));
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: `#${name}` }).waitFor();
    await page.waitForURL(new RegExp(channelId));
    await page.waitForFunction((label) => document.activeElement?.getAttribute('aria-label') === label, `Message #${name}`);
    expect(await focused(page)).toMatchObject({ role: 'combobox', ring: true });

    // Type and send.
    await page.keyboard.type('Typed without a mouse');
    await page.keyboard.press('Enter');
    const message = page.locator('.message-list article', { hasText: 'Typed without a mouse' });
    await message.waitFor();
    const messageId = await message.getAttribute('data-message-id');

    // Back to the history, ↑ to the message, Tab into its actions: react.
    await pressUntil(page, 'Shift+Tab', (f) => f.role === 'log');
    expect((await focused(page)).ring).toBe(true);
    await page.keyboard.press('ArrowUp');
    expect(await focused(page)).toMatchObject({ tag: 'article', messageId, ring: true });
    await page.keyboard.press('Tab');
    expect(await focused(page)).toMatchObject({ name: 'React with 👍', ring: true });
    await screenshot(page, 'keyboard-message-actions');
    await page.keyboard.press('Enter');
    await message.getByRole('button', { name: /^👍 1: Owner$/ }).waitFor();

    // → along the toolbar to "Reply in thread"; Enter opens the thread with its composer focused.
    await pressUntil(page, 'ArrowRight', (f) => f.name === 'Reply in thread');
    await page.keyboard.press('Enter');
    const pane = page.getByRole('complementary', { name: 'Thread' });
    await pane.waitFor();
    await page.waitForFunction(() => document.activeElement?.getAttribute('aria-label') === 'Reply in thread' && document.activeElement.tagName === 'TEXTAREA');
    await page.keyboard.type('And a reply, also typed');
    await page.keyboard.press('Enter');
    await pane.getByText('And a reply, also typed').waitFor();
    await message.getByRole('button', { name: '1 reply' }).waitFor();
    await screenshot(page, 'keyboard-thread');

    // Escape closes the pane; focus is back on the message the thread was opened from.
    await page.keyboard.press('Escape');
    await pane.waitFor({ state: 'detached' });
    expect(await focused(page)).toMatchObject({ messageId, ring: true });
    expect(page.url()).not.toContain('panel=');
    await page.context().close();
  });

  it('a dialog keeps focus inside, closes with Escape and gives focus back', async () => {
    const page = await openAs(env.browser, env.server.url, world.owner.token, `/o/${world.orgId}/c/${world.generalId}`);
    await page.getByRole('heading', { name: '#general' }).waitFor();
    await page.getByRole('button', { name: 'Create a channel' }).focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Create a channel' });
    await dialog.waitFor();
    // Tab cycles within the dialog (the page behind is inert).
    for (let i = 0; i < 8; i++) {
      await page.keyboard.press('Tab');
      expect(await page.evaluate(() => document.activeElement?.closest('dialog') !== null || document.activeElement === document.body)).toBe(true);
    }
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    expect(await focused(page)).toMatchObject({ name: 'Create a channel' });
    await page.context().close();
  });
});
