import { useEffect, useState } from 'react';
import type { MessageView } from '@chorus/sdk';
import type { SourceRef } from '@chorus/protocol/views';
import { useStore } from '../../app/workspace/provider.js';
import type { WorkspaceStore } from '../../app/workspace/workspace-store.js';
import { errorMessage } from '../../components/errors.js';
import { openSource } from './jump.js';

/** A source as shown: what it is, and a short label (a doc's title, an entry's title, a message's first words). */
export interface SourceItem {
  source: SourceRef;
  label: string;
}

const kindNames: Record<SourceRef['type'], string> = { message: 'Message', doc: 'Doc', experience: 'Experience' };

/**
 * The sources an agent's message cites, as links: a message jumps to it, a doc or an experience
 * entry opens in the panel. Labels are plain text (React escapes them).
 */
export function SourceList({ items, onOpen, error }: { items: SourceItem[]; onOpen: (source: SourceRef) => void; error?: string | null }) {
  if (items.length === 0) return null;
  return (
    <nav className="sources" aria-label="Sources">
      <span className="sources-heading">Sources</span>
      <ul>
        {items.map(({ source, label }) => (
          <li key={`${source.type}:${source.id}`}>
            <a
              href={`#${source.type}-${source.id}`}
              data-source-type={source.type}
              onClick={(e) => { e.preventDefault(); onOpen(source); }}
            >
              <span className="source-kind">{kindNames[source.type]}</span> {label}
            </a>
          </li>
        ))}
      </ul>
      {error && <p className="form-error" role="alert">{error}</p>}
    </nav>
  );
}

/** Resolves each source's label through the API (what the reader may not read stays a bare kind). */
async function labelOf(store: WorkspaceStore, source: SourceRef): Promise<string> {
  try {
    if (source.type === 'doc') return (await store.rest.doc(source.id)).doc.title;
    if (source.type === 'experience') return (await store.rest.experience(source.id)).experience.title;
    const { message } = await store.rest.message(source.id);
    const words = message.body.replace(/\s+/g, ' ').trim();
    return `${message.author.display_name}: ${words.length > 60 ? `${words.slice(0, 60)}…` : words}`;
  } catch {
    return 'not available to you';
  }
}

/** The message footer: an agent message's cited sources. */
export function MessageSources({ message }: { message: MessageView }) {
  const store = useStore();
  const [labels, setLabels] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const key = message.sources.map((s) => `${s.type}:${s.id}`).join(',');
  useEffect(() => {
    let live = true;
    void Promise.all(message.sources.map(async (s) => [`${s.type}:${s.id}`, await labelOf(store, s)] as const)).then((pairs) => {
      if (live) setLabels(Object.fromEntries(pairs));
    });
    return () => { live = false; };
  }, [store, key]);
  if (message.sources.length === 0 || message.deleted_at !== null) return null;
  const items = message.sources.map((source) => ({ source, label: labels[`${source.type}:${source.id}`] ?? '…' }));
  return <SourceList items={items} error={error} onOpen={(s) => { setError(null); openSource(store, s).catch((e: unknown) => { setError(errorMessage(e)); }); }} />;
}
