import { fileURLToPath } from 'node:url';
import type { ViteUserConfig } from 'vitest/config';

const src = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/** What every test run shares: workspace packages from source, one PostgreSQL per run. */
export const shared = {
  resolve: {
    // Tests run the workspace packages from source; builds use their compiled output.
    alias: [
      { find: /^@chorus\/protocol\/(.*)$/, replacement: src('./packages/protocol/src/$1.ts') },
      { find: /^@chorus\/sdk$/, replacement: src('./packages/sdk/src/index.ts') },
    ],
  },
  test: {
    globalSetup: ['packages/server/src/test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
} satisfies ViteUserConfig;
