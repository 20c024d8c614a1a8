import { useCallback, useRef, useState } from 'react';
import { ChorusError, type FileView } from '@chorus/sdk';
import { useStore } from '../../app/workspace/provider.js';
import { errorMessage } from '../../components/errors.js';
import { formatSize } from './format.js';

/** A file picked for the next message: uploading, uploaded (pending on the server) or refused. */
export interface PendingFile {
  key: string;
  name: string;
  size: number;
  state: 'uploading' | 'ready' | 'failed';
  file?: FileView;
  error?: string;
}

export interface PendingFiles {
  items: PendingFile[];
  add(files: Iterable<File>): void;
  remove(key: string): void;
  /** The uploaded files, or null while one is still uploading. */
  ready(): FileView[] | null;
  clear(): void;
}

function uploadError(e: unknown, file: File): string {
  if (e instanceof ChorusError && (e.status === 413 || e.code === 'file_too_large')) return `${file.name} is too large to upload (${formatSize(file.size)}).`;
  return `${file.name} could not be uploaded: ${errorMessage(e)}`;
}

/**
 * The composer's attachments: each file is uploaded as soon as it is picked or dropped (it stays
 * pending, visible only to you), and the next send attaches the uploaded ones.
 */
export function usePendingFiles(channelId: string): PendingFiles {
  const store = useStore();
  const [items, setItems] = useState<PendingFile[]>([]);
  const latest = useRef(items);
  latest.current = items;
  const update = (key: string, patch: Partial<PendingFile>) => { setItems((list) => list.map((p) => (p.key === key ? { ...p, ...patch } : p))); };

  const add = useCallback((files: Iterable<File>) => {
    for (const file of files) {
      const key = crypto.randomUUID();
      setItems((list) => [...list, { key, name: file.name, size: file.size, state: 'uploading' }]);
      store.rest.uploadFile(channelId, file, file.name).then(
        ({ file: view }) => { update(key, { state: 'ready', file: view }); },
        (e: unknown) => { update(key, { state: 'failed', error: uploadError(e, file) }); },
      );
    }
  }, [store, channelId]);

  const remove = useCallback((key: string) => {
    const item = latest.current.find((p) => p.key === key);
    // A pending upload nobody attaches is collected by the server anyway; deleting it now frees it sooner.
    if (item?.file) store.rest.deleteFile(item.file.id).catch(() => undefined);
    setItems((list) => list.filter((p) => p.key !== key));
  }, [store]);

  const ready = useCallback(() => {
    const list = latest.current;
    if (list.some((p) => p.state === 'uploading')) return null;
    return list.flatMap((p) => (p.file ? [p.file] : []));
  }, []);

  const clear = useCallback(() => { setItems([]); }, []);
  return { items, add, remove, ready, clear };
}
