import { createReadStream } from 'node:fs';
import { mkdir, rename, rm, stat, copyFile } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import type { FilesConfig, S3Config } from '../config.js';

/**
 * Where file bytes live: one interface, the local disk or an S3-compatible
 * store. Keys are `<org_id>/<channel_id>/<file_id>` (and `….preview.webp` for a
 * thumbnail); the database row says which key holds what.
 *
 * @example
 *   await store.put('org/channel/file', '/tmp/staged', 1234, 'image/png');
 *   const bytes = await store.get('org/channel/file');
 */
export interface FileStore {
  readonly kind: 'local' | 's3';
  /** Moves (local) or uploads (S3) a staged file under `key`; the staged file is consumed. */
  put(key: string, stagedPath: string, size: number, contentType: string): Promise<void>;
  /** The bytes under `key`; a missing key rejects with {@link MissingObject}. */
  get(key: string): Promise<Readable>;
  /** Removes `key`; removing a missing key is not an error. */
  delete(key: string): Promise<void>;
  /** Releases the client (S3); nothing for the disk. */
  close(): void;
}

export class MissingObject extends Error {
  constructor(key: string) {
    super(`no object under ${key}`);
    this.name = 'MissingObject';
  }
}

/** Keys are built by files/service.ts from uuids; this guards the disk store against any other shape. */
const keyShape = /^[0-9a-f-]{36}\/[0-9a-f-]{36}\/[0-9a-f-]{36}(\.preview\.webp)?$/;
function checked(key: string): string {
  if (!keyShape.test(key)) throw new Error(`unexpected file key ${key}`);
  return key;
}

/** Files under a directory, one per key (the data dir's `files/` by default). */
export class LocalStore implements FileStore {
  readonly kind = 'local';
  constructor(private readonly dir: string) {}

  private pathOf(key: string): string {
    return path.join(this.dir, ...checked(key).split('/'));
  }

  async put(key: string, stagedPath: string): Promise<void> {
    const target = this.pathOf(key);
    await mkdir(path.dirname(target), { recursive: true });
    try {
      await rename(stagedPath, target);
    } catch (error) {
      // A staging area on another file system: copy, then drop the staged file.
      if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
      await copyFile(stagedPath, target);
      await rm(stagedPath, { force: true });
    }
  }

  async get(key: string): Promise<Readable> {
    const file = this.pathOf(key);
    try {
      await stat(file);
    } catch {
      throw new MissingObject(key);
    }
    return createReadStream(file);
  }

  async delete(key: string): Promise<void> {
    await rm(this.pathOf(key), { force: true });
  }

  close(): void {}
}

/** An S3-compatible bucket through the AWS SDK v3. */
export class S3Store implements FileStore {
  readonly kind = 's3';
  private readonly client: S3Client;
  constructor(private readonly config: S3Config) {
    const options: S3ClientConfig = {
      endpoint: config.endpoint,
      region: config.region,
      forcePathStyle: config.forcePathStyle,
      // Many S3-compatible stores do not understand the SDK's newer checksum trailers (see README, CHORUS_S3_CHECKSUMS).
      requestChecksumCalculation: config.checksums === 'when_required' ? 'WHEN_REQUIRED' : 'WHEN_SUPPORTED',
      responseChecksumValidation: config.checksums === 'when_required' ? 'WHEN_REQUIRED' : 'WHEN_SUPPORTED',
      ...(config.accessKeyId && config.secretAccessKey ? { credentials: { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey } } : {}),
    };
    this.client = new S3Client(options);
  }

  async put(key: string, stagedPath: string, size: number, contentType: string): Promise<void> {
    try {
      await this.client.send(
        new PutObjectCommand({ Bucket: this.config.bucket, Key: checked(key), Body: createReadStream(stagedPath), ContentLength: size, ContentType: contentType }),
      );
    } finally {
      await rm(stagedPath, { force: true });
    }
  }

  async get(key: string): Promise<Readable> {
    try {
      const object = await this.client.send(new GetObjectCommand({ Bucket: this.config.bucket, Key: checked(key) }));
      // In Node the SDK's body is an http.IncomingMessage, a Readable.
      return object.Body as Readable;
    } catch (error) {
      if ((error as { name?: string }).name === 'NoSuchKey') throw new MissingObject(key);
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.config.bucket, Key: checked(key) }));
  }

  close(): void {
    this.client.destroy();
  }
}

/** The store the configuration names: S3 when `CHORUS_S3_ENDPOINT` is set, the local disk otherwise. */
export function openFileStore(config: FilesConfig): FileStore {
  return config.s3 ? new S3Store(config.s3) : new LocalStore(config.dir);
}

/** Reads a file's bytes whole: for small files and tests (downloads stream). */
export async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}
