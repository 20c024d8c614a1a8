import { useCallback, useEffect, useState } from 'react';
import type { DocDiff, DocRevisionView, DocView } from '@chorus/sdk';
import { useStore } from '../../app/workspace/provider.js';
import { errorMessage } from '../../components/errors.js';
import { DiffView } from './DiffView.js';

const when = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** The doc's revisions, newest first: pick two to see the diff; restore an old one as a new revision. */
export function DocHistory({ doc, onRestored }: { doc: DocView; onRestored: (doc: DocView) => void }) {
  const store = useStore();
  const [revisions, setRevisions] = useState<DocRevisionView[] | null>(null);
  const [hasMore, setHasMore] = useState(false);
  const [picked, setPicked] = useState<{ from: number; to: number } | null>(null);
  const [diff, setDiff] = useState<DocDiff | null>(null);
  const [error, setError] = useState<string | null>(null);
  const fail = (e: unknown) => { setError(errorMessage(e)); };
  useEffect(() => {
    store.rest.docRevisions(doc.id, { limit: 50 }).then((r) => { setRevisions(r.revisions); setHasMore(r.has_more); }, fail);
  }, [store, doc.id, doc.revision]);
  const older = useCallback(() => {
    const last = revisions?.at(-1);
    if (!last) return;
    store.rest.docRevisions(doc.id, { before: last.revision, limit: 50 }).then((r) => { setRevisions((held) => [...(held ?? []), ...r.revisions]); setHasMore(r.has_more); }, fail);
  }, [store, doc.id, revisions]);
  useEffect(() => {
    setDiff(null);
    if (picked) store.rest.docDiff(doc.id, picked.from, picked.to).then(setDiff, fail);
  }, [store, doc.id, picked]);
  const restore = async (revision: number) => {
    if (!window.confirm(`Restore revision ${revision}? It becomes a new revision; nothing is lost.`)) return;
    try {
      onRestored((await store.rest.restoreDoc(doc.id, { revision, current_revision: doc.revision })).doc);
    } catch (e) {
      fail(e);
    }
  };
  if (!revisions) return error ? <p className="form-error" role="alert">{error}</p> : <p className="empty-state" role="status">Loading revisions…</p>;
  return (
    <div className="doc-history">
      {error && <p className="form-error" role="alert">{error}</p>}
      <ul className="revision-list" aria-label="Revisions">
        {revisions.map((r) => (
          <li key={r.revision} className={picked?.to === r.revision ? 'selected' : undefined}>
            <strong>Revision {r.revision}</strong>
            <span className="muted">{r.author.display_name} · <time dateTime={r.created_at}>{when.format(new Date(r.created_at))}</time>{r.restored_from !== null && ` · restored from ${r.restored_from}`}</span>
            {r.revision > 1 && <button type="button" onClick={() => { setPicked({ from: r.revision - 1, to: r.revision }); }}>Changes in {r.revision}</button>}
            {r.revision < doc.revision && <button type="button" onClick={() => { setPicked({ from: r.revision, to: doc.revision }); }}>Compare with current</button>}
            {r.revision < doc.revision && <button type="button" onClick={() => { void restore(r.revision); }}>Restore</button>}
          </li>
        ))}
      </ul>
      {hasMore && <button type="button" onClick={older}>Older revisions</button>}
      {picked && !diff && !error && <p role="status" className="muted">Computing the diff…</p>}
      {diff && <DiffView diff={diff} />}
    </div>
  );
}
