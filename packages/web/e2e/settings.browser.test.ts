import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import type { ChildServer } from '../../server/src/test/child-server.js';
import { createWorld, unique, type World } from '../../server/src/test/fixtures.js';
import { launchBrowser } from './browser.js';
import { openAs, screenshot, startAppServer } from './app.js';

let server: ChildServer;
let browser: Browser;
let world: World;

beforeAll(async () => {
  server = await startAppServer();
  browser = await launchBrowser();
  world = await createWorld(server.url);
});
afterAll(async () => {
  await browser.close();
  await server.kill('SIGTERM');
});

describe('settings, agents, admin and notifications in a browser', () => {
  it("an owner changes a channel's settings and a member sees the effect", async () => {
    const bea = await world.person('member', 'Bea');
    const channelId = await world.channel(world.owner, { name: unique('launch'), members: [bea.memberId] });
    const owner = await openAs(browser, server.url, world.owner.token, `/o/${world.orgId}/c/${channelId}`);
    const member = await openAs(browser, server.url, bea.token, `/o/${world.orgId}/c/${channelId}`);
    await member.getByRole('button', { name: /^Settings of/ }).waitFor();

    await owner.getByRole('button', { name: /^Settings of/ }).click();
    await owner.getByLabel('Topic').fill('Launch on Friday');
    await owner.getByLabel('Who may post').selectOption('moderators');
    await owner.getByRole('button', { name: 'Save rules' }).click();
    await owner.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    await screenshot(owner, 'channel-settings');

    // Live: the member's header shows the new topic without a reload.
    await member.getByText('Launch on Friday').waitFor();
    // And the rule holds: the member's settings page shows it, read-only, and posting is refused.
    await member.getByRole('button', { name: /^Settings of/ }).click();
    expect(await member.getByLabel('Who may post').inputValue()).toBe('moderators');
    expect(await member.getByLabel('Who may post').isDisabled()).toBe(true);
    const refused = await bea.api.post(`/channels/${channelId}/messages`, { body: 'may I?' });
    expect(refused.status).toBe(403);
    await owner.context().close();
    await member.context().close();
  });

  it('a sponsor creates an agent and sees its token once', async () => {
    const page = await openAs(browser, server.url, world.owner.token, `/o/${world.orgId}/agents`);
    const handle = unique('bot').slice(0, 20);
    await page.getByLabel('Handle').fill(handle);
    await page.getByLabel('Display name').fill('Release bot');
    await page.getByRole('button', { name: 'Create agent' }).click();
    const region = page.getByRole('region', { name: "The agent's token" });
    const secret = await region.getByTestId('secret').innerText();
    expect(secret).toMatch(/^cha_/);
    await page.getByRole('region', { name: 'Agent Release bot' }).waitFor();
    await screenshot(page, 'agent-token-once');
    // The token works, and is never shown again.
    const me = await fetch(`${server.url}/api/v1/agents/me`, { headers: { authorization: `Bearer ${secret}` } });
    expect(me.status).toBe(200);
    await region.getByRole('button', { name: 'I have copied it' }).click();
    await region.waitFor({ state: 'detached' });
    await page.reload();
    await page.getByRole('region', { name: 'Agent Release bot' }).waitFor();
    expect(await page.content()).not.toContain(secret);
    await page.context().close();
  });

  it('an admin filters the audit log and verifies the chain', async () => {
    const page = await openAs(browser, server.url, world.owner.token, `/o/${world.orgId}/admin`);
    await page.getByRole('heading', { name: 'Audit log' }).waitFor();
    await page.getByLabel('Action').fill('agent.created');
    await page.getByRole('button', { name: 'Show events' }).click();
    const rows = page.getByRole('table', { name: 'Audit events' }).locator('tbody tr');
    await rows.first().waitFor();
    const actions = await rows.locator('td:nth-child(4)').allInnerTexts();
    expect(actions.length).toBeGreaterThan(0);
    expect(new Set(actions)).toEqual(new Set(['agent.created']));
    await page.getByRole('button', { name: 'Verify the chain' }).click();
    await page.getByRole('status').filter({ hasText: /Chain intact: \d+ events verified/ }).waitFor();
    await screenshot(page, 'audit-log');
    await page.context().close();
  });

  it("muting a channel hides its unread badge; a mention still shows", async () => {
    const cy = await world.person('member', 'Cy');
    const name = unique('noisy');
    const channelId = await world.channel(world.owner, { name, members: [cy.memberId] });
    const page = await openAs(browser, server.url, cy.token, `/o/${world.orgId}/c/${channelId}/settings`);
    // The box follows the server's answer (the preferences it keeps): enabled once they are loaded, checked once stored.
    const mute = page.getByLabel(/^Mute this channel/);
    await page.locator('input[type=checkbox]:not([disabled])').waitFor();
    await mute.click();
    await page.locator('input[type=checkbox]:checked').waitFor();
    const link = page.getByRole('link', { name: new RegExp(`^${name}`) });
    await link.waitFor();
    // Cy is on the settings page, not in the channel: a post is unread.
    await world.post(world.owner, channelId, 'Routine deploy log');
    await world.post(world.owner, world.generalId, 'A word in general');
    const general = page.getByRole('link', { name: /^general, \d+ unread/ });
    await general.waitFor();
    expect(await link.getAttribute('aria-label')).toBe(name);
    expect(await link.locator('.badge').count()).toBe(0);
    await screenshot(page, 'muted-channel');

    await world.post(world.owner, channelId, `@${cy.handle} can you look?`);
    await page.getByRole('link', { name: new RegExp(`^${name}, 1 mentions`) }).waitFor();
    expect(await link.locator('.badge-mention').innerText()).toBe('1');
    // Unmuted, the unread count was there all along.
    await mute.click();
    await page.getByRole('link', { name: new RegExp(`^${name}, 2 unread, 1 mentions`) }).waitFor();
    await page.context().close();
  });
});
