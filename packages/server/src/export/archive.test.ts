import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import * as tar from 'tar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArchiveError, ArchiveReader, ArchiveWriter, archiveFormat, type Manifest } from './archive.js';

/** The archive file itself: entities and blobs in, the same out, and damage found before anything is imported. */

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'chorus-archive-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));


async function write(file: string): Promise<Manifest> {
  const writer = await ArchiveWriter.open();
  try {
    const entity = await writer.writeEntity('things', Readable.from(['{"id":"a","n":1}', '{"id":"b","n":2}']));
    const blob = await writer.writeBlob('files/a b/report.pdf', Readable.from([Buffer.from('%PDF-1.7 '), Buffer.from('bytes')]));
    const manifest: Manifest = {
      format: archiveFormat,
      version: 1,
      created_at: new Date().toISOString(),
      schema: 'test',
      scope: { kind: 'org', org_id: 'x' },
      entities: [entity],
      blobs: [blob],
      not_carried: {},
    };
    await writer.finish(manifest, file);
    return manifest;
  } finally {
    await writer.close();
  }
}

describe('archive files', () => {
  it('carries rows and blobs, with counts and checksums', async () => {
    const file = path.join(dir, 'ok.tar.gz');
    const manifest = await write(file);
    expect(manifest.entities[0]).toMatchObject({ name: 'things', file: 'data/things.jsonl', count: 2 });
    expect(manifest.blobs[0]).toMatchObject({ key: 'files/a b/report.pdf', size: 14 });
    const reader = await ArchiveReader.open(file);
    try {
      const rows = [];
      for (const e of reader.manifest.entities) for await (const row of reader.rows(e)) rows.push(row);
      expect(rows).toEqual([{ id: 'a', n: 1 }, { id: 'b', n: 2 }]);
      expect(await text(Readable.from(reader.blob('files/a b/report.pdf')))).toBe('%PDF-1.7 bytes');
      expect(() => reader.blob('files/missing')).toThrow(ArchiveError);
    } finally {
      await reader.close();
    }
  });

  it('refuses an archive whose content does not match its manifest', async () => {
    const file = path.join(dir, 'damaged.tar.gz');
    await write(file);
    const unpacked = path.join(dir, 'unpacked');
    await rm(unpacked, { recursive: true, force: true });
    await import('node:fs/promises').then((fs) => fs.mkdir(unpacked));
    await tar.extract({ file, cwd: unpacked });
    await writeFile(path.join(unpacked, 'chorus-archive', 'data', 'things.jsonl'), '{"id":"a","n":1000}\n{"id":"b","n":2}\n');
    await tar.create({ gzip: true, file, cwd: unpacked }, ['chorus-archive']);
    await expect(ArchiveReader.open(file)).rejects.toThrow('does not match its checksum');
  });
});
