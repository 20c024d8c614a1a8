import path from 'node:path';
import type { Readable } from 'node:stream';
import type { FilesConfig } from '../config.js';
import { stage } from '../files/staging.js';
import { openFileStore } from '../files/storage.js';
import type { BlobStore } from './archive.js';

/**
 * The files domain's store (local disk or S3, per the configuration) as an
 * archive's {@link BlobStore}: export reads a file's bytes by its storage key,
 * import stages them and stores them under the same key.
 */
export function fileBlobs(config: FilesConfig): BlobStore & { close(): void } {
  const store = openFileStore(config);
  const staging = path.join(config.dir, '.staging');
  return {
    read: (key) => store.get(key),
    async write(key, data) {
      const staged = await stage(data as Readable, staging, Number.MAX_SAFE_INTEGER);
      await store.put(key, staged.path, staged.size, 'application/octet-stream');
    },
    close: () => { store.close(); },
  };
}
