import { Kysely, Migrator, PostgresDialect, type Transaction } from 'kysely';
import pg from 'pg';
import { migrations } from './migrations/index.js';
import type { Database } from './schema.js';

export type Db = Kysely<Database>;
export type Trx = Transaction<Database>;

// bigint (counts, seqs) fits comfortably in a JS number for Chorus's ranges.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number.parseInt(value, 10));

const pools = new WeakMap<Db, pg.Pool>();

/**
 * A pool of `poolSize` connections. A connection that dies while idle in the
 * pool (PostgreSQL restarted, or an administrator ended it) is dropped and
 * reported to `onIdleError`; the next query opens a new one. (Without a
 * listener, the pool's `error` event would end the process.)
 */
export function connect(url: string, poolSize = 20, onIdleError: (error: Error) => void = () => undefined): Db {
  const pool = new pg.Pool({ connectionString: url, max: poolSize });
  pool.on('error', onIdleError);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  pools.set(db, pool);
  return db;
}

/** The connection pool's counts (for metrics): open connections, idle ones, and queries waiting for one. */
export function poolStats(db: Db): { total: number; idle: number; waiting: number } | null {
  const pool = pools.get(db);
  return pool ? { total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount } : null;
}

function migrator(db: Db): Migrator {
  return new Migrator({ db, provider: { getMigrations: () => Promise.resolve(migrations) } });
}

/** Every migration this build knows, and whether the database has it (for `chorus migrate --status`, readiness, doctor). */
export async function migrationStatus(db: Db): Promise<{ name: string; applied: boolean }[]> {
  const all = await migrator(db).getMigrations();
  return all.map((m) => ({ name: m.name, applied: m.executedAt !== undefined }));
}

/** Applies every pending migration, in order; safe to run concurrently from several nodes. */
export async function migrate(db: Db): Promise<string[]> {
  const { error, results } = await migrator(db).migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error('migration failed', { cause: error });
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
