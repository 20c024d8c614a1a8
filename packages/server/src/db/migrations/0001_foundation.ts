import { sql, type Kysely } from 'kysely';

/** Accounts, orgs, members (people and agents), channels, messages and the channel event log. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table users (
      id uuid primary key default gen_random_uuid(),
      email text not null,
      password_hash text not null,
      display_name text not null,
      created_at timestamptz not null default now()
    );
    create unique index users_email_key on users (lower(email));

    create table sessions (
      id uuid primary key default gen_random_uuid(),
      user_id uuid not null references users(id) on delete cascade,
      token_hash text not null unique,
      created_at timestamptz not null default now(),
      expires_at timestamptz not null,
      last_used_at timestamptz not null default now()
    );
    create index sessions_user_idx on sessions (user_id);

    create table orgs (
      id uuid primary key default gen_random_uuid(),
      name text not null,
      slug text not null,
      created_at timestamptz not null default now()
    );
    create unique index orgs_slug_key on orgs (lower(slug));

    create table members (
      id uuid primary key default gen_random_uuid(),
      org_id uuid not null references orgs(id) on delete cascade,
      kind text not null check (kind in ('human', 'agent')),
      user_id uuid references users(id),
      handle text not null,
      display_name text not null,
      role text not null check (role in ('owner', 'admin', 'member', 'guest')),
      status text not null check (status in ('active', 'deactivated', 'suspended', 'retired')),
      created_at timestamptz not null default now(),
      check ((kind = 'human') = (user_id is not null))
    );
    create unique index members_handle_key on members (org_id, lower(handle));
    create unique index members_user_key on members (org_id, user_id) where user_id is not null;
    create index members_user_idx on members (user_id);

    create table agents (
      member_id uuid primary key references members(id) on delete cascade,
      sponsor_id uuid not null references members(id),
      description text not null default '',
      card jsonb not null default '{}'::jsonb
    );
    create index agents_sponsor_idx on agents (sponsor_id);

    create table agent_tokens (
      id uuid primary key default gen_random_uuid(),
      agent_id uuid not null references agents(member_id) on delete cascade,
      name text not null,
      token_hash text not null unique,
      scopes text[] not null,
      created_by uuid not null references members(id),
      created_at timestamptz not null default now(),
      expires_at timestamptz,
      revoked_at timestamptz,
      last_used_at timestamptz
    );
    create index agent_tokens_agent_idx on agent_tokens (agent_id);

    create table invites (
      id uuid primary key default gen_random_uuid(),
      org_id uuid not null references orgs(id) on delete cascade,
      token_hash text not null unique,
      role text not null check (role in ('admin', 'member', 'guest')),
      created_by uuid not null references members(id),
      created_at timestamptz not null default now(),
      expires_at timestamptz not null,
      max_uses integer not null check (max_uses > 0),
      uses integer not null default 0,
      revoked_at timestamptz
    );
    create index invites_org_idx on invites (org_id);

    create table channels (
      id uuid primary key default gen_random_uuid(),
      org_id uuid not null references orgs(id) on delete cascade,
      kind text not null check (kind in ('public', 'private', 'dm', 'group_dm')),
      name text,
      topic text not null default '',
      dm_key text,
      created_by uuid not null references members(id),
      created_at timestamptz not null default now(),
      archived_at timestamptz,
      who_may_post text not null default 'members' check (who_may_post in ('members', 'moderators')),
      who_may_add_agents text not null default 'members' check (who_may_add_agents in ('members', 'moderators')),
      who_may_pin text not null default 'members' check (who_may_pin in ('members', 'moderators')),
      history_for_new_members text not null default 'all' check (history_for_new_members in ('all', 'since_join')),
      last_seq bigint not null default 0,
      check ((kind in ('public', 'private')) = (name is not null)),
      check ((kind in ('dm', 'group_dm')) = (dm_key is not null))
    );
    create unique index channels_name_key on channels (org_id, lower(name)) where name is not null;
    create unique index channels_dm_key on channels (org_id, dm_key) where dm_key is not null;
    create index channels_org_public_idx on channels (org_id) where kind = 'public';

    create table channel_members (
      channel_id uuid not null references channels(id) on delete cascade,
      member_id uuid not null references members(id) on delete cascade,
      role text not null check (role in ('owner', 'moderator', 'member', 'observer')),
      joined_at timestamptz not null default now(),
      -- the channel's seq when this member joined: the boundary for history_for_new_members = since_join
      joined_seq bigint not null,
      last_read_seq bigint not null default 0,
      primary key (channel_id, member_id)
    );

    -- the channel every new non-guest member joins (#general)
    alter table orgs add column default_channel_id uuid references channels(id) on delete set null;
    create index channel_members_member_idx on channel_members (member_id);

    create table messages (
      id uuid primary key default gen_random_uuid(),
      org_id uuid not null references orgs(id) on delete cascade,
      channel_id uuid not null references channels(id) on delete cascade,
      seq bigint not null,
      author_id uuid not null references members(id),
      kind text not null default 'chat' check (kind in ('chat', 'system', 'agent_reasoning', 'agent_tool')),
      body text not null,
      thread_root_id uuid references messages(id),
      reply_count integer not null default 0,
      last_reply_at timestamptz,
      reply_participants uuid[] not null default '{}',
      mentions_all boolean not null default false,
      mentions_here boolean not null default false,
      mentions_agents boolean not null default false,
      created_at timestamptz not null default now(),
      edited_at timestamptz,
      deleted_at timestamptz,
      unique (channel_id, seq)
    );
    create index messages_thread_idx on messages (thread_root_id, seq) where thread_root_id is not null;
    create index messages_author_idx on messages (author_id);

    create table message_mentions (
      message_id uuid not null references messages(id) on delete cascade,
      member_id uuid not null references members(id) on delete cascade,
      channel_id uuid not null,
      seq bigint not null,
      primary key (message_id, member_id)
    );
    create index message_mentions_member_idx on message_mentions (member_id, channel_id, seq);

    create table message_idempotency (
      author_id uuid not null references members(id) on delete cascade,
      client_msg_id text not null,
      -- deferred: a send claims its client_msg_id first, then writes the message it names
      message_id uuid not null references messages(id) on delete cascade deferrable initially deferred,
      created_at timestamptz not null default now(),
      primary key (author_id, client_msg_id)
    );

    create table reactions (
      message_id uuid not null references messages(id) on delete cascade,
      member_id uuid not null references members(id) on delete cascade,
      emoji text not null,
      created_at timestamptz not null default now(),
      primary key (message_id, emoji, member_id)
    );

    create table channel_events (
      channel_id uuid not null references channels(id) on delete cascade,
      seq bigint not null,
      type text not null,
      actor_id uuid,
      payload jsonb not null,
      created_at timestamptz not null default now(),
      primary key (channel_id, seq)
    );
  `.execute(db);
}
