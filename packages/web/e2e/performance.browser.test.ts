import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import type { ChildServer } from '../../server/src/test/child-server.js';
import { createWorld, unique } from '../../server/src/test/fixtures.js';
import { launchBrowser } from './browser.js';
import { openAs, screenshot, startAppServer } from './app.js';

const MESSAGES = 10_000;
let server: ChildServer;
let browser: Browser;

beforeAll(async () => {
  server = await startAppServer();
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser.close();
  await server.kill('SIGTERM');
});

/**
 * A channel of 10,000 messages. Timings are printed (and recorded in
 * docs/PERFORMANCE.md), never asserted: the assertions are about what the
 * reader sees — the latest page, then every older page in order, without gaps
 * or duplicates, back to the first message.
 */
it('opens a channel of 10,000 messages at the latest page and scrolls back through all of it', async () => {
  const world = await createWorld(server.url);
  const channel = await world.channel(world.owner, { name: unique('big') });
  let started = performance.now();
  let next = 1;
  // Through the REST API, 32 at a time: the server writes them in group commits.
  await Promise.all(Array.from({ length: 32 }, async () => {
    while (next <= MESSAGES) {
      const n = next++;
      await world.owner.api.post(`/channels/${channel}/messages`, { body: `message ${n}`, client_msg_id: `perf-${n}` });
    }
  }));
  const insertMs = performance.now() - started;
  const history = await world.owner.api.get(`/channels/${channel}/messages?limit=1`);
  const lastSeq: number = history.body.messages[0].seq;

  const page = await openAs(browser, server.url, world.owner.token, `/o/${world.orgId}`);
  await page.locator('.message-list').waitFor();
  started = performance.now();
  await page.goto(`${server.url}/o/${world.orgId}/c/${channel}`);
  const last = page.locator(`.message-list article[data-seq="${lastSeq}"]`);
  await last.waitFor();
  const openMs = performance.now() - started;
  const firstPage = await page.evaluate((id) => {
    const arrived = performance.getEntriesByName(`chorus:page:${id}`)[0];
    const painted = performance.getEntriesByName(`chorus:painted:${id}`)[0];
    return arrived && painted ? painted.startTime - arrived.startTime : null;
  }, channel);
  expect(firstPage).not.toBeNull();
  expect(await last.isVisible()).toBe(true);
  await screenshot(page, 'big-channel');

  // Scroll to the top again and again: each time the next older page loads above, the place is kept.
  const frames: number[] = [];
  await page.evaluate(() => {
    const w = window as unknown as { __frames: number[] };
    w.__frames = [];
    let prev = performance.now();
    const tick = (t: number) => { w.__frames.push(t - prev); prev = t; requestAnimationFrame(tick); };
    requestAnimationFrame(tick);
  });
  const list = page.locator('.message-list');
  const pageTimes: number[] = [];
  let seen = new Set<number>();
  let oldest = Infinity;
  started = performance.now();
  for (let i = 0; i < 200; i++) {
    const t0 = performance.now();
    await list.evaluate((el) => { el.scrollTop = 0; });
    // Wait until something older than what was shown is on screen, or the start of the channel.
    await page.waitForFunction((before) => {
      const seqs = [...document.querySelectorAll('.message-list article')].map((a) => Number(a.getAttribute('data-seq')));
      return Math.min(...seqs) < before || document.querySelector('.history-start') !== null;
    }, oldest);
    pageTimes.push(performance.now() - t0);
    const seqs = await list.locator('article').evaluateAll((els) => els.map((el) => Number(el.getAttribute('data-seq'))));
    expect([...seqs].sort((a, b) => a - b), 'the rendered window is in order').toEqual(seqs);
    expect(new Set(seqs).size, 'no message twice').toBe(seqs.length);
    seen = new Set([...seen, ...seqs]);
    oldest = Math.min(oldest, ...seqs);
    if (await page.locator('.history-start').count()) break;
  }
  const scrollMs = performance.now() - started;
  frames.push(...(await page.evaluate(() => (window as unknown as { __frames: number[] }).__frames)));
  await page.locator('.history-start').waitFor();
  const firstBody = await list.locator('article .markdown').first().innerText();
  expect(firstBody.trim()).toBe('message 1');
  await screenshot(page, 'big-channel-start');

  // Every message was on screen at some point on the way back: no gaps.
  const all = await world.owner.api.get(`/channels/${channel}/messages?limit=1&after=0`);
  const firstSeq: number = all.body.messages[0].seq;
  const missing: number[] = [];
  for (let s = firstSeq; s <= lastSeq; s++) if (!seen.has(s)) missing.push(s);
  expect(missing.length, `seqs never shown: ${missing.slice(0, 10).join(', ')}`).toBe(0);

  frames.sort((a, b) => a - b);
  const pct = (p: number) => frames[Math.min(frames.length - 1, Math.floor(frames.length * p))] ?? 0;
  const figures = {
    messages: MESSAGES,
    insert_ms: Math.round(insertMs),
    first_page_render_after_data_ms: Math.round(firstPage ?? -1),
    open_channel_to_latest_visible_ms: Math.round(openMs),
    older_pages_loaded: pageTimes.length,
    older_page_median_ms: Math.round([...pageTimes].sort((a, b) => a - b)[Math.floor(pageTimes.length / 2)] ?? 0),
    scroll_back_to_first_message_ms: Math.round(scrollMs),
    frame_p50_ms: Math.round(pct(0.5)),
    frame_p95_ms: Math.round(pct(0.95)),
    frame_max_ms: Math.round(pct(1)),
  };
  console.log(`[web performance] ${JSON.stringify(figures)}`);
  await page.context().close();
});
