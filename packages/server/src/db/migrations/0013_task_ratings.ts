import { sql, type Kysely } from 'kysely';

/**
 * People's ratings of an agent's result (issue 7): one per person and task, a
 * score of 1 to 5 and an optional comment. A rating is replaced in place (PUT)
 * and removed by its author; a redo, which sends the result back to the agent,
 * removes the task's ratings with it. The index serves the work stats, which
 * count ratings by their tasks' agent.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table task_ratings (
      task_id uuid not null references tasks(id) on delete cascade,
      member_id uuid not null references members(id),
      score smallint not null check (score between 1 and 5),
      comment text check (char_length(comment) <= 1000),
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      primary key (task_id, member_id)
    );
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table task_ratings;`.execute(db);
}
