import { sql, type Kysely } from 'kysely';

/**
 * Agent commands and built-in agents. A task created by `/name args` stores
 * the command it was asked with. A built-in agent is an ordinary agent member
 * that the server's agent host runs: its row keeps the kind, the non-secret
 * configuration (an LLM agent names the environment variable holding its API
 * key, never the key) and the agent token the host connects with.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table tasks
      add column command text,
      add column command_args text;

    create table builtin_agents (
      agent_id uuid primary key references members(id) on delete cascade,
      org_id uuid not null references orgs(id) on delete cascade,
      kind text not null check (kind in ('digest', 'llm')),
      config jsonb not null default '{}',
      -- Kept as-is, like an outgoing webhook's signing secret: the host must present it (see SECURITY.md).
      token_secret text not null,
      token_id uuid not null references agent_tokens(id) on delete cascade,
      created_by uuid not null references members(id),
      created_at timestamptz not null default now()
    );
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    drop table builtin_agents;
    alter table tasks drop column command, drop column command_args;
  `.execute(db);
}
