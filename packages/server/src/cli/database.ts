import { loadConfig } from '../config.js';
import { connect, type Db } from '../db/database.js';
import { startEmbeddedPostgres } from '../db/embedded.js';

/**
 * The database a CLI command works on: DATABASE_URL, or else the embedded
 * PostgreSQL in CHORUS_DATA_DIR (started for the command and stopped after it;
 * the server must not be running on that directory at the same time).
 */
export async function withDatabase<T>(env: NodeJS.ProcessEnv, fn: (db: Db) => Promise<T>): Promise<T> {
  const config = loadConfig(env);
  const embedded = config.databaseUrl ? null : await startEmbeddedPostgres({ dataDir: config.dataDir, port: config.embeddedPgPort });
  const db = connect(config.databaseUrl ?? embedded?.url ?? '', 4);
  try {
    return await fn(db);
  } finally {
    await db.destroy();
    await embedded?.stop();
  }
}
