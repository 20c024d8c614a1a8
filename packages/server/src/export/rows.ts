import { sql, type RawBuilder } from 'kysely';
import type { Db, Trx } from '../db/database.js';

/**
 * Rows as PostgreSQL renders them in JSON (`to_jsonb`): every column, every
 * type (timestamps to the microsecond, arrays, jsonb) in a form that
 * `jsonb_populate_recordset` reads back exactly. Generated columns (search
 * vectors) are left out: the database recomputes them.
 */

export interface Columns {
  /** Columns an insert writes, in table order. */
  writable: string[];
  /** Generated columns, recomputed by the database. */
  generated: string[];
}

export async function columnsOf(db: Db | Trx, table: string): Promise<Columns> {
  const rows = await sql<{ column_name: string; is_generated: string }>`
    select column_name, is_generated from information_schema.columns
    where table_schema = current_schema() and table_name = ${table}
    order by ordinal_position
  `.execute(db);
  if (rows.rows.length === 0) throw new Error(`No table ${table} in this database.`);
  return {
    writable: rows.rows.filter((r) => r.is_generated === 'NEVER').map((r) => r.column_name),
    generated: rows.rows.filter((r) => r.is_generated !== 'NEVER').map((r) => r.column_name),
  };
}

export interface RowQuery {
  table: string;
  where: RawBuilder<unknown>;
  order: string[];
}

/** How many rows the query selects. */
export async function countRows(db: Db | Trx, q: RowQuery): Promise<number> {
  const row = await sql<{ n: string }>`select count(*) as n from ${sql.table(q.table)} t where ${q.where}`.execute(db);
  return Number(row.rows[0]?.n ?? 0);
}

/**
 * The rows, one JSON text each, in pages. Run it in a repeatable-read
 * transaction with `timezone = UTC`: the pages then see one snapshot, and
 * timestamps read the same from any server.
 */
export async function* jsonRows(trx: Trx, q: RowQuery, columns: Columns, pageSize = 2000): AsyncGenerator<string> {
  const without = columns.generated.length > 0 ? sql` - ${sql.val(columns.generated)}::text[]` : sql``;
  const order = sql.join(q.order.map((c) => sql`t.${sql.ref(c)} nulls first`));
  for (let offset = 0; ; offset += pageSize) {
    const page = await sql<{ row: string }>`
      select (to_jsonb(t)${without})::text as row from ${sql.table(q.table)} t
      where ${q.where} order by ${order} limit ${pageSize} offset ${offset}
    `.execute(trx);
    for (const r of page.rows) yield r.row;
    if (page.rows.length < pageSize) return;
  }
}

/** Inserts rows given as JSON objects, writing `nulled` columns as null (set later). */
export async function insertJsonRows(trx: Trx, table: string, columns: Columns, rows: unknown[], nulled: string[] = []): Promise<void> {
  if (rows.length === 0) return;
  const list = sql.join(columns.writable.map((c) => sql.ref(c)));
  const values = sql.join(columns.writable.map((c) => (nulled.includes(c) ? sql`null` : sql`r.${sql.ref(c)}`)));
  await sql`
    insert into ${sql.table(table)} (${list})
    select ${values} from jsonb_populate_recordset(null::${sql.table(table)}, ${JSON.stringify(rows)}::jsonb) r
  `.execute(trx);
}
