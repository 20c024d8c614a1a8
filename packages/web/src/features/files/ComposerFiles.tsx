import { useRef } from 'react';
import { formatSize } from './format.js';
import type { PendingFiles } from './pending.js';
import './files.css';

/** The paperclip: a button opening a hidden file input. */
export function AttachButton({ files }: { files: PendingFiles }) {
  const input = useRef<HTMLInputElement>(null);
  return (
    <>
      <button type="button" className="attach-button" aria-label="Attach files" title="Attach files" onClick={() => input.current?.click()}>
        <svg width="18" height="18" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" strokeLinejoin="round" aria-hidden="true">
          <path d="M21.44 11.05l-9.19 9.19a6 6 0 0 1-8.49-8.49l9.19-9.19a4 4 0 0 1 5.66 5.66l-9.2 9.19a2 2 0 0 1-2.83-2.83l8.49-8.48" />
        </svg>
      </button>
      <input
        ref={input}
        type="file"
        multiple
        hidden
        aria-label="Files to attach"
        onChange={(e) => {
          files.add(Array.from(e.target.files ?? []));
          e.target.value = '';
        }}
      />
    </>
  );
}

/** The files waiting for the next send, each with its name, size and a remove button. */
export function PendingChips({ files }: { files: PendingFiles }) {
  if (files.items.length === 0) return null;
  return (
    <ul className="pending-files" aria-label="Attachments">
      {files.items.map((p) => (
        <li key={p.key} className={`pending-file ${p.state}`}>
          <span className="pending-file-name">{p.name}</span>{' '}
          <span className="muted">{p.state === 'uploading' ? 'uploading…' : formatSize(p.size)}</span>
          {p.error && <span className="form-error" role="alert">{p.error}</span>}
          <button type="button" className="pending-file-remove" aria-label={`Remove ${p.name}`} onClick={() => { files.remove(p.key); }}>×</button>
        </li>
      ))}
    </ul>
  );
}
