import { sql, type Kysely } from 'kysely';

/** Tasks and task tokens, the channel rules for agents, message audience and sources, and the audit chain. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    -- The rules people set for what agents read here (DESIGN §2.1).
    alter table channels
      add column agent_access text not null default 'full' check (agent_access in ('full', 'mentions_only')),
      add column agent_history_days integer check (agent_history_days between 1 and 36500),
      add column reasoning_visibility text not null default 'members' check (reasoning_visibility in ('members', 'moderators', 'sponsor_only')),
      add column agents_see_reasoning boolean not null default false,
      -- bumped by every membership change: the key of the cached reader set (the audience rule)
      add column members_epoch bigint not null default 0;

    alter table messages
      add column audience text not null default 'all' check (audience in ('all', 'humans')),
      -- what an agent's message drew on: [{ "type": "message", "id": … }]
      add column sources jsonb not null default '[]'::jsonb,
      add column task_id uuid;

    create table tasks (
      id uuid primary key default gen_random_uuid(),
      org_id uuid not null references orgs(id) on delete cascade,
      channel_id uuid not null references channels(id) on delete cascade,
      agent_id uuid not null references members(id),
      requester_id uuid not null references members(id),
      request_message_id uuid references messages(id),
      thread_root_id uuid references messages(id),
      origin text not null check (origin in ('mention', 'assignment', 'command')),
      status text not null default 'queued' check (status in ('queued', 'running', 'done', 'failed', 'rejected')),
      attempts integer not null default 0,
      max_attempts integer not null default 3,
      lease_expires_at timestamptz,
      result_message_id uuid references messages(id),
      failure_reason text,
      created_at timestamptz not null default now(),
      claimed_at timestamptz,
      finished_at timestamptz,
      updated_at timestamptz not null default now()
    );
    create index tasks_agent_idx on tasks (agent_id, status, created_at);
    create index tasks_channel_idx on tasks (channel_id, created_at);
    create index tasks_lease_idx on tasks (lease_expires_at) where status = 'running';
    create unique index tasks_request_agent_key on tasks (request_message_id, agent_id) where request_message_id is not null;
    alter table messages add constraint messages_task_fk foreign key (task_id) references tasks(id) on delete set null;

    create table task_interventions (
      id uuid primary key default gen_random_uuid(),
      task_id uuid not null references tasks(id) on delete cascade,
      member_id uuid not null references members(id),
      kind text not null check (kind in ('reject', 'redo', 'edit')),
      reason text,
      created_at timestamptz not null default now()
    );
    create index task_interventions_task_idx on task_interventions (task_id);

    -- Short-lived credentials that confine an agent to one task's channel (and thread).
    create table task_tokens (
      id uuid primary key default gen_random_uuid(),
      task_id uuid not null references tasks(id) on delete cascade,
      agent_id uuid not null references members(id) on delete cascade,
      channel_id uuid not null references channels(id) on delete cascade,
      token_hash text not null unique,
      scopes text[] not null,
      created_at timestamptz not null default now(),
      expires_at timestamptz not null,
      revoked_at timestamptz
    );
    create index task_tokens_task_idx on task_tokens (task_id);

    -- The audit log: one hash chain per org. Each event stores the previous event's hash.
    create table audit_events (
      org_id uuid not null references orgs(id) on delete cascade,
      seq bigint not null,
      actor_id uuid,
      actor_kind text,
      action text not null,
      target_type text,
      target_id text,
      channel_id uuid,
      items jsonb not null default '[]'::jsonb,
      decision text not null check (decision in ('allow', 'deny')),
      reason text,
      details jsonb,
      created_at timestamptz not null,
      prev_hash text not null,
      hash text not null,
      primary key (org_id, seq)
    );
    create index audit_events_actor_idx on audit_events (org_id, actor_id, seq);
    create index audit_events_channel_idx on audit_events (org_id, channel_id, seq);
    create index audit_events_action_idx on audit_events (org_id, action, seq);
    create table audit_heads (
      org_id uuid primary key references orgs(id) on delete cascade,
      seq bigint not null,
      hash text not null
    );
    -- Append-only: nothing in the product can change or remove an audit event.
    create function audit_events_append_only() returns trigger language plpgsql as $$
      begin raise exception 'audit events are append-only'; end
    $$;
    create trigger audit_events_append_only before update or delete on audit_events
      for each row execute function audit_events_append_only();
  `.execute(db);
}
