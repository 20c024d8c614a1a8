import { beforeAll, describe, expect, it } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import { createWorld, signUp, unique, type World } from '../../server/src/test/fixtures.js';
import { appPerFile, openAs, screenshot } from './app.js';
import { showTheme, violationsInBothThemes } from './axe.js';

/**
 * Every main screen, in light and in dark, has no serious or critical WCAG 2 A/AA violation that
 * axe-core finds: labels, names, contrast, landmarks, ARIA. Screens are filled with what people see
 * day to day (an agent's reply with its sources and reasoning, reactions, a thread, pins, a doc…).
 */
const env = appPerFile();
let world: World;
let channelId: string;
let rootId: string;
let agentId: string;
let docId: string;
const term = `heron${Date.now().toString(36).replace(/[0-9]/g, 'q')}`;

beforeAll(async () => {
  world = await createWorld(env.server.url);
  const bot = await world.agent({ handle: unique('helper') });
  agentId = bot.memberId;
  const bob = await world.person('member', 'Bob');
  channelId = await world.channel(world.owner, { name: unique('launch'), members: [bot.memberId, bob.memberId], topic: 'Shipping the spring release' });
  const root = await world.post(world.owner, channelId, `The ${term} release plan is in the **runbook**; @${bob.handle} can you check?`);
  rootId = root.id as string;
  await world.post(bob, channelId, 'Looks good, with `one` change:\n\n> keep the lock');
  await world.post(bob, channelId, 'Replying in the thread', { thread_root_id: rootId });
  await bob.api.put(`/messages/${rootId}/reactions/${encodeURIComponent('👍')}`);
  const doc = (await world.owner.api.post(`/channels/${channelId}/docs`, { title: 'Release runbook', body: '# Steps\n\n1. Take the lock\n2. Deploy' })).body.doc;
  docId = doc.id as string;
  await world.owner.api.put(`/messages/${rootId}/pin`, { note: 'the plan' });
  await world.owner.api.post(`/channels/${channelId}/experience`, { title: 'Take the lock first', body: 'Deploys without the lock collide.', sources: [{ type: 'message', id: rootId }] });
  await world.post(bot, channelId, `Checking the runbook for ${term}`, { kind: 'agent_reasoning' });
  await world.post(bot, channelId, 'We deploy on **Tuesday**, after taking the lock.', { sources: [{ type: 'message', id: rootId }, { type: 'doc', id: docId }] });
});

const orgPath = (rest: string) => `/o/${world.orgId}${rest}`;
const channelPath = (query = '') => orgPath(`/c/${channelId}${query}`);

/** Opens `pathname` as the owner, waits for `ready`, and returns the violations in both themes. */
async function check(page: Page, ready: (page: Page) => Locator): Promise<string[]> {
  await ready(page).first().waitFor();
  return violationsInBothThemes(page);
}

async function screen(pathname: string, ready: (page: Page) => Locator, shot?: string): Promise<string[]> {
  const page = await openAs(env.browser, env.server.url, world.owner.token, pathname);
  try {
    const found = await check(page, ready);
    if (shot) {
      await showTheme(page, 'dark');
      await screenshot(page, shot);
    }
    return found;
  } finally {
    await page.context().close();
  }
}

describe('accessibility (axe-core, WCAG 2 A/AA, light and dark)', () => {
  it('the login and signup screens', async () => {
    const page = await openAs(env.browser, env.server.url, null, '/login');
    expect(await check(page, (p) => p.getByRole('button', { name: 'Sign in' }))).toEqual([]);
    await page.getByRole('link', { name: 'Create an account' }).click();
    expect(await check(page, (p) => p.getByRole('button', { name: 'Create account' }))).toEqual([]);
    await screenshot(page, 'a11y-signup-dark');
    await page.context().close();
  });

  it('creating an org and accepting an invite', async () => {
    expect(await screen('/orgs/new', (p) => p.getByLabel('Organisation name'))).toEqual([]);
    const invite = await world.owner.api.post(`/orgs/${world.orgId}/invites`, { role: 'member' });
    const guest = await signUp(world.api, 'Ivy');
    const page = await openAs(env.browser, env.server.url, guest.token, `/invite/${invite.body.token as string}`);
    expect(await check(page, (p) => p.getByRole('button', { name: 'Accept the invitation' }))).toEqual([]);
    await page.context().close();
  });

  it("a channel with people's and an agent's messages: sources, reasoning, reactions, a thread link", async () => {
    const page = await openAs(env.browser, env.server.url, world.owner.token, channelPath());
    const reply = page.locator('.message-list article', { hasText: 'We deploy on' });
    await reply.getByRole('navigation', { name: 'Sources' }).getByRole('link', { name: 'Doc Release runbook' }).waitFor();
    await page.getByRole('button', { name: '1 reply' }).waitFor();
    // The reasoning, open, and a message's actions, shown while it has focus, are checked too.
    await reply.locator('details.reasoning summary').click();
    await reply.getByText(`Checking the runbook for ${term}`).waitFor();
    const focusedMessage = page.locator('.message-list article', { hasText: 'Looks good' });
    await focusedMessage.focus();
    await focusedMessage.getByRole('toolbar', { name: 'Message actions' }).waitFor();
    expect(await violationsInBothThemes(page)).toEqual([]);
    await screenshot(page, 'a11y-channel-dark');
    await page.context().close();
  });

  it('the thread pane', async () => {
    expect(await screen(channelPath(`?panel=thread:${rootId}`), (p) => p.getByRole('complementary', { name: 'Thread' }).getByText('Replying in the thread'), 'a11y-thread-dark')).toEqual([]);
  });

  it('search results', async () => {
    expect(await screen(orgPath(`/search?q=${term}`), (p) => p.getByRole('list', { name: 'Search results' }).locator('mark'), 'a11y-search-dark')).toEqual([]);
  });

  it('the pins, docs, doc, experience and profile panels', async () => {
    const panels: [string, (p: Page) => Locator][] = [
      [`pins:${channelId}`, (p) => p.getByRole('complementary', { name: 'Pinned messages' }).getByText('pinned by Owner', { exact: false })],
      [`docs:${channelId}`, (p) => p.getByRole('complementary', { name: 'Channel docs' }).getByText('Release runbook')],
      [`doc:${docId}`, (p) => p.getByRole('complementary', { name: 'Doc' }).getByRole('heading', { name: 'Release runbook' })],
      [`experience:${channelId}`, (p) => p.getByRole('complementary', { name: 'Experience' }).getByText('Take the lock first')],
      [`profile:${agentId}`, (p) => p.getByRole('complementary', { name: 'Profile' }).getByText('summarise')],
    ];
    for (const [panel, ready] of panels) {
      const found = await screen(channelPath(`?panel=${panel}`), ready, `a11y-panel-${panel.split(':')[0] ?? ''}-dark`);
      expect(found, panel).toEqual([]);
    }
  });

  it('the dialogs: quick switcher, create and browse channels', async () => {
    const page = await openAs(env.browser, env.server.url, world.owner.token, channelPath());
    await page.getByRole('combobox', { name: /^Message / }).waitFor();
    await page.keyboard.press('Control+k');
    expect(await check(page, (p) => p.getByRole('dialog', { name: 'Jump to a conversation' }))).toEqual([]);
    await page.keyboard.press('Escape');
    await page.getByRole('button', { name: 'Create a channel' }).click();
    expect(await check(page, (p) => p.getByRole('dialog', { name: /channel/i }))).toEqual([]);
    await page.keyboard.press('Escape');
    await page.getByRole('button', { name: 'Browse channels' }).click();
    expect(await check(page, (p) => p.getByRole('dialog', { name: /channel/i }).getByRole('listitem'))).toEqual([]);
    await page.context().close();
  });

  it('channel settings, agent admin, org admin with the audit log, and the profile', async () => {
    expect(await screen(channelPath('/settings'), (p) => p.getByLabel('Who may post')), 'settings').toEqual([]);
    expect(await screen(orgPath('/agents'), (p) => p.getByRole('region', { name: /^Agent / }), 'a11y-agents-dark'), 'agents').toEqual([]);
    const admin = await openAs(env.browser, env.server.url, world.owner.token, orgPath('/admin'));
    await admin.getByRole('heading', { name: 'Audit log' }).waitFor();
    await admin.getByRole('button', { name: 'Show events' }).click();
    await admin.getByRole('table', { name: 'Audit events' }).locator('tbody tr').first().waitFor();
    expect(await violationsInBothThemes(admin), 'admin').toEqual([]);
    await screenshot(admin, 'a11y-audit-dark');
    await admin.context().close();
    expect(await screen(orgPath('/profile'), (p) => p.getByRole('heading', { name: /profile/i }), 'a11y-profile-dark'), 'profile').toEqual([]);
  });
});
