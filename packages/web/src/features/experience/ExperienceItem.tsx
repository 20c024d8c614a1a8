import { useState } from 'react';
import type { ExperienceView } from '@chorus/sdk';
import { useStore } from '../../app/workspace/provider.js';
import { useMembers } from '../../app/workspace/hooks.js';
import { errorMessage } from '../../components/errors.js';
import { DocMarkdown } from '../docs/DocMarkdown.js';
import { openSource } from '../agents/jump.js';
import { ReasonForm } from '../agents/ReasonForm.js';

const reviewText = { review_due: 'due for review', low_score: 'poor signals' } as const;

/**
 * One experience entry: title, status, quality, tags, body, provenance; endorse or flag (with a
 * reason); in the review queue, confirm or deprecate. The server decides who may do what.
 */
export function ExperienceItem({ entry, onChange, review = false }: { entry: ExperienceView; onChange: (entry: ExperienceView | null) => void; review?: boolean }) {
  const store = useStore();
  const members = useMembers();
  const [flagging, setFlagging] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const act = (action: () => Promise<{ experience: ExperienceView }>) => {
    setError(null);
    action().then(({ experience }) => { onChange(experience); }, (e: unknown) => { setError(errorMessage(e)); });
  };
  const flag = (reason: string) => {
    act(() => store.rest.voteExperience(entry.id, 'flag', reason));
    setFlagging(false);
  };
  const q = entry.quality;
  return (
    <article className="experience-item" aria-label={entry.title}>
      <div className="experience-head">
        <strong>{entry.title}</strong> <span className={`status-pill status-${entry.status}`}>{entry.status}</span>
        {entry.scope === 'org' && <span className="tag"> org-wide</span>}
        {entry.audience === 'humans' && <span className="tag"> people only</span>}
      </div>
      <div className="experience-meta muted">
        by {members[entry.author_id]?.display_name ?? 'someone'} · quality {Math.round(q.score * 100)}% ·
        {' '}{q.endorsements} endorsed · {q.flags} flagged · {q.helpful} helpful · {q.unhelpful} unhelpful · used {q.use_count}×
        {entry.review.length > 0 && <> · <span className="review-reason">{entry.review.map((r) => reviewText[r]).join(', ')}</span></>}
      </div>
      {entry.tags.length > 0 && <ul className="tag-list" aria-label="Tags">{entry.tags.map((t) => <li key={t} className="tag">{t}</li>)}</ul>}
      <DocMarkdown body={entry.body} />
      <div className="muted experience-sources">
        From:{' '}
        {entry.sources.map((s) => (
          <button key={`${s.type}:${s.id}`} type="button" className="link-button" onClick={() => { openSource(store, s.type === 'doc' ? { type: 'doc', id: s.id } : { type: 'message', id: s.id }).catch((e: unknown) => { setError(errorMessage(e)); }); }}>
            {s.type}
          </button>
        ))}
      </div>
      <div className="row-actions">
        <button type="button" onClick={() => { act(() => store.rest.voteExperience(entry.id, 'endorse')); }}>Endorse</button>
        <button type="button" onClick={() => { setFlagging((f) => !f); }} aria-expanded={flagging}>Flag</button>
        {review && <button type="button" onClick={() => { act(() => store.rest.confirmExperience(entry.id, null)); }}>Confirm it holds</button>}
        {(review || entry.status === 'active') && <button type="button" onClick={() => { act(() => store.rest.deprecateExperience(entry.id)); }}>Deprecate</button>}
      </div>
      {flagging && (
        <ReasonForm question="Why flag it?" submit="Flag entry" onSubmit={flag} />
      )}
      {error && <p className="form-error" role="alert">{error}</p>}
    </article>
  );
}
