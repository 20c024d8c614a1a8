import type { Migration } from 'kysely';
import * as m0001 from './0001_foundation.js';
import * as m0002 from './0002_agents_at_work.js';
import * as m0003 from './0003_pins_docs.js';
import * as m0004 from './0004_experience.js';
import * as m0005 from './0005_search.js';
import * as m0006 from './0006_integrations.js';
import * as m0008 from './0008_streaming.js';
import * as m0009 from './0009_builtin_agents.js';
import * as m0010 from './0010_files.js';
import * as m0011 from './0011_retention.js';
import * as m0012 from './0012_profiles.js';
import * as m0013 from './0013_task_ratings.js';
import * as m0014 from './0014_send_path_keys.js';
import * as m0015 from './0015_tasks_queued.js';
import * as m0016 from './0016_created_from_messages.js';
import * as m0017 from './0017_webhook_deliveries_task.js';

/**
 * Every schema version, in order. A migration is never edited once it has
 * landed; a change to the schema is a new file listed here.
 */
export const migrations: Record<string, Migration> = {
  '0001_foundation': m0001,
  '0002_agents_at_work': m0002,
  '0003_pins_docs': m0003,
  '0004_experience': m0004,
  '0005_search': m0005,
  '0006_integrations': m0006,
  '0008_streaming': m0008,
  '0009_builtin_agents': m0009,
  '0010_files': m0010,
  '0011_retention': m0011,
  '0012_profiles': m0012,
  '0013_task_ratings': m0013,
  '0014_send_path_keys': m0014,
  '0015_tasks_queued': m0015,
  '0016_created_from_messages': m0016,
  '0017_webhook_deliveries_task': m0017,
};
