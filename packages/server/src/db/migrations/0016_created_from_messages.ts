import { sql, type Kysely } from 'kysely';

/**
 * A message's `message.created` event is no longer stored in `channel_events`:
 * the message's own row, with the same seq, is its record, and the log reader
 * derives the event from it (realtime/event-log.ts). A send writes one row
 * instead of two copies of the message, and a replay no longer hands a
 * resuming client the text of a message deleted since.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`delete from channel_events where type = 'message.created'`.execute(db);
}

/** Stores the events again, each message as it is now (as the reader derived them), without attachments or thread summary. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    insert into channel_events (channel_id, seq, type, actor_id, payload, created_at)
    select m.channel_id, m.seq, 'message.created', case when m.kind = 'system' then null else m.author_id end,
      jsonb_build_object('message', jsonb_build_object(
        'id', m.id, 'channel_id', m.channel_id, 'seq', m.seq, 'kind', m.kind,
        'author', jsonb_build_object('id', a.id, 'handle', a.handle, 'display_name', a.display_name, 'kind', a.kind),
        'body', case when m.deleted_at is null then m.body else '' end,
        'thread_root_id', m.thread_root_id, 'thread', null,
        'mentions', jsonb_build_object(
          'member_ids', case when m.deleted_at is null then coalesce((select jsonb_agg(mm.member_id) from message_mentions mm where mm.message_id = m.id), '[]'::jsonb) else '[]'::jsonb end,
          'channel', m.deleted_at is null and m.mentions_all, 'here', m.deleted_at is null and m.mentions_here, 'agents', m.deleted_at is null and m.mentions_agents),
        'reactions', '[]'::jsonb, 'pinned', false, 'stream', m.stream_state, 'attachments', '[]'::jsonb,
        'created_at', to_char(m.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
        'edited_at', to_char(m.edited_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
        'deleted_at', to_char(m.deleted_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
        'audience', m.audience, 'sources', case when m.deleted_at is null then m.sources else '[]'::jsonb end)),
      m.created_at
    from messages m join members a on a.id = m.author_id
    on conflict do nothing
  `.execute(db);
}
