import { useState } from 'react';
import { ChorusError, type DocView } from '@chorus/sdk';
import { useStore } from '../../app/workspace/provider.js';
import { useMembers } from '../../app/workspace/hooks.js';
import { errorMessage } from '../../components/errors.js';
import { DocMarkdown } from './DocMarkdown.js';

/**
 * Title and body with a live preview. A save names the revision the edit started from; when someone
 * saved in between, the server answers `409 revision_conflict` with the doc as it is now, and the
 * editor shows both: keep editing and save over theirs knowingly, or take their version.
 */
export function DocEditor({ doc, onSaved, onDirty, onTookTheirs }: { doc: DocView; onSaved: (doc: DocView) => void; onDirty: (dirty: boolean) => void; onTookTheirs: (doc: DocView) => void }) {
  const store = useStore();
  const members = useMembers();
  const [title, setTitle] = useState(doc.title);
  const [body, setBody] = useState(doc.body);
  const [base, setBase] = useState(doc.revision);
  const [conflict, setConflict] = useState<DocView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const change = (next: { title?: string; body?: string }) => {
    if (next.title !== undefined) setTitle(next.title);
    if (next.body !== undefined) setBody(next.body);
    onDirty(true);
  };
  const save = async (event: { preventDefault(): void }) => {
    event.preventDefault();
    setSaving(true);
    setError(null);
    try {
      const { doc: saved } = await store.rest.editDoc(doc.id, { revision: base, title, body });
      setConflict(null);
      onSaved(saved);
    } catch (e) {
      const current = conflictDoc(e);
      if (current) setConflict(current);
      else setError(errorMessage(e));
    } finally {
      setSaving(false);
    }
  };
  const takeTheirs = () => {
    if (!conflict) return;
    setTitle(conflict.title);
    setBody(conflict.body);
    setBase(conflict.revision);
    setConflict(null);
    onTookTheirs(conflict);
  };
  return (
    <form className="form doc-edit-form" onSubmit={(e) => { void save(e); }}>
      {conflict && (
        <div className="conflict" role="alert">
          <strong>Edit conflict.</strong> {members[conflict.updated_by]?.display_name ?? 'Someone'} saved revision {conflict.revision} after
          you started from revision {base}. Your text is kept here; their version is below.
          <details open>
            <summary>Their version (revision {conflict.revision})</summary>
            <DocMarkdown body={conflict.body} />
          </details>
          <div className="row-actions">
            <button type="button" onClick={() => { setBase(conflict.revision); setConflict(null); }}>Keep mine (save over revision {conflict.revision})</button>
            <button type="button" onClick={takeTheirs}>Discard mine, take theirs</button>
          </div>
        </div>
      )}
      <input className="doc-title-input" aria-label="Doc title" value={title} onChange={(e) => { change({ title: e.target.value }); }} maxLength={200} required />
      <div className="doc-editor">
        <textarea aria-label="Doc body (markdown)" value={body} onChange={(e) => { change({ body: e.target.value }); }} />
        <div aria-label="Preview"><DocMarkdown body={body} /></div>
      </div>
      {error && <p className="form-error" role="alert">{error}</p>}
      <div className="row-actions">
        <button type="submit" className="primary" disabled={saving || conflict !== null}>{saving ? 'Saving…' : 'Save'}</button>
        <span className="muted">Editing from revision {base}</span>
      </div>
    </form>
  );
}

/** The conflict a save ran into: the doc as it is now (`details.doc` of `409 revision_conflict`). */
export function conflictDoc(error: unknown): DocView | null {
  if (!(error instanceof ChorusError) || error.code !== 'revision_conflict') return null;
  const details = error.details as { doc?: DocView } | undefined;
  return details?.doc ?? null;
}
