import { sql } from 'kysely';
import { appendAudit, verifyChain, type Verification } from '../audit/chain.js';
import type { Db, Trx } from '../db/database.js';
import type { Database } from '../db/schema.js';
import { ArchiveError, ArchiveReader, type BlobStore, type Manifest } from './archive.js';
import { entities, type Entity } from './entities.js';
import type { Progress } from './exporter.js';
import { latestSchema } from './exporter.js';
import { columnsOf, insertJsonRows } from './rows.js';

/** The target already holds data: an archive is restored only into an empty instance. */
export class NotEmptyError extends Error {}

export interface ImportResult {
  manifest: Manifest;
  counts: Record<string, number>;
  /** References a channel archive carries to rows outside it (the org's default channel, say), left null. */
  dropped_references: number;
  /** The org's audit chain after the import (org archives; a channel archive holds a record of events, not a chain). */
  audit: Verification | null;
}

async function assertEmpty(db: Db): Promise<void> {
  const row = await sql<{ orgs: boolean; users: boolean }>`select exists (select 1 from orgs) as orgs, exists (select 1 from users) as users`.execute(db);
  const found = row.rows[0];
  if (found?.orgs || found?.users) {
    throw new NotEmptyError('The target database already holds orgs or users: an archive is imported only into an empty Chorus instance (a fresh database, migrated).');
  }
}

const chunkSize = 1000;

/**
 * Restores an archive into an empty instance, in one transaction: either all
 * of it is in, or nothing. Ids, seqs, timestamps and the audit chain's hashes
 * are kept as they were, so the chain verifies as it did at the source; an org
 * import then appends `archive.imported` to it.
 */
export async function importArchive(db: Db, file: string, onProgress?: (p: Progress) => void, blobStore?: BlobStore): Promise<ImportResult> {
  const archive = await ArchiveReader.open(file);
  try {
    const m = archive.manifest;
    if (m.schema > latestSchema()) throw new ArchiveError(`The archive comes from a newer Chorus (schema ${m.schema}); this one knows up to ${latestSchema()}. Upgrade first.`);
    const known = new Map<string, Entity>(entities.map((e) => [e.table, e]));
    for (const e of m.entities) if (!known.has(e.name)) throw new ArchiveError(`The archive holds ${e.name}, which this Chorus does not know how to import.`);
    if (m.blobs.length > 0 && !blobStore) throw new ArchiveError(`The archive holds ${m.blobs.length} blobs: the import needs the file store.`);
    await assertEmpty(db);
    const allTotal = m.entities.reduce((a, e) => a + e.count, 0);
    let allDone = 0;
    const counts: Record<string, number> = {};
    const result = await db.transaction().execute(async (trx) => {
      await sql`set local timezone = 'UTC'`.execute(trx);
      const later: { entity: Entity; column: string; references: keyof Database; values: { id: string; value: string }[] }[] = [];
      // In the order of `entities` (what a row references is in first), whatever the manifest's order.
      for (const entity of entities as Entity[]) {
        const entry = m.entities.find((e) => e.name === entity.table);
        if (!entry) continue;
        const columns = await columnsOf(trx, entity.table);
        const deferred = entity.deferred ?? [];
        const pending = deferred.map((d) => ({ entity, column: d.column, references: d.references, values: [] as { id: string; value: string }[] }));
        let chunk: Record<string, unknown>[] = [];
        let done = 0;
        const flush = async () => {
          await insertJsonRows(trx, entity.table, columns, chunk, deferred.map((d) => d.column));
          done += chunk.length;
          allDone += chunk.length;
          chunk = [];
          onProgress?.({ entity: entity.table, done, total: entry.count, allDone, allTotal });
        };
        const rows = entity.selfReference ? referencedFirst(await collect(archive.rows(entry)), entity.selfReference) : archive.rows(entry);
        for await (const row of rows) {
          for (const p of pending) {
            const value = row[p.column];
            if (typeof value === 'string') p.values.push({ id: String(row.id), value });
          }
          // Blobs first: a failure after them rolls the rows back and leaves only unreferenced objects.
          if (entity.blobs && blobStore) for (const key of entity.blobs(row)) await blobStore.write(key, archive.blob(key));
          chunk.push(row);
          if (chunk.length >= chunkSize) await flush();
        }
        if (chunk.length > 0 || done === 0) await flush();
        if (done !== entry.count) throw new ArchiveError(`${entry.file} holds ${done} rows; its manifest says ${entry.count}.`);
        counts[entity.table] = done;
        later.push(...pending);
      }
      let dropped = 0;
      for (const d of later) dropped += await setDeferred(trx, d.entity.table, d.column, d.references, d.values);
      if (m.scope.kind === 'org') {
        await appendAudit(trx, m.scope.org_id, [
          { actorId: null, actorKind: 'system', action: 'archive.imported', decision: 'allow', details: { archive_created_at: m.created_at, schema: m.schema, counts } },
        ]);
      }
      return { dropped };
    });
    const audit = m.scope.kind === 'org' ? await verifyChain(db, m.scope.org_id) : null;
    return { manifest: m, counts, dropped_references: result.dropped, audit };
  } finally {
    await archive.close();
  }
}

async function collect<T>(rows: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const row of rows) out.push(row);
  return out;
}

/** The rows ordered so that a row comes after the row its `column` names (a depth-first walk; chains are short). */
function referencedFirst(rows: Record<string, unknown>[], column: string): Record<string, unknown>[] {
  const byId = new Map(rows.map((r) => [String(r.id), r]));
  const placed = new Set<string>();
  const out: Record<string, unknown>[] = [];
  const place = (row: Record<string, unknown>, depth: number) => {
    const id = String(row.id);
    if (placed.has(id) || depth > rows.length) return;
    const next = row[column];
    const target = typeof next === 'string' ? byId.get(next) : undefined;
    if (target) place(target, depth + 1);
    placed.add(id);
    out.push(row);
  };
  for (const row of rows) place(row, 0);
  return out;
}

/** Sets a deferred reference where the row it names is in; returns how many named a row that is not. */
async function setDeferred(trx: Trx, table: string, column: string, references: string, values: { id: string; value: string }[]): Promise<number> {
  let dropped = 0;
  for (let i = 0; i < values.length; i += chunkSize) {
    const part = values.slice(i, i + chunkSize);
    const set = await sql<{ id: string }>`
      update ${sql.table(table)} t set ${sql.ref(column)} = v.value
      from jsonb_to_recordset(${JSON.stringify(part)}::jsonb) as v(id uuid, value uuid)
      where t.id = v.id and exists (select 1 from ${sql.table(references)} x where x.id = v.value)
      returning t.id
    `.execute(trx);
    dropped += part.length - set.rows.length;
  }
  return dropped;
}
