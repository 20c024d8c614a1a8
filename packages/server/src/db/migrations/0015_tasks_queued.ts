import { sql, type Kysely } from 'kysely';

/**
 * The oldest queued task, read by the `chorus_queue_lag_seconds{queue="tasks"}`
 * gauge on every scrape: without this index PostgreSQL scans every task the org
 * has ever had (`tasks_agent_idx` leads with the agent). Partial, so it holds
 * only the tasks that wait, however many are done.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create index tasks_queued_idx on tasks (created_at) where status = 'queued'`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index tasks_queued_idx`.execute(db);
}
