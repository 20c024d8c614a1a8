import pg from 'pg';
import { expect, inject, it } from 'vitest';
import { createWorld, unique } from '../../server/src/test/fixtures.js';
import { openAs, screenshot, appPerFile } from './app.js';

const MESSAGES = 10_000;
const env = appPerFile();

/**
 * The history straight through SQL, as bench/context/seed.ts does: 10,000 sends through the API take
 * minutes on a shared machine and measure nothing this test is about. The rows are messages with their
 * seqs (the channel's last_seq moved past them) and no channel events, which the app does not need:
 * it reads history over REST.
 */
async function insertMessages(orgId: string, channelId: string, authorId: string, count: number): Promise<void> {
  const db = new pg.Client({ connectionString: inject('databaseUrl') });
  await db.connect();
  try {
    const { rows } = await db.query<{ last_seq: string }>('select last_seq from channels where id = $1', [channelId]);
    const base = Number(rows[0]?.last_seq ?? 0);
    const start = Date.now() - count * 1000;
    const seqs: number[] = [];
    const bodies: string[] = [];
    const times: string[] = [];
    for (let i = 1; i <= count; i++) {
      seqs.push(base + i);
      bodies.push(i % 7 === 0 ? `message ${i}\n\nwith a second paragraph and \`code\`` : `message ${i}`);
      times.push(new Date(start + i * 1000).toISOString());
    }
    await db.query(
      `insert into messages (org_id, channel_id, seq, author_id, body, created_at)
       select $1, $2, s, $3, b, t from unnest($4::bigint[], $5::text[], $6::timestamptz[]) as u(s, b, t)`,
      [orgId, channelId, authorId, seqs, bodies, times],
    );
    await db.query('update channels set last_seq = $2 where id = $1', [channelId, base + count]);
  } finally {
    await db.end();
  }
}

/**
 * A channel of 10,000 messages. Timings are printed (and recorded in
 * docs/PERFORMANCE.md), never asserted: the assertions are about what the
 * reader sees — the latest page, then every older page in order, without gaps
 * or duplicates, back to the first message.
 */
it('opens a channel of 10,000 messages at the latest page and scrolls back through all of it', async () => {
  const world = await createWorld(env.server.url);
  const channel = await world.channel(world.owner, { name: unique('big') });
  let started = performance.now();
  await insertMessages(world.orgId, channel, world.owner.memberId, MESSAGES);
  const insertMs = performance.now() - started;
  console.log(`[web performance] inserted ${MESSAGES} messages in ${Math.round(insertMs)} ms`);
  const history = await world.owner.api.get(`/channels/${channel}/messages?limit=1`);
  const lastSeq: number = history.body.messages[0].seq;

  const page = await openAs(env.browser, env.server.url, world.owner.token, `/o/${world.orgId}`);
  await page.locator('.message-list').waitFor();
  started = performance.now();
  await page.goto(`${env.server.url}/o/${world.orgId}/c/${channel}`);
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
    oldest = Math.min(oldest, ...seqs);
    if (await page.locator('.history-start').count()) break;
  }
  const scrollMs = performance.now() - started;
  console.log(`[web performance] scrolled back through ${pageTimes.length} pages in ${Math.round(scrollMs)} ms`);
  frames.push(...(await page.evaluate(() => (window as unknown as { __frames: number[] }).__frames)));
  await page.locator('.history-start').waitFor();
  const firstBody = await list.locator('article .markdown').first().innerText();
  expect(firstBody.trim()).toBe('message 1');
  await screenshot(page, 'big-channel-start');

  frames.sort((a, b) => a - b);
  const pct = (p: number) => frames[Math.min(frames.length - 1, Math.floor(frames.length * p))] ?? 0;
  const figures = {
    messages: MESSAGES,
    insert_ms: Math.round(insertMs),
    first_page_render_after_data_ms: Math.round(firstPage ?? -1),
    open_channel_to_latest_visible_ms: Math.round(openMs),
    scroll_to_top_steps: pageTimes.length,
    scroll_to_top_step_median_ms: Math.round([...pageTimes].sort((a, b) => a - b)[Math.floor(pageTimes.length / 2)] ?? 0),
    scroll_back_to_first_message_ms: Math.round(scrollMs),
    frame_p50_ms: Math.round(pct(0.5)),
    frame_p95_ms: Math.round(pct(0.95)),
    frame_max_ms: Math.round(pct(1)),
  };
  console.log(`[web performance] ${JSON.stringify(figures)}`);

  // Then down through the whole history, a screen at a time: every message is there once, in order, no gaps.
  const all = await world.owner.api.get(`/channels/${channel}/messages?limit=1&after=0`);
  const firstSeq: number = all.body.messages[0].seq;
  const shown: number[] = [];
  for (let step = 0; step < 5000; step++) {
    const seqs = await list.locator('article').evaluateAll((els) => els.map((el) => Number(el.getAttribute('data-seq'))));
    for (const seq of seqs) if (seq > (shown.at(-1) ?? 0)) shown.push(seq);
    const done = await list.evaluate((el) => {
      const bottom = el.scrollTop + el.clientHeight >= el.scrollHeight - 2;
      el.scrollTop += el.clientHeight * 0.8;
      return bottom;
    });
    if (done) break;
    await page.evaluate(() => new Promise(requestAnimationFrame));
  }
  expect(shown[0]).toBe(firstSeq);
  expect(shown.at(-1)).toBe(lastSeq);
  const gaps = shown.filter((seq, i) => i > 0 && seq !== (shown[i - 1] ?? 0) + 1);
  expect(gaps, 'messages missing on the way down').toEqual([]);
  expect(shown).toHaveLength(MESSAGES);
  await page.context().close();
}, 600_000);
