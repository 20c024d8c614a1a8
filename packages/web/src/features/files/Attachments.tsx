import { useEffect, useState, type MouseEvent, type ReactNode } from 'react';
import type { FileView, MessageView } from '@chorus/sdk';
import { useStore } from '../../app/workspace/provider.js';
import { formatSize } from './format.js';
import './files.css';

type Variant = 'original' | 'preview';

/** A same-origin path to a file's bytes; links expire, so it is fetched when shown and again on click. */
function useFileLink(fileId: string, variant: Variant): string | null {
  const store = useStore();
  const [path, setPath] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    store.rest.fileLink(fileId, variant).then((link) => { if (live) setPath(link.path); }, () => undefined);
    return () => { live = false; };
  }, [store, fileId, variant]);
  return path;
}

function FileAnchor({ file, className, children }: { file: FileView; className: string; children: ReactNode }) {
  const store = useStore();
  const href = useFileLink(file.id, 'original');
  const image = file.preview;
  const open = (e: MouseEvent<HTMLAnchorElement>) => {
    if (e.ctrlKey || e.metaKey || e.shiftKey) return;
    e.preventDefault();
    // A fresh link: the one fetched at render may have expired.
    const tab = image ? window.open('', '_blank') : null;
    store.rest.fileLink(file.id, 'original').then((link) => {
      if (tab) { tab.opener = null; tab.location.href = link.path; } else window.location.assign(link.path);
    }, () => { tab?.close(); });
  };
  return (
    <a className={className} href={href ?? undefined} target={image ? '_blank' : undefined} rel="noopener noreferrer" download={image ? undefined : file.name} onClick={open}>
      {children}
    </a>
  );
}

function Thumbnail({ file }: { file: FileView }) {
  const src = useFileLink(file.id, 'preview');
  const size = file.width && file.height ? { width: Math.min(file.width, 240), height: Math.round(Math.min(file.width, 240) * file.height / file.width) } : {};
  return (
    <FileAnchor file={file} className="attachment-image">
      {src ? <img src={src} alt={file.name} {...size} /> : <span className="attachment-placeholder" style={size}>{file.name}</span>}
    </FileAnchor>
  );
}

/**
 * A message's files: images as thumbnails opening the original, everything else as a download link.
 * Wherever a message is shown — the channel, a thread, the pins panel, a search hit (which carries them too).
 */
export function Attachments({ message }: { message: Pick<MessageView, 'attachments'> }) {
  if (message.attachments.length === 0) return null;
  return (
    <ul className="attachments" aria-label="Attachments">
      {message.attachments.map((f) => (
        <li key={f.id}>
          {f.preview ? <Thumbnail file={f} /> : (
            <FileAnchor file={f} className="attachment-file">
              <span className="attachment-name">{f.name}</span> <span className="muted">{formatSize(f.size)}</span>
            </FileAnchor>
          )}
        </li>
      ))}
    </ul>
  );
}
