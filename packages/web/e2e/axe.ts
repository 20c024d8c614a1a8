import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import type { AxeResults, Result } from 'axe-core';

/**
 * axe-core, injected into a page by the tests only (it is a dev dependency of
 * packages/web and never imported by the app, so it is not in the bundle).
 */
const axePath = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/** The WCAG 2.0/2.1/2.2 level A and AA rules. */
const wcagTags = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

export type Theme = 'light' | 'dark';

/**
 * Runs axe on what the page shows now and returns its serious and critical
 * violations, one readable line per failing element (empty when there is none).
 */
export async function seriousViolations(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ path: axePath });
  const results = await page.evaluate(async (tags) => {
    const axe = (window as unknown as { axe: { run(context: Document, options: object): Promise<AxeResults> } }).axe;
    return axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
  }, wcagTags);
  return results.violations
    .filter((v: Result) => v.impact === 'serious' || v.impact === 'critical')
    .flatMap((v) => v.nodes.map((n) => `${v.id} (${v.impact ?? ''}): ${n.target.join(' ')} — ${n.failureSummary?.replace(/\s+/g, ' ') ?? v.help}`));
}

/**
 * Shows the page in `theme`: the system preference, which the app follows
 * unless the person picked a theme (the tests' people have not).
 */
export async function showTheme(page: Page, theme: Theme): Promise<void> {
  await page.emulateMedia({ colorScheme: theme });
  await page.waitForFunction((want) => matchMedia(`(prefers-color-scheme: ${want})`).matches, theme);
  // One frame, so the light-dark() colours are recomputed before anything is measured.
  await page.evaluate(() => new Promise((resolve) => { requestAnimationFrame(resolve); }));
}

/** The serious and critical violations of the page in both themes, each line prefixed with its theme. */
export async function violationsInBothThemes(page: Page): Promise<string[]> {
  const found: string[] = [];
  for (const theme of ['light', 'dark'] as const) {
    await showTheme(page, theme);
    found.push(...(await seriousViolations(page)).map((line) => `[${theme}] ${line}`));
  }
  return found;
}
