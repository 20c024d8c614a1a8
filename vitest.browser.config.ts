import { defineConfig } from 'vitest/config';
import { shared } from './vitest.shared.js';

/**
 * `npm run test:browser`: the web app in Debian's Chromium (playwright-core) against a real Chorus server
 * running the built app (`npm run build` first). Not part of `npm test`.
 */
export default defineConfig({
  ...shared,
  test: {
    ...shared.test,
    include: ['packages/web/e2e/**/*.browser.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // One browser at a time: the machine is shared, and timings are printed.
    fileParallelism: false,
  },
});
