import type { Migration } from 'kysely';
import * as m0001 from './0001_foundation.js';
import * as m0002 from './0002_agents_at_work.js';
import * as m0006 from './0006_integrations.js';

/**
 * Every schema version, in order. A migration is never edited once it has
 * landed; a change to the schema is a new file listed here.
 */
export const migrations: Record<string, Migration> = {
  '0001_foundation': m0001,
  '0002_agents_at_work': m0002,
  '0006_integrations': m0006,
};
