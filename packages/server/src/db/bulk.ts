import { sql, type RawBuilder } from 'kysely';

/** PostgreSQL element types a bulk insert passes as arrays (a fixed list: they are spliced into the statement's text). */
export type ElementType = 'uuid' | 'text' | 'bigint' | 'integer' | 'boolean' | 'jsonb' | 'timestamptz';

/**
 * Rows as one array parameter per column, for `insert … select * from
 * unnest(…)`: the statement's text and its parameter count stay the same
 * whatever the batch size, so PostgreSQL parses a short statement and binds a
 * handful of parameters instead of a `values` list that grows with the batch
 * (and Kysely builds no per-row tree). Values go through `pg`'s array
 * encoding: `null` stays null, booleans and dates become their text, objects
 * must be passed as JSON text. Array-valued columns cannot go this way
 * (`unnest` would flatten them).
 */
export function unnestRows<K extends string>(
  columns: Readonly<Record<K, ElementType>>,
  rows: readonly Readonly<Record<K, unknown>>[],
): { columns: K[]; rows: RawBuilder<Record<K, unknown>> } {
  const keys = Object.keys(columns) as K[];
  const arrays = keys.map((k) => sql`${rows.map((r) => r[k] ?? null)}::${sql.raw(columns[k])}[]`);
  return { columns: keys, rows: sql<Record<K, unknown>>`select * from unnest(${sql.join(arrays)})` };
}
