import { defineConfig } from 'vitest/config';
import { shared } from './vitest.shared.js';

/**
 * Suites that need the machine's services (Redis at 127.0.0.1:6379, and the PostgreSQL at
 * DATABASE_URL when set): the cluster tests. `npm run test:services`; CI runs it after `npm test`.
 */
export default defineConfig({
  ...shared,
  test: { ...shared.test, include: ['packages/*/src/**/*.services.test.ts'] },
});
