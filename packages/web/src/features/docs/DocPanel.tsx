import { useCallback, useEffect, useRef, useState } from 'react';
import type { DocView } from '@chorus/sdk';
import { openPanel } from '../../app/panel-state.js';
import { useStore } from '../../app/workspace/provider.js';
import { useChannelEvents } from '../../app/workspace/events.js';
import { useMembers } from '../../app/workspace/hooks.js';
import { errorMessage } from '../../components/errors.js';
import { DocEditor } from './DocEditor.js';
import { DocHistory } from './DocHistory.js';
import { DocMarkdown } from './DocMarkdown.js';
import './knowledge.css';

type Tab = 'read' | 'edit' | 'history';

/**
 * One channel doc: read (markdown), edit (with preview, saved against the revision it started from:
 * a conflict is shown, never overwritten silently), history (revisions, diff, restore). Live: another
 * person's save reloads it when nothing is being edited, or is announced while editing.
 */
export function DocPanel({ docId }: { docId: string }) {
  const store = useStore();
  const members = useMembers();
  const [doc, setDoc] = useState<DocView | null>(null);
  const [tab, setTab] = useState<Tab>('read');
  const [error, setError] = useState<string | null>(null);
  const [newer, setNewer] = useState<number | null>(null);
  const dirty = useRef(false);
  const load = useCallback(() => {
    store.rest.doc(docId).then(({ doc: d }) => { setDoc(d); setNewer(null); setError(null); }, (e: unknown) => { setError(errorMessage(e)); });
  }, [store, docId]);
  useEffect(load, [load]);
  useChannelEvents(doc?.channel_id ?? null, ['doc.updated', 'doc.archived', 'doc.unarchived', 'doc.guide_changed'], (event) => {
    if (event.type !== 'doc.updated' && event.type !== 'doc.archived' && event.type !== 'doc.unarchived') { load(); return; }
    if (event.payload.doc.id !== docId) return;
    if (event.type === 'doc.updated' && dirty.current) setNewer(event.payload.doc.revision);
    else load();
  });
  const archive = async () => {
    if (!doc) return;
    try {
      const { doc: d } = doc.archived_at ? await store.rest.unarchiveDoc(doc.id) : await store.rest.archiveDoc(doc.id);
      setDoc(d);
    } catch (e) {
      setError(errorMessage(e));
    }
  };
  /** Leaving the editor drops its changes; a revision saved meanwhile is loaded then. */
  const switchTo = (next: Tab) => {
    if (tab === 'edit' && next !== 'edit') {
      dirty.current = false;
      if (newer !== null) load();
    }
    setTab(next);
  };
  if (!doc) return error ? <p className="form-error" role="alert">{error}</p> : <p className="empty-state" role="status">Loading the doc…</p>;
  return (
    <div className="doc-panel knowledge-list">
      <div className="row-actions">
        <button type="button" className="link-button" onClick={() => { openPanel('docs', doc.channel_id); }}>← All docs</button>
      </div>
      <h3 className="doc-title">{doc.title}</h3>
      <p className="doc-meta muted">
        Revision <span data-testid="doc-revision">{doc.revision}</span> by {members[doc.updated_by]?.display_name ?? 'someone'}
        {doc.archived_at && ' · archived'}{doc.agent_guide && " · the agents' guide"}
      </p>
      <div className="tabs" role="tablist" aria-label="Doc views">
        {(['read', 'edit', 'history'] as const).map((t) => (
          <button key={t} type="button" role="tab" aria-selected={tab === t} onClick={() => { switchTo(t); }}>{t === 'read' ? 'Read' : t === 'edit' ? 'Edit' : 'History'}</button>
        ))}
      </div>
      {error && <p className="form-error" role="alert">{error}</p>}
      {newer !== null && tab === 'edit' && <p className="notice" role="status">Someone saved revision {newer} while you edit. Saving will show you the conflict.</p>}
      {tab === 'read' && <DocMarkdown body={doc.body} />}
      {tab === 'edit' && (
        <DocEditor
          key={doc.id}
          doc={doc}
          onDirty={(d) => { dirty.current = d; }}
          onSaved={(d) => { dirty.current = false; setDoc(d); setNewer(null); setTab('read'); }}
          onTookTheirs={(d) => { setDoc(d); setNewer(null); }}
        />
      )}
      {tab === 'history' && <DocHistory doc={doc} onRestored={(d) => { setDoc(d); setTab('read'); }} />}
      <div className="row-actions">
        <button type="button" onClick={() => { void archive(); }}>{doc.archived_at ? 'Unarchive' : 'Archive'}</button>
      </div>
    </div>
  );
}

