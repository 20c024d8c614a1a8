import { sql, type Kysely } from 'kysely';

/**
 * Pins and channel docs (DESIGN §1, collective knowledge).
 *
 * - `pins`: one row per pinned message. Retention policies keep a message that
 *   has a row here (`not exists (select 1 from pins where message_id = messages.id)`).
 * - `channel_docs` + `channel_doc_revisions`: a doc's current state and every
 *   revision with its author. `search` is the doc's full-text vector (config
 *   `english`: title weighted A, body B) with a GIN index, for ranking and search.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table pins (
      message_id uuid primary key references messages(id) on delete cascade,
      org_id uuid not null references orgs(id) on delete cascade,
      channel_id uuid not null references channels(id) on delete cascade,
      pinned_by uuid not null references members(id),
      note text check (char_length(note) <= 500),
      -- the seq of its pin.added event: pin order, newest first
      seq bigint not null,
      pinned_at timestamptz not null default now()
    );
    create index pins_channel_idx on pins (channel_id, seq desc);

    create table channel_docs (
      id uuid primary key default gen_random_uuid(),
      org_id uuid not null references orgs(id) on delete cascade,
      channel_id uuid not null references channels(id) on delete cascade,
      title text not null check (char_length(title) between 1 and 200),
      body text not null check (char_length(body) <= 100000),
      revision integer not null default 1,
      -- the channel's guide for agents: it leads every context bundle there (at most one per channel)
      agent_guide boolean not null default false,
      created_by uuid not null references members(id),
      created_at timestamptz not null default now(),
      updated_by uuid not null references members(id),
      updated_at timestamptz not null default now(),
      archived_at timestamptz,
      archived_by uuid references members(id),
      search tsvector generated always as (
        setweight(to_tsvector('english', title), 'A') || setweight(to_tsvector('english', body), 'B')
      ) stored
    );
    create index channel_docs_channel_idx on channel_docs (channel_id, updated_at desc);
    create unique index channel_docs_guide_key on channel_docs (channel_id) where agent_guide;
    create index channel_docs_search_idx on channel_docs using gin (search);

    create table channel_doc_revisions (
      doc_id uuid not null references channel_docs(id) on delete cascade,
      revision integer not null,
      title text not null,
      body text not null,
      author_id uuid not null references members(id),
      -- set when this revision restored an older one
      restored_from integer,
      created_at timestamptz not null default now(),
      primary key (doc_id, revision)
    );
  `.execute(db);
}
