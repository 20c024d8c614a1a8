import { defineConfig } from 'vitest/config';
import { shared } from './vitest.shared.js';

/** `npm test`: everything that needs nothing but Node (PostgreSQL is the embedded one). */
export default defineConfig({
  ...shared,
  test: {
    ...shared.test,
    include: ['packages/*/src/**/*.test.ts'],
    // Suites that need a Redis and a PostgreSQL server run with vitest.services.config.ts.
    exclude: ['**/node_modules/**', '**/*.services.test.ts'],
  },
});
