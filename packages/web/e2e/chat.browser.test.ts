import { beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { createWorld, signUp, unique, type World } from '../../server/src/test/fixtures.js';
import { messageTexts, openAs, screenshot, appPerFile } from './app.js';

const env = appPerFile();
let world: World;

beforeAll(async () => {
  world = await createWorld(env.server.url);
});

const channelPath = (channelId: string) => `/o/${world.orgId}/c/${channelId}`;
const composer = (page: Page, name = /^Message /) => page.getByRole('combobox', { name });

describe('the web app in a browser', () => {
  it('signs a new person up, creates their org and opens #general', async () => {
    const page = await openAs(env.browser, env.server.url, null);
    await page.waitForURL(/\/login/);
    await screenshot(page, 'login');
    await page.getByRole('link', { name: 'Create an account' }).click();
    await page.getByLabel('Your name').fill('Dana');
    await page.getByLabel('Email').fill(`${unique('dana')}@example.test`);
    await page.getByLabel('Password').fill('correct horse battery');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.waitForURL(/\/orgs\/new/);
    await page.getByLabel('Organisation name').fill('Dana & Co');
    await page.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('heading', { name: '#general' }).waitFor();
    expect(await page.getByRole('combobox', { name: 'Organisation' }).or(page.locator('#org-select')).first().inputValue()).toMatch(/[0-9a-f-]{36}/);
    await page.context().close();
  });

  it('accepts an invite, then switches between orgs', async () => {
    const account = await signUp(world.api, 'Erin');
    const erinApi = world.api.as(account.token);
    const own = await erinApi.post('/orgs', { name: 'Erin Labs' });
    const invite = await world.owner.api.post(`/orgs/${world.orgId}/invites`, { role: 'member' });
    const page = await openAs(env.browser, env.server.url, account.token, `/invite/${invite.body.token as string}`);
    await page.getByRole('heading', { name: 'Join Acme' }).waitFor();
    await screenshot(page, 'invite');
    await page.getByRole('button', { name: 'Accept the invitation' }).click();
    await page.waitForURL(new RegExp(`/o/${world.orgId}/c/`));
    await page.getByRole('heading', { name: '#general' }).waitFor();
    const orgs = page.getByLabel('Organisation');
    expect(await orgs.locator('option').allInnerTexts()).toEqual(expect.arrayContaining(['Acme', 'Erin Labs']));
    await orgs.selectOption({ label: 'Erin Labs' });
    await page.waitForURL(new RegExp(`/o/${own.body.org.id as string}/c/`));
    await page.getByRole('heading', { name: '#general' }).waitFor();
    await page.context().close();
  });

  it('two people chat in real time, reply in a thread and react', async () => {
    const bob = await world.person('member', 'Bob');
    const ana = await openAs(env.browser, env.server.url, world.owner.token, channelPath(world.generalId));
    const bobPage = await openAs(env.browser, env.server.url, bob.token, channelPath(world.generalId));
    await composer(ana).waitFor();
    await composer(bobPage).waitFor();

    await composer(ana).fill(`Hello @${bob.handle}, the **release** is today`);
    await composer(ana).press('Enter');
    const onBob = bobPage.locator('.message-list article', { hasText: 'the release is today' });
    await onBob.waitFor();
    expect(await onBob.locator('strong').innerText()).toBe('release');
    expect(await onBob.locator('.mention-me').innerText()).toBe(`@${bob.handle}`);

    // Bob types: Ana sees it.
    await composer(bobPage).pressSequentially('On it');
    await ana.getByText('Bob is typing…').waitFor();
    await composer(bobPage).press('Enter');
    await ana.locator('.message-list article', { hasText: 'On it' }).waitFor();
    expect(await messageTexts(ana)).toEqual(expect.arrayContaining([expect.stringContaining('the release is today'), 'On it']));

    // A thread: Bob replies to Ana's message in the thread pane; Ana sees the reply count, opens it, and sees the reply.
    await onBob.hover();
    await onBob.getByRole('button', { name: 'Reply in thread' }).click();
    const pane = bobPage.getByRole('complementary', { name: 'Thread' });
    await pane.getByRole('combobox', { name: 'Reply in thread' }).fill('Checklist is in the doc');
    await pane.getByRole('combobox', { name: 'Reply in thread' }).press('Enter');
    await pane.getByText('Checklist is in the doc').waitFor();
    const onAna = ana.locator('.message-list article', { hasText: 'the release is today' });
    await onAna.getByRole('button', { name: '1 reply' }).click();
    await ana.getByRole('complementary', { name: 'Thread' }).getByText('Checklist is in the doc').waitFor();

    // A reaction: Bob reacts, Ana sees it and adds hers.
    await onBob.hover();
    await onBob.getByRole('button', { name: 'React with 👍' }).click();
    const reaction = onAna.getByRole('button', { name: /^👍 1: Bob$/ });
    await reaction.waitFor();
    await reaction.click();
    await onBob.getByRole('button', { name: /^👍 2: Bob, Owner$/ }).waitFor();
    await screenshot(ana, 'channel-with-thread');

    // Bob edits his message with ↑ and deletes it; Ana sees both.
    await composer(bobPage).click();
    await composer(bobPage).press('ArrowUp');
    const edit = bobPage.getByRole('textbox', { name: 'Edit message' });
    await edit.fill('On it, ETA 5 pm');
    await edit.press('Enter');
    await ana.locator('.message-list article', { hasText: 'On it, ETA 5 pm' }).getByText('(edited)').waitFor();
    await bobPage.context().close();
    await ana.context().close();
  });

  it('shows unread and mention badges, and clears them when the channel is read', async () => {
    const cara = await world.person('member', 'Cara');
    const random = await world.channel(world.owner, { name: unique('random'), members: [cara.memberId] });
    const page = await openAs(env.browser, env.server.url, cara.token, channelPath(world.generalId));
    await composer(page).waitFor();
    await world.post(world.owner, random, 'just chatting');
    await world.post(world.owner, random, `@${cara.handle} a question for you`);
    const link = page.getByRole('link', { name: /unread/ });
    await link.waitFor();
    expect(await link.getAttribute('aria-label')).toMatch(/2 unread, 1 mentions/);
    await screenshot(page, 'sidebar-badges');
    await link.click();
    await page.getByRole('separator', { name: 'New messages' }).waitFor();
    await page.locator('.sidebar a[aria-current="page"]').waitFor();
    expect(await page.locator('.sidebar a[aria-current="page"]').getAttribute('aria-label')).not.toMatch(/unread/);
    await page.context().close();
  });

  it('creates, joins and leaves channels; the quick switcher jumps between them', async () => {
    const dev = await world.person('member', 'Dev');
    const page = await openAs(env.browser, env.server.url, dev.token, channelPath(world.generalId));
    await composer(page).waitFor();
    const name = unique('proj');
    await page.getByRole('button', { name: 'Create a channel' }).click();
    await page.getByLabel('Name').fill(name);
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    await page.getByRole('heading', { name: `#${name}` }).waitFor();

    const other = await world.channel(world.owner, { name: unique('ops') });
    await page.getByRole('button', { name: 'Browse channels' }).click();
    const row = page.locator('.browse-list li', { hasText: '#ops' });
    await row.getByRole('button', { name: 'Join' }).click();
    await page.waitForURL(new RegExp(other));
    await composer(page).waitFor();

    await page.keyboard.press('Control+k');
    await page.getByRole('combobox', { name: 'Channel or person' }).fill(name.slice(0, 8));
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: `#${name}` }).waitFor();

    page.once('dialog', (d) => { void d.accept(); });
    await page.getByRole('button', { name: 'Leave' }).click();
    await page.getByRole('link', { name: new RegExp(name) }).waitFor({ state: 'detached' });
    await page.context().close();
  });

  it('a guest cannot see a private channel', async () => {
    const guest = await world.person('guest', 'Gus');
    const secret = await world.channel(world.owner, { name: unique('secret'), kind: 'private' });
    await world.post(world.owner, secret, 'the private plan');
    const page = await openAs(env.browser, env.server.url, guest.token, channelPath(secret));
    await page.getByText('This channel is not in your list').waitFor();
    expect(await page.getByText('the private plan').count()).toBe(0);
    expect(await page.locator('.sidebar').innerText()).not.toMatch(/secret/);
    await page.getByRole('button', { name: 'Browse channels' }).click();
    await page.locator('.dialog').getByText(/No public channels to join|#general/).first().waitFor();
    expect(await page.locator('.dialog').innerText()).not.toMatch(/secret/);
    await screenshot(page, 'guest-private-channel');
    await page.context().close();
  });

  it('at phone width, the sidebar is a drawer and the channel fills the screen', async () => {
    const page = await openAs(env.browser, env.server.url, world.owner.token, channelPath(world.generalId), { width: 390, height: 844 });
    await composer(page).waitFor();
    expect(await page.locator('.sidebar').isHidden()).toBe(true); // closed: off screen and hidden, so Tab skips it
    await page.getByRole('button', { name: 'Open the sidebar' }).click();
    await page.waitForFunction(() => (document.querySelector('.sidebar')?.getBoundingClientRect().x ?? -1) >= 0);
    await screenshot(page, 'phone-sidebar');
    await page.context().close();
  });
});
