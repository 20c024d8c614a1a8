import { sql, type Kysely } from 'kysely';

/**
 * Profiles and notification preferences. A member's custom status (an emoji,
 * a sentence, an optional expiry) and the version of its avatar live on the
 * member row, so every member read can present them without a join; the
 * avatar's bytes live in their own table (at most 256 KB, the content type
 * detected from the bytes when it was stored). Preferences follow the person
 * across devices: desktop notifications per org membership, mutes per channel
 * membership (`channel_mutes`, gone when the membership is).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table members
      add column status_emoji text check (char_length(status_emoji) <= 16),
      add column status_text text check (char_length(status_text) <= 100),
      add column status_expires_at timestamptz,
      add column avatar_version text,
      add column desktop_notifications text not null default 'mentions'
        check (desktop_notifications in ('all', 'mentions', 'none'));

    -- A mute belongs to a membership: leaving the channel forgets it.
    create table channel_mutes (
      channel_id uuid not null,
      member_id uuid not null,
      created_at timestamptz not null default now(),
      primary key (member_id, channel_id),
      foreign key (channel_id, member_id) references channel_members(channel_id, member_id) on delete cascade
    );

    create table member_avatars (
      member_id uuid primary key references members(id) on delete cascade,
      content_type text not null check (content_type in ('image/png', 'image/jpeg', 'image/gif', 'image/webp')),
      bytes bytea not null check (octet_length(bytes) <= 262144),
      updated_by uuid not null references members(id),
      updated_at timestamptz not null default now()
    );
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    drop table member_avatars;
    drop table channel_mutes;
    alter table members
      drop column status_emoji, drop column status_text, drop column status_expires_at,
      drop column avatar_version, drop column desktop_notifications;
  `.execute(db);
}
