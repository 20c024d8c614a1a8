import { sql, type Kysely } from 'kysely';

/**
 * Files: uploaded to a channel, attached to at most one message there, read
 * through that message's read rules. The bytes live in the file store
 * (files/storage.ts) under `storage_key`; a row outlives its bytes as a
 * tombstone (`deleted_at`, then `purged_at` once the bytes are gone).
 * `server_secrets` holds the link-signing key every node shares when
 * CHORUS_FILES_SIGNING_SECRET is not set.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table files (
      id uuid primary key default gen_random_uuid(),
      org_id uuid not null references orgs(id) on delete cascade,
      channel_id uuid not null references channels(id) on delete cascade,
      uploader_id uuid not null references members(id),
      message_id uuid references messages(id) on delete set null,
      name text not null,
      size bigint not null,
      mime text not null,
      sha256 text not null,
      width integer,
      height integer,
      storage_key text not null,
      preview_key text,
      created_at timestamptz not null default now(),
      attached_at timestamptz,
      deleted_at timestamptz,
      purged_at timestamptz
    );
    create index files_channel on files (channel_id, created_at desc) where deleted_at is null;
    create index files_message on files (message_id) where message_id is not null;
    create index files_unattached on files (created_at) where message_id is null and deleted_at is null;
    create index files_unpurged on files (deleted_at) where deleted_at is not null and purged_at is null;

    create table server_secrets (
      name text primary key,
      value text not null,
      created_at timestamptz not null default now()
    );
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    drop table server_secrets;
    drop table files;
  `.execute(db);
}
