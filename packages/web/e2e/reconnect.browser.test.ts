import { expect, it } from 'vitest';
import { createWorld } from '../../server/src/test/fixtures.js';
import { messageTexts, openAs, screenshot, appPerFile, startAppServer } from './app.js';

const env = appPerFile();

it('shows a banner while the server is down, then a complete, duplicate-free history once it is back', async () => {
  const world = await createWorld(env.server.url);
  const bob = await world.person('member', 'Bob');
  for (const n of [1, 2, 3]) await world.post(bob, world.generalId, `before ${n}`);
  const page = await openAs(env.browser, env.server.url, world.owner.token, `/o/${world.orgId}/c/${world.generalId}`);
  await page.locator('.message-list article', { hasText: 'before 3' }).waitFor();

  await env.server.kill('SIGKILL');
  const banner = page.getByRole('status').filter({ hasText: 'Reconnecting' });
  await banner.waitFor();
  await screenshot(page, 'reconnecting');

  // Written while the page is cut off: one by the reader (queued by the socket), three by Bob once the server is back.
  const box = page.getByRole('combobox', { name: /^Message / });
  await box.fill('sent while offline');
  await box.press('Enter');
  env.server = await startAppServer(env.server.port);
  for (const n of [1, 2, 3]) await world.post(bob, world.generalId, `missed ${n}`);

  await page.locator('.message-list article', { hasText: 'missed 3' }).waitFor();
  await banner.waitFor({ state: 'detached' });
  await page.locator('.message-list article', { hasText: 'sent while offline' }).waitFor();
  // Bob posts after the resume: it arrives live, after everything else.
  await world.post(bob, world.generalId, 'after');
  await page.locator('.message-list article', { hasText: 'after' }).waitFor();

  const texts = await messageTexts(page);
  const expected = ['before 1', 'before 2', 'before 3', 'sent while offline', 'missed 1', 'missed 2', 'missed 3', 'after'];
  // The offline send may be written before or after Bob's first posts, depending on when the socket resumed.
  expect(texts.filter((t) => t !== 'sent while offline')).toEqual(expected.filter((t) => t !== 'sent while offline'));
  expect(texts.filter((t) => t === 'sent while offline')).toHaveLength(1);
  expect(new Set(texts).size).toBe(texts.length);
  const seqs = await page.locator('.message-list article').evaluateAll((els) => els.map((el) => Number(el.getAttribute('data-seq'))));
  expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
  // The server has exactly these messages.
  const history = await world.owner.api.get(`/channels/${world.generalId}/messages?limit=50`);
  expect(history.body.messages.map((m: { body: string }) => m.body)).toEqual(texts);
  await screenshot(page, 'reconnected');
  await page.context().close();
});
