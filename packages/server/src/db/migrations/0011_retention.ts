import { sql, type Kysely } from 'kysely';

/**
 * Retention and legal holds (docs/BACKUP.md). A policy row with no channel is
 * the org's; a channel's row overrides it. `keep_days` null keeps forever. A
 * legal hold names a channel or a member (exactly one); while it is not
 * released, the retention job deletes nothing it covers.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table retention_policies (
      org_id uuid not null references orgs(id) on delete cascade,
      channel_id uuid references channels(id) on delete cascade,
      keep_days integer check (keep_days is null or keep_days >= 1),
      updated_by uuid not null references members(id),
      updated_at timestamptz not null default now()
    );
    create unique index retention_policies_org on retention_policies (org_id) where channel_id is null;
    create unique index retention_policies_channel on retention_policies (channel_id) where channel_id is not null;

    create table legal_holds (
      id uuid primary key default gen_random_uuid(),
      org_id uuid not null references orgs(id) on delete cascade,
      channel_id uuid references channels(id) on delete cascade,
      member_id uuid references members(id) on delete cascade,
      reason text not null check (length(reason) between 1 and 500),
      created_by uuid not null references members(id),
      created_at timestamptz not null default now(),
      released_by uuid references members(id),
      released_at timestamptz,
      check ((channel_id is null) <> (member_id is null))
    );
    create index legal_holds_active on legal_holds (org_id) where released_at is null;

    -- The retention job finds a channel's oldest threads by their last activity.
    create index messages_retention on messages (channel_id, (coalesce(last_reply_at, created_at))) where thread_root_id is null;
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    drop index messages_retention;
    drop table legal_holds;
    drop table retention_policies;
  `.execute(db);
}
