import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { createAgent, type ChorusAgent, type WebSocketFactory } from '@chorus/sdk';
import { createWorld, unique, type World } from '../../server/src/test/fixtures.js';
import { assign, finish } from '../../server/src/test/tasks.js';
import { appPerFile, openAs, screenshot } from './app.js';

/**
 * Agents, knowledge and search in a real browser: an agent (the SDK's runtime, in this process)
 * streams a cited reply that a person watches grow, then rejects; a pin and a doc edit by one
 * person appear for another live; a search highlights its term and shows markup as text.
 */
const env = appPerFile();
let world: World;
const agents: ChorusAgent[] = [];
const gates: (() => void)[] = [];

beforeAll(async () => {
  world = await createWorld(env.server.url);
});
afterAll(async () => {
  for (const open of gates) open();
  await Promise.all(agents.map((a) => a.stop()));
});

const channelPath = (channelId: string, query = '') => `/o/${world.orgId}/c/${channelId}${query}`;
const composer = (page: Page) => page.getByRole('combobox', { name: /^Message / });
const article = (scope: Page | ReturnType<Page['locator']>, text: string) => scope.locator('article', { hasText: text });

/** A gate the test opens when it has seen what it waits for. */
function gate(): { wait: Promise<void>; open: () => void } {
  let open: () => void = () => undefined;
  const wait = new Promise<void>((resolve) => { open = resolve; });
  return { wait, open: () => { open(); } };
}

describe('agents, knowledge and search in the browser', () => {
  it('an agent streams a cited reply live; the person sees its steps and sources, rejects it, and follows a source', async () => {
    const bot = await world.agent({ handle: unique('helper') });
    const channel = await world.channel(world.owner, { name: unique('ops'), members: [bot.memberId] });
    const fact = await world.post(world.owner, channel, 'Deploys happen on Tuesdays after the standup');
    const doc = (await world.owner.api.post(`/channels/${channel}/docs`, { title: 'Deploy runbook', body: '1. Take the lock\n2. Deploy' })).body.doc;

    const halfway = gate();
    gates.push(halfway.open);
    const runtime = createAgent({
      url: env.server.url,
      token: bot.token,
      orgId: world.orgId,
      WebSocket: WebSocket as unknown as WebSocketFactory,
      onTask: async ({ reply, stream }) => {
        await reply('Looking for the deploy day in the runbook and the channel', { kind: 'agent_reasoning' });
        const s = await stream('Checking', { sources: [{ type: 'message', id: fact.id }, { type: 'doc', id: doc.id }] });
        await s.append(' the runbook…');
        await halfway.wait;
        await s.append(' We deploy on Tuesday.');
        await s.end('Checking the runbook… We deploy on **Tuesday**.');
        return undefined;
      },
      onError: (error) => { console.error('[agent error]', error); },
    });
    agents.push(runtime);
    await runtime.start();

    const page = await openAs(env.browser, env.server.url, world.owner.token, channelPath(channel));
    await composer(page).waitFor();
    await composer(page).fill(`@${bot.handle} when do we deploy?`);
    await composer(page).press('Enter');

    // The reply is in the request's thread: open it and watch the stream grow.
    const request = article(page.locator('.message-list'), 'when do we deploy?');
    await request.getByRole('button', { name: /repl/ }).click();
    const pane = page.getByRole('complementary', { name: 'Thread' });
    const streaming = pane.locator('[data-streaming="true"]');
    await streaming.getByText('the runbook…').waitFor();
    const reply = article(pane, 'Checking');
    expect(await reply.getAttribute('aria-label')).toContain('(agent)');
    await screenshot(page, 'agent-streaming');
    halfway.open();

    // The final text replaces the live tail; the sources are links; the step is collapsed under it.
    await reply.locator('.markdown strong', { hasText: 'Tuesday' }).waitFor();
    await streaming.waitFor({ state: 'detached' });
    const sources = reply.getByRole('navigation', { name: 'Sources' });
    await sources.getByRole('link', { name: 'Doc Deploy runbook' }).waitFor();
    await sources.getByRole('link', { name: /^Message Owner: Deploys happen on Tuesdays/ }).waitFor();
    const steps = reply.locator('details.reasoning');
    expect(await steps.locator('summary').innerText()).toBe('Reasoning (1 step)');
    expect(await steps.evaluate((d) => (d as HTMLDetailsElement).open)).toBe(false);
    await steps.locator('summary').click();
    await steps.getByText('Looking for the deploy day').waitFor();

    // The requester rejects the result, with a reason: the rejection shows under the reply.
    const review = reply.getByLabel('Agent result');
    await review.getByText('Done').waitFor();
    await review.getByRole('button', { name: 'Reject' }).click();
    await review.getByLabel('Why reject it?').fill('The runbook says Wednesday now');
    await review.getByRole('button', { name: 'Reject result' }).click();
    await review.getByText('Rejected by Owner: “The runbook says Wednesday now”').waitFor();
    await screenshot(page, 'agent-rejected');

    // A cited message jumps to it; a cited doc opens in the panel.
    await sources.getByRole('link', { name: /^Message Owner/ }).click();
    await page.waitForURL((url) => url.search.includes(`thread:${fact.id}`));
    await page.getByRole('complementary', { name: 'Thread' }).getByText('Deploys happen on Tuesdays after the standup').first().waitFor();
    await page.goBack();
    await page.getByRole('complementary', { name: 'Thread' }).getByRole('link', { name: 'Doc Deploy runbook' }).click();
    await page.getByRole('complementary', { name: 'Doc' }).getByRole('heading', { name: 'Deploy runbook' }).waitFor();

    // The agent's profile card: the badge, its sponsor, its capability card.
    await page.goBack();
    await article(page.getByRole('complementary', { name: 'Thread' }), 'Checking').getByRole('button', { name: 'Profile of Helper bot' }).click();
    const card = page.getByRole('complementary', { name: 'Profile' });
    await card.locator('.agent-sponsor', { hasText: 'Owner' }).waitFor();
    expect(await card.locator('.agent-badge').count()).toBe(1);
    await card.getByText('summarise').waitFor();
    await screenshot(page, 'agent-profile');
    await page.context().close();
  });

  it('a person rates a finished agent result with the keyboard; another person sees the average change live', async () => {
    const bob = await world.person('member', 'Bob');
    const bot = await world.agent({ handle: unique('scribe') });
    const channel = await world.channel(world.owner, { name: unique('release'), members: [bob.memberId, bot.memberId] });
    const { task } = await assign(world.owner, channel, bot.memberId, 'Summarise the release, please');
    await finish(bot, task.id, 'Release summary: all checks green');
    const thread = channelPath(channel, `?panel=thread:${task.thread_root_id as string}`);

    const bobPage = await openAs(env.browser, env.server.url, bob.token, thread);
    const bobReview = article(bobPage.getByRole('complementary', { name: 'Thread' }), 'Release summary').getByLabel('Agent result');
    await bobReview.getByText('No ratings yet').waitFor();

    // The requester rates it 4 of 5 from the keyboard (a radio group: arrows move and choose), with a comment.
    const page = await openAs(env.browser, env.server.url, world.owner.token, thread);
    const review = article(page.getByRole('complementary', { name: 'Thread' }), 'Release summary').getByLabel('Agent result');
    const stars = review.getByRole('radiogroup', { name: 'Your rating' });
    await stars.getByRole('radio', { name: 'Rate 1 of 5' }).focus();
    for (let i = 0; i < 3; i += 1) await page.keyboard.press('ArrowRight');
    expect(await stars.getByRole('radio', { name: 'Rate 4 of 5' }).isChecked()).toBe(true);
    await review.getByPlaceholder('Comment (optional)').fill('Clear, but name the failing job next time');
    await review.getByRole('button', { name: 'Save rating' }).click();
    await review.getByText('4 of 5 from 1 rating; yours: 4 of 5').waitFor();
    await screenshot(page, 'agent-rated');

    // Bob reads the room: the average changes without a reload; the owner's score and comment are not shown to him.
    await bobReview.getByText('4 of 5 from 1 rating').waitFor();
    expect(await bobReview.getByText('yours:', { exact: false }).count()).toBe(0);
    expect(await bobPage.getByText('name the failing job').count()).toBe(0);
    await page.context().close();
    await bobPage.context().close();
  });

  it('a pin and a doc edit by one person appear for the other live', async () => {
    const bob = await world.person('member', 'Bob');
    const channel = await world.channel(world.owner, { name: unique('team'), members: [bob.memberId] });
    await world.post(bob, channel, 'The release checklist lives in the runbook');
    const doc = (await world.owner.api.post(`/channels/${channel}/docs`, { title: 'Release notes', body: 'First draft' })).body.doc;

    const ana = await openAs(env.browser, env.server.url, world.owner.token, channelPath(channel));
    const bobPage = await openAs(env.browser, env.server.url, bob.token, channelPath(channel, '?panel=pins:' + channel));
    const bobPins = bobPage.getByRole('complementary', { name: 'Pinned messages' });
    await bobPins.getByText('Nothing is pinned here yet', { exact: false }).waitFor();

    // Ana pins Bob's message from its actions menu; Bob's pins panel shows it without a reload.
    const message = article(ana.locator('.message-list'), 'The release checklist');
    await message.hover();
    await message.getByRole('button', { name: 'Pin message' }).click();
    await bobPins.getByText('The release checklist lives in the runbook').waitFor();
    await bobPins.getByText('pinned by Owner', { exact: false }).waitFor();
    await article(bobPage.locator('.message-list'), 'The release checklist').getByRole('button', { name: 'Pinned' }).waitFor();
    await screenshot(bobPage, 'pins-live');

    // Both open the doc; Ana edits and saves; Bob's view shows the new revision live.
    await bobPage.goto(env.server.url + channelPath(channel, `?panel=doc:${doc.id}`));
    const bobDoc = bobPage.getByRole('complementary', { name: 'Doc' });
    await bobDoc.getByText('First draft').waitFor();
    await ana.goto(env.server.url + channelPath(channel, `?panel=doc:${doc.id}`));
    const anaDoc = ana.getByRole('complementary', { name: 'Doc' });
    await anaDoc.getByRole('tab', { name: 'Edit' }).click();
    await anaDoc.getByLabel('Doc body (markdown)').fill('First draft\n\n- **Ship** on Tuesday');
    await anaDoc.getByLabel('Preview').locator('strong', { hasText: 'Ship' }).waitFor();
    await anaDoc.getByRole('button', { name: 'Save' }).click();
    await bobDoc.locator('strong', { hasText: 'Ship' }).waitFor();
    expect(await bobDoc.getByTestId('doc-revision').innerText()).toBe('2');
    await screenshot(bobPage, 'doc-live');

    // Bob edits from revision 2 while Ana saves revision 3: Bob's save shows the conflict, his text kept.
    await bobDoc.getByRole('tab', { name: 'Edit' }).click();
    await bobDoc.getByLabel('Doc body (markdown)').fill('Bob rewrote it');
    const current = (await world.owner.api.get(`/docs/${doc.id}`)).body.doc;
    await world.owner.api.patch(`/docs/${doc.id}`, { revision: current.revision, body: 'Ana moved on' });
    await bobDoc.getByText('Someone saved revision 3 while you edit', { exact: false }).waitFor();
    await bobDoc.getByRole('button', { name: 'Save' }).click();
    await bobDoc.getByRole('alert').getByText('Edit conflict.').waitFor();
    expect(await bobDoc.getByLabel('Doc body (markdown)').inputValue()).toBe('Bob rewrote it');
    await screenshot(bobPage, 'doc-conflict');
    await bobDoc.getByRole('button', { name: 'Discard mine, take theirs' }).click();

    // History: the diff of revision 2 shows the added line; restoring revision 1 makes revision 4.
    await bobDoc.getByRole('tab', { name: 'History' }).click();
    await bobDoc.getByRole('button', { name: 'Changes in 2' }).click();
    await bobDoc.getByLabel('added: - **Ship** on Tuesday').waitFor();
    await screenshot(bobPage, 'doc-diff');
    bobPage.once('dialog', (d) => { void d.accept(); });
    await bobDoc.locator('li', { hasText: 'Revision 1' }).getByRole('button', { name: 'Restore' }).click();
    await bobDoc.getByTestId('doc-revision').filter({ hasText: '4' }).waitFor();
    await anaDoc.getByText('First draft').waitFor();
    await ana.context().close();
    await bobPage.context().close();
  });

  it('search finds a message with its term highlighted, and shows markup as text', async () => {
    const term = unique('zebrafish').replace(/[0-9]/g, 'q');
    const channel = await world.channel(world.owner, { name: unique('search') });
    await world.post(world.owner, channel, `The ${term} rollout is <img src=x onerror="window.__xss=1"> done`);
    const page = await openAs(env.browser, env.server.url, world.owner.token, channelPath(channel));
    const box = page.getByRole('searchbox', { name: 'Search messages, docs and experience' });
    await box.fill(term);
    await box.press('Enter');
    const results = page.getByRole('list', { name: 'Search results' });
    const mark = results.locator('mark', { hasText: term });
    await mark.first().waitFor();
    expect(await results.locator('img').count()).toBe(0);
    expect(await results.locator('.search-hit').first().innerText()).toContain('<img src=x');
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
    await screenshot(page, 'search');

    // A filter narrows: only docs finds nothing; back to everything finds it; the hit jumps to the message.
    await page.getByLabel('Search in', { exact: true }).selectOption('doc');
    await page.getByText('No results.').waitFor();
    await page.getByLabel('Search in', { exact: true }).selectOption('');
    await results.locator('mark').first().waitFor();
    await results.getByRole('button', { name: 'Open message' }).first().click();
    await page.waitForURL((url) => url.pathname.endsWith(`/c/${channel}`));
    await page.locator('.message-list article', { hasText: 'rollout is' }).waitFor();
    await page.context().close();
  });
});
