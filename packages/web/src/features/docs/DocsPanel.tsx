import { useCallback, useEffect, useState } from 'react';
import type { DocSummary } from '@chorus/sdk';
import { openPanel } from '../../app/panel-state.js';
import { useStore } from '../../app/workspace/provider.js';
import { useChannelEvents } from '../../app/workspace/events.js';
import { useMembers } from '../../app/workspace/hooks.js';
import { errorMessage } from '../../components/errors.js';
import './knowledge.css';

const when = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** The channel's docs (the agents' guide first), live, with a form to start a new one. */
export function DocsPanel({ channelId }: { channelId: string }) {
  const store = useStore();
  const members = useMembers();
  const [docs, setDocs] = useState<DocSummary[] | null>(null);
  const [archived, setArchived] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [title, setTitle] = useState('');
  const load = useCallback(() => {
    store.rest.docs(channelId, { includeArchived: archived, limit: 100 }).then(({ docs: d }) => { setDocs(d); }, (e: unknown) => { setError(errorMessage(e)); });
  }, [store, channelId, archived]);
  useEffect(load, [load]);
  useChannelEvents(channelId, ['doc.created', 'doc.updated', 'doc.archived', 'doc.unarchived', 'doc.guide_changed'], load);
  const create = async (event: { preventDefault(): void }) => {
    event.preventDefault();
    if (!title.trim()) return;
    try {
      const { doc } = await store.rest.createDoc(channelId, { title: title.trim(), body: '' });
      setTitle('');
      openPanel('doc', doc.id);
    } catch (e) {
      setError(errorMessage(e));
    }
  };
  return (
    <div className="knowledge-list">
      <form className="row-actions" onSubmit={(e) => { void create(e); }}>
        <input aria-label="New doc title" placeholder="New doc title" value={title} onChange={(e) => { setTitle(e.target.value); }} maxLength={200} />
        <button type="submit" className="primary">Create doc</button>
      </form>
      <label className="muted"><input type="checkbox" checked={archived} onChange={(e) => { setArchived(e.target.checked); }} /> Show archived</label>
      {error && <p className="form-error" role="alert">{error}</p>}
      {!docs ? <p className="empty-state" role="status">Loading docs…</p> : docs.length === 0 ? <p className="empty-state">No docs in this channel yet.</p> : (
        <ul aria-label="Channel docs">
          {docs.map((d) => (
            <li key={d.id} className="doc-item">
              <button type="button" className="link-button doc-link" onClick={() => { openPanel('doc', d.id); }}>{d.title}</button>
              {d.agent_guide && <span className="tag"> agents' guide</span>}
              {d.archived_at && <span className="status-pill status-archived"> archived</span>}
              <div className="doc-meta muted">
                revision {d.revision} · {members[d.updated_by]?.display_name ?? 'someone'} · <time dateTime={d.updated_at}>{when.format(new Date(d.updated_at))}</time>
              </div>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
