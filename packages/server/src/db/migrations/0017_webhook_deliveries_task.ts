import { sql, type Kysely } from 'kysely';

/**
 * A task's webhook deliveries: retention finds the deliveries that carried an
 * expired request by their task (retention/job.ts), and deleting a task
 * cascades to its deliveries; without it each scanned the whole delivery log.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create index webhook_deliveries_task_idx on webhook_deliveries (task_id)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index webhook_deliveries_task_idx`.execute(db);
}
