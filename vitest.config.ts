import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';
import { shared } from './vitest.shared.js';

/** `npm test`: everything that needs nothing but Node (PostgreSQL is the embedded one), and the web app's component tests. */
export default defineConfig({
  resolve: shared.resolve,
  test: {
    projects: [
      {
        ...shared,
        test: {
          ...shared.test,
          name: 'node',
          include: ['packages/*/src/**/*.test.ts'],
          // Suites that need a Redis and a PostgreSQL server run with vitest.services.config.ts; the web app's run in a DOM.
          exclude: ['**/node_modules/**', '**/*.services.test.ts', 'packages/web/**'],
        },
      },
      {
        // The web app's component tests: a DOM (happy-dom), no database.
        plugins: [react()],
        resolve: shared.resolve,
        test: {
          name: 'web',
          include: ['packages/web/src/**/*.test.{ts,tsx}'],
          environment: 'happy-dom',
          testTimeout: 30_000,
        },
      },
    ],
  },
});
