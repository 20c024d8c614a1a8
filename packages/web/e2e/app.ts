import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, inject } from 'vitest';
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import { startChildServer, type ChildServer } from '../../server/src/test/child-server.js';
import { launchBrowser } from './browser.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));
export const webDist = path.join(root, 'packages/web/dist');
export const resultsDir = path.join(root, 'test-results');

/**
 * A Chorus server as its own process (so a test can kill it), on the test
 * run's database, serving the built web app.
 */
export async function startAppServer(port?: number): Promise<ChildServer> {
  if (!fs.existsSync(path.join(webDist, 'index.html'))) throw new Error('The web app is not built: run `npm run build` before `npm run test:browser`.');
  return startChildServer({ DATABASE_URL: inject('databaseUrl'), CHORUS_AGENT_HOST: '0', CHORUS_WEB_DIR: webDist, CHORUS_RATE_LOGIN_PER_MINUTE: '10000' }, port);
}

/** A page of its own browser context (its own storage), signed in with `token`, at `pathname`; `options` for a phone (isMobile, hasTouch…). */
export async function openAs(browser: Browser, baseUrl: string, token: string | null, pathname = '/', viewport = { width: 1280, height: 800 }, options: BrowserContextOptions = {}): Promise<Page> {
  const context = await browser.newContext({ viewport, ...options });
  if (token) await context.addInitScript((t) => { localStorage.setItem('chorus.token', t); }, token);
  const page = await context.newPage();
  page.on('pageerror', (error) => { console.error(`[page error] ${error.message}`); });
  await page.goto(baseUrl + pathname);
  return page;
}

export async function screenshot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(resultsDir, { recursive: true });
  await page.screenshot({ path: path.join(resultsDir, `${name}.png`) });
}

/** The texts of the messages a page shows in its channel view, in order. */
export function messageTexts(page: Page): Promise<string[]> {
  return page.locator('.message-list article .markdown').allInnerTexts().then((texts) => texts.map((t) => t.trim()));
}

/** A test file's server and browser: started before its tests, stopped after them. A test may replace `server` (a restart). */
export function appPerFile(): { server: ChildServer; browser: Browser } {
  const env = {} as { server: ChildServer; browser: Browser };
  beforeAll(async () => {
    env.server = await startAppServer();
    env.browser = await launchBrowser();
  });
  afterAll(async () => {
    await env.browser.close();
    await env.server.kill('SIGTERM');
  });
  return env;
}
