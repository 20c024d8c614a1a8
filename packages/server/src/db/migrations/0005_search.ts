import { sql, type Kysely } from 'kysely';

/**
 * Full-text search over messages (search/): a stored tsvector of each
 * message's current body and a GIN index on it.
 *
 * - Stored, not an expression index: ranking (`ts_rank`) and the index
 *   recheck read the vector of every match, and a channel may hold 100,000+
 *   messages; recomputing `to_tsvector(body)` per match would parse each body
 *   again on every search. Edits change the vector with the body; a deletion
 *   empties the body, so a deleted message has no lexemes left.
 * - Config `english` (stemming: "deploying" finds "deploy"; stop words are not
 *   indexed), the one every searchable table uses so that one query means the
 *   same everywhere (see search/query.ts). Weight `B`: the body weight of the
 *   docs and experience vectors ("title A, body B"), so ranks compare across kinds.
 * - Adding a stored generated column rewrites the table once, under an
 *   exclusive lock: on a large existing deployment this migration takes a while.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table messages
      add column search_tsv tsvector generated always as (setweight(to_tsvector('english'::regconfig, body), 'B')) stored;
    create index messages_search_idx on messages using gin (search_tsv);
  `.execute(db);
}
