import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AppError } from '../http/errors.js';

/** An upload written to the staging area: where, how big, its SHA-256. */
export interface Staged {
  path: string;
  size: number;
  sha256: string;
}

export const tooLarge = (maxBytes: number) =>
  new AppError(413, 'file_too_large', `The file is larger than this server accepts (${maxBytes} bytes at most; CHORUS_FILES_MAX_BYTES).`, { max_bytes: maxBytes });

/**
 * Streams an upload to a file in `dir`, counting and hashing as it goes: the
 * body is never held in memory whole. Past `maxBytes` nothing more is written;
 * the rest of the body is read and dropped (cutting the socket would keep the
 * 413 from reaching the client), the partial file removed, and the upload
 * refused with 413. (Routes refuse a declared Content-Length over the limit
 * before reading anything.)
 */
export async function stage(body: Readable, dir: string, maxBytes: number): Promise<Staged> {
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, `${randomUUID()}.part`);
  const hash = createHash('sha256');
  let size = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      size += chunk.length;
      if (size > maxBytes) {
        done();
        return;
      }
      hash.update(chunk);
      done(null, chunk);
    },
  });
  try {
    await pipeline(body, meter, createWriteStream(file));
  } catch (error) {
    await rm(file, { force: true });
    throw error;
  }
  if (size > maxBytes) {
    await rm(file, { force: true });
    throw tooLarge(maxBytes);
  }
  return { path: file, size, sha256: hash.digest('hex') };
}
