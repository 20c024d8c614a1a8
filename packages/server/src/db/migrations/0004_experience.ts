import { sql, type Kysely } from 'kysely';

/**
 * Experience: distilled lessons with provenance, scope, a lifecycle and a
 * quality record (DESIGN §2.3), searchable through a generated tsvector.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    -- array_to_string is only stable; tags are plain text, so joining them is immutable here.
    create function experience_tags_text(tags text[]) returns text language sql immutable parallel safe as $$
      select coalesce(array_to_string(tags, ' '), '')
    $$;

    create table experience_entries (
      id uuid primary key default gen_random_uuid(),
      org_id uuid not null references orgs(id) on delete cascade,
      -- the origin channel: with the author, it owns the entry
      channel_id uuid not null references channels(id) on delete cascade,
      author_id uuid not null references members(id),
      title text not null,
      body text not null,
      tags text[] not null default '{}',
      -- provenance: [{ "type": "message" | "thread" | "doc", "id": …, "channel_id": … }]
      sources jsonb not null default '[]'::jsonb,
      -- 'humans' when a source was kept from agents: the entry never reaches an agent either
      audience text not null default 'all' check (audience in ('all', 'humans')),
      scope text not null default 'channel' check (scope in ('channel', 'org')),
      -- 'expired' is not stored: it is computed from expires_at at every read
      status text not null default 'active' check (status in ('active', 'deprecated', 'superseded')),
      superseded_by uuid references experience_entries(id),
      expires_at timestamptz,
      review_by timestamptz,
      confirmed_at timestamptz,
      -- the latest flag or unhelpful report: a poorly scored entry returns to review after it
      last_negative_at timestamptz,
      promoted_at timestamptz,
      promoted_by uuid references members(id),
      promotion_override boolean not null default false,
      use_count integer not null default 0,
      last_used_at timestamptz,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      search tsvector generated always as (
        setweight(to_tsvector('english', title), 'A') ||
        setweight(to_tsvector('english', experience_tags_text(tags)), 'B') ||
        setweight(to_tsvector('english', body), 'C')
      ) stored,
      check (status <> 'superseded' or superseded_by is not null)
    );
    create index experience_channel_idx on experience_entries (channel_id, created_at desc);
    create index experience_org_scope_idx on experience_entries (org_id, created_at desc) where scope = 'org';
    create index experience_search_idx on experience_entries using gin (search);

    -- People's endorsements and flags: one vote per person per entry, changeable.
    create table experience_votes (
      entry_id uuid not null references experience_entries(id) on delete cascade,
      member_id uuid not null references members(id),
      vote text not null check (vote in ('endorse', 'flag')),
      reason text,
      created_at timestamptz not null default now(),
      primary key (entry_id, member_id)
    );

    -- Agents' outcomes after using an entry in a task: one per task per entry.
    create table experience_reports (
      entry_id uuid not null references experience_entries(id) on delete cascade,
      task_id uuid not null references tasks(id) on delete cascade,
      agent_id uuid not null references members(id),
      outcome text not null check (outcome in ('helpful', 'unhelpful')),
      note text,
      created_at timestamptz not null default now(),
      primary key (entry_id, task_id)
    );
  `.execute(db);
}
