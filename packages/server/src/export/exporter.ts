import path from 'node:path';
import { sql } from 'kysely';
import { appendAudit } from '../audit/chain.js';
import type { Db } from '../db/database.js';
import { migrations } from '../db/migrations/index.js';
import { ArchiveWriter, archiveFormat, archiveVersion, type BlobEntry, type BlobStore, type EntityEntry, type Manifest } from './archive.js';
import { entities, notCarried, type Entity, type Scope } from './entities.js';
import { columnsOf, countRows, jsonRows } from './rows.js';

/** The lines as they are, noting the keys of the blobs their rows own (for entities that own blobs). */
async function* withBlobKeys(lines: AsyncIterable<string>, entity: Entity, keys: string[]): AsyncGenerator<string> {
  for await (const line of lines) {
    if (entity.blobs) keys.push(...entity.blobs(JSON.parse(line) as Record<string, unknown>));
    yield line;
  }
}

/** Where an export or import is: the entity at hand, rows done of its total. */
export interface Progress {
  entity: string;
  done: number;
  total: number;
  /** Rows done and total over the whole archive. */
  allDone: number;
  allTotal: number;
}

export class ScopeError extends Error {}

/** An org by id or slug (`--org acme`), and optionally one of its channels by id. */
export async function resolveScope(db: Db, org: string, channelId?: string): Promise<Scope> {
  const isUuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(org);
  const row = await db.selectFrom('orgs').select('id').where(isUuid ? 'id' : 'slug', '=', org).executeTakeFirst();
  if (!row) throw new ScopeError(`No org ${org} in this database.`);
  if (channelId === undefined) return { kind: 'org', orgId: row.id };
  const channel = await db.selectFrom('channels').select('id').where('id', '=', channelId).where('org_id', '=', row.id).executeTakeFirst();
  if (!channel) throw new ScopeError(`No channel ${channelId} in org ${org}.`);
  return { kind: 'channel', orgId: row.id, channelId };
}

export const latestSchema = (): string => Object.keys(migrations).sort().at(-1) ?? '';

/** The last migration applied to this database (Kysely's migration table). */
async function schemaOf(db: Db): Promise<string> {
  const row = await sql<{ name: string }>`select name from kysely_migration order by name desc limit 1`.execute(db);
  return row.rows[0]?.name ?? '';
}

/**
 * Writes the scope to a .tar.gz archive at `out` (docs/BACKUP.md). Every table
 * is read in one repeatable-read snapshot, so the archive is consistent while
 * the server keeps running. The export is recorded in the org's audit log
 * after the snapshot (so it is not in the archive it describes).
 */
export async function exportArchive(db: Db, scope: Scope, out: string, onProgress?: (p: Progress) => void, blobStore?: BlobStore): Promise<Manifest> {
  const writer = await ArchiveWriter.open();
  const blobKeys: string[] = [];
  try {
    const written: EntityEntry[] = await db
      .transaction()
      .setIsolationLevel('repeatable read')
      .execute(async (trx) => {
        await sql`set local timezone = 'UTC'`.execute(trx);
        const queries = entities.map((e: Entity) => ({ entity: e, q: { table: e.table, where: e.where(scope), order: e.order } }));
        const totals: number[] = [];
        for (const { q } of queries) totals.push(await countRows(trx, q));
        const allTotal = totals.reduce((a, b) => a + b, 0);
        let allDone = 0;
        const result: EntityEntry[] = [];
        for (const [i, { entity, q }] of queries.entries()) {
          const total = totals[i] ?? 0;
          let done = 0;
          const columns = await columnsOf(trx, entity.table);
          result.push(
            await writer.writeEntity(entity.table, withBlobKeys(jsonRows(trx, q, columns), entity, blobKeys), () => {
              done += 1;
              allDone += 1;
              if (onProgress && (done % 500 === 0 || done === total)) onProgress({ entity: entity.table, done, total, allDone, allTotal });
            }),
          );
          if (total === 0) onProgress?.({ entity: entity.table, done: 0, total: 0, allDone, allTotal });
        }
        return result;
      });
    const blobs: BlobEntry[] = [];
    for (const key of blobKeys) {
      if (!blobStore) throw new Error(`Rows of this scope own blobs (${key}…): the export needs the file store.`);
      blobs.push(await writer.writeBlob(key, await blobStore.read(key)));
    }
    const manifest: Manifest = {
      format: archiveFormat,
      version: archiveVersion,
      created_at: new Date().toISOString(),
      schema: await schemaOf(db),
      scope: scope.kind === 'org' ? { kind: 'org', org_id: scope.orgId } : { kind: 'channel', org_id: scope.orgId, channel_id: scope.channelId },
      entities: written,
      blobs,
      not_carried: notCarried,
    };
    await writer.finish(manifest, out);
    await db.transaction().execute((trx) =>
      appendAudit(trx, scope.orgId, [
        {
          actorId: null,
          actorKind: 'system',
          action: 'archive.exported',
          channelId: scope.kind === 'channel' ? scope.channelId : null,
          decision: 'allow',
          details: { file: path.basename(out), scope: manifest.scope, counts: Object.fromEntries(written.map((e) => [e.name, e.count])) },
        },
      ]),
    );
    return manifest;
  } finally {
    await writer.close();
  }
}
