import { sql, type Kysely } from 'kysely';

/** Outgoing webhooks per agent (config and a durable delivery outbox) and incoming webhooks per channel. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    -- Where an agent's tasks are POSTed. The signing secret is kept as-is: the server needs it to sign
    -- (see docs/SECURITY.md, "Webhooks"); it authenticates nothing towards Chorus.
    create table agent_webhooks (
      agent_id uuid primary key references members(id) on delete cascade,
      url text not null,
      secret text not null,
      secret_rotated_at timestamptz not null default now(),
      created_by uuid not null references members(id),
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    );

    -- The outbox: written in the transaction that creates the task, sent by the delivery worker.
    create table webhook_deliveries (
      id uuid primary key default gen_random_uuid(),
      org_id uuid not null references orgs(id) on delete cascade,
      agent_id uuid not null references members(id) on delete cascade,
      event text not null,
      task_id uuid references tasks(id) on delete cascade,
      payload jsonb not null,
      status text not null default 'pending' check (status in ('pending', 'delivered', 'failed')),
      attempts integer not null default 0,
      next_attempt_at timestamptz not null default now(),
      last_attempt_at timestamptz,
      response_status integer,
      last_error text,
      duration_ms integer,
      delivered_at timestamptz,
      -- a manual redelivery is a new delivery of the same payload
      redelivery_of uuid references webhook_deliveries(id) on delete set null,
      created_at timestamptz not null default now()
    );
    create index webhook_deliveries_due_idx on webhook_deliveries (next_attempt_at) where status = 'pending';
    create index webhook_deliveries_agent_idx on webhook_deliveries (agent_id, created_at desc);

    -- A secret URL that posts into one channel as its integration member (an agent sponsored by the creator).
    create table incoming_webhooks (
      id uuid primary key default gen_random_uuid(),
      org_id uuid not null references orgs(id) on delete cascade,
      channel_id uuid not null references channels(id) on delete cascade,
      member_id uuid not null references members(id),
      name text not null,
      secret_hash text not null,
      created_by uuid not null references members(id),
      created_at timestamptz not null default now(),
      revoked_at timestamptz
    );
    create index incoming_webhooks_channel_idx on incoming_webhooks (channel_id, created_at);
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table incoming_webhooks; drop table webhook_deliveries; drop table agent_webhooks;`.execute(db);
}
