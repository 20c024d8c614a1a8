import { sql, type Kysely } from 'kysely';

/**
 * Two foreign keys that another one already implies, checked on every row of
 * the send path's two busiest inserts (PostgreSQL runs a key-share lookup of
 * the org row per message and per audit event, about a quarter of each insert's
 * time, and two batch writers taking that lock on the same org row meet in a
 * multixact):
 *
 * - `messages.org_id`: a message's org is its channel's, and `channel_id`
 *   references `channels` (on delete cascade), whose `org_id` references `orgs`.
 * - `audit_events.org_id`: every org with events has its chain head in
 *   `audit_heads`, which references `orgs`; the append locks that head in the
 *   same transaction. An org's removal can no longer cascade into its audit
 *   events, which the append-only trigger refused anyway: the record outlives
 *   the org.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table messages drop constraint messages_org_id_fkey;
    alter table audit_events drop constraint audit_events_org_id_fkey;
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table messages add constraint messages_org_id_fkey foreign key (org_id) references orgs(id) on delete cascade;
    alter table audit_events add constraint audit_events_org_id_fkey foreign key (org_id) references orgs(id) on delete cascade;
  `.execute(db);
}
