import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { finished } from 'node:stream/promises';
import * as tar from 'tar';
import type { Scope } from './entities.js';

/**
 * The archive on disk: a gzipped tar of one directory, `chorus-archive/`, with
 * `manifest.json` and `data/<table>.jsonl` (one JSON object a line), so that
 * `tar xzf` and any JSON tool read it without Chorus. Blobs (files, once
 * attachments exist) go under `blobs/`.
 */

export const archiveFormat = 'chorus-archive';
export const archiveVersion = 1;
const root = 'chorus-archive';

export interface EntityEntry {
  name: string;
  file: string;
  count: number;
  /** SHA-256 of the file's bytes. */
  sha256: string;
}

/** A blob a carried row owns (a file's bytes), stored under `blobs/`. */
export interface BlobEntry {
  key: string;
  file: string;
  size: number;
  sha256: string;
}

/** Where the blobs of carried rows live: the file store (local disk or S3), once attachments exist. */
export interface BlobStore {
  read(key: string): Promise<NodeJS.ReadableStream>;
  write(key: string, data: NodeJS.ReadableStream): Promise<void>;
}

export interface Manifest {
  format: typeof archiveFormat;
  version: number;
  created_at: string;
  /** The last migration of the database it came from: an import needs a schema at least as new. */
  schema: string;
  scope: { kind: 'org'; org_id: string } | { kind: 'channel'; org_id: string; channel_id: string };
  entities: EntityEntry[];
  blobs: BlobEntry[];
  /** Tables intentionally not carried, and why. */
  not_carried: Record<string, string>;
}

export function scopeOfManifest(m: Manifest): Scope {
  return m.scope.kind === 'org' ? { kind: 'org', orgId: m.scope.org_id } : { kind: 'channel', orgId: m.scope.org_id, channelId: m.scope.channel_id };
}

/** A directory being filled, packed into the archive at the end. */
export class ArchiveWriter {
  private constructor(readonly dir: string) {}

  static async open(): Promise<ArchiveWriter> {
    const dir = await mkdtemp(path.join(tmpdir(), 'chorus-export-'));
    await mkdir(path.join(dir, root, 'data'), { recursive: true });
    await mkdir(path.join(dir, root, 'blobs'), { recursive: true });
    return new ArchiveWriter(dir);
  }

  /** Copies one blob into the archive, hashing it on the way. */
  async writeBlob(key: string, data: NodeJS.ReadableStream): Promise<BlobEntry> {
    const file = `blobs/${encodeURIComponent(key)}`;
    const hash = createHash('sha256');
    let size = 0;
    const stream = createWriteStream(path.join(this.dir, root, file));
    for await (const chunk of data) {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      hash.update(bytes);
      size += bytes.length;
      if (!stream.write(bytes)) await once(stream, 'drain');
    }
    stream.end();
    await finished(stream);
    return { key, file, size, sha256: hash.digest('hex') };
  }

  /** Writes one entity's lines; returns its manifest entry. */
  async writeEntity(name: string, lines: AsyncIterable<string>, onLine?: () => void): Promise<EntityEntry> {
    const file = `data/${name}.jsonl`;
    const hash = createHash('sha256');
    const stream = createWriteStream(path.join(this.dir, root, file));
    let count = 0;
    try {
      for await (const line of lines) {
        const text = `${line}\n`;
        hash.update(text);
        count += 1;
        onLine?.();
        if (!stream.write(text)) await once(stream, 'drain');
      }
    } finally {
      stream.end();
      await finished(stream);
    }
    return { name, file, count, sha256: hash.digest('hex') };
  }

  async finish(manifest: Manifest, out: string): Promise<void> {
    await writeFile(path.join(this.dir, root, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    await tar.create({ gzip: true, file: out, cwd: this.dir, portable: true }, [root]);
  }

  close(): Promise<void> {
    return rm(this.dir, { recursive: true, force: true });
  }
}

export class ArchiveError extends Error {}

/** An unpacked archive whose manifest and checksums have been checked. */
export class ArchiveReader {
  private constructor(
    private readonly dir: string,
    readonly manifest: Manifest,
  ) {}

  static async open(file: string): Promise<ArchiveReader> {
    const dir = await mkdtemp(path.join(tmpdir(), 'chorus-import-'));
    try {
      await tar.extract({ file, cwd: dir, strict: true }).catch((error: unknown) => {
        throw new ArchiveError(`${file} is not a readable .tar.gz archive (${error instanceof Error ? error.message : String(error)}).`);
      });
      const text = await readFile(path.join(dir, root, 'manifest.json'), 'utf8').catch(() => {
        throw new ArchiveError(`${file} has no ${root}/manifest.json: it is not a Chorus archive.`);
      });
      const manifest = JSON.parse(text) as Manifest;
      if (manifest.format !== archiveFormat) throw new ArchiveError(`${file} is not a Chorus archive (format ${String(manifest.format)}).`);
      if (manifest.version !== archiveVersion) throw new ArchiveError(`${file} has archive format version ${manifest.version}; this Chorus reads version ${archiveVersion}.`);
      const reader = new ArchiveReader(dir, manifest);
      for (const e of [...manifest.entities, ...manifest.blobs]) {
        const bytes = await readFile(reader.pathOf(e)).catch(() => {
          throw new ArchiveError(`${file} lacks ${e.file}, listed in its manifest.`);
        });
        if (createHash('sha256').update(bytes).digest('hex') !== e.sha256) throw new ArchiveError(`${e.file} does not match its checksum in the manifest: the archive is damaged.`);
      }
      return reader;
    } catch (error) {
      await rm(dir, { recursive: true, force: true });
      throw error;
    }
  }

  /** A blob's bytes, by its key. */
  blob(key: string): NodeJS.ReadableStream {
    const entry = this.manifest.blobs.find((b) => b.key === key);
    if (!entry) throw new ArchiveError(`The archive has no blob ${key}, which one of its rows names.`);
    return createReadStream(this.pathOf(entry));
  }

  private pathOf(e: { file: string }): string {
    const resolved = path.resolve(this.dir, root, e.file);
    if (!resolved.startsWith(path.resolve(this.dir, root) + path.sep)) throw new ArchiveError(`${e.file} points outside the archive.`);
    return resolved;
  }

  /** The entity's rows, parsed, in file order. */
  async *rows(e: EntityEntry): AsyncGenerator<Record<string, unknown>> {
    const lines = createInterface({ input: createReadStream(this.pathOf(e)), crlfDelay: Infinity });
    for await (const line of lines) if (line.length > 0) yield JSON.parse(line) as Record<string, unknown>;
  }

  close(): Promise<void> {
    return rm(this.dir, { recursive: true, force: true });
  }
}
