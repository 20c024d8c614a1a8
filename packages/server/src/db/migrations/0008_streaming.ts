import { sql, type Kysely } from 'kysely';

/**
 * Streaming replies: a message opened as a stream grows by chunks people see
 * live (ephemeral frames, never events), and its final text is written once
 * when the stream ends — or when it is abandoned and closed by the sweep.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table messages
      add column stream_state text check (stream_state in ('open', 'ended', 'abandoned'));

    -- The text of an open stream so far, kept so that any node can end or abandon it.
    create table message_streams (
      message_id uuid primary key references messages(id) on delete cascade,
      org_id uuid not null references orgs(id) on delete cascade,
      channel_id uuid not null references channels(id) on delete cascade,
      author_id uuid not null references members(id) on delete cascade,
      text text not null,
      chunks integer not null default 1,
      opened_at timestamptz not null default now(),
      last_chunk_at timestamptz not null default now()
    );
    create index message_streams_last_chunk_idx on message_streams (last_chunk_at);
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    drop table message_streams;
    alter table messages drop column stream_state;
  `.execute(db);
}
