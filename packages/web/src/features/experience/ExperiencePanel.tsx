import { useCallback, useEffect, useState } from 'react';
import type { ExperienceView } from '@chorus/sdk';
import { useStore } from '../../app/workspace/provider.js';
import { useChannelEvents } from '../../app/workspace/events.js';
import { errorMessage } from '../../components/errors.js';
import { ExperienceItem } from './ExperienceItem.js';
import '../docs/knowledge.css';

type View = 'current' | 'all' | 'review';

/** The channel's experience: current entries, the whole history, or the review queue; live. */
export function ExperiencePanel({ channelId }: { channelId: string }) {
  const store = useStore();
  const [view, setView] = useState<View>('current');
  const [entries, setEntries] = useState<ExperienceView[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(() => {
    const request = view === 'review' ? store.rest.experienceReviewQueue({ channelId }) : store.rest.channelExperience(channelId, view === 'all' ? { status: 'all' } : {});
    request.then(({ experience }) => { setEntries(experience); setError(null); }, (e: unknown) => { setEntries([]); setError(errorMessage(e)); });
  }, [store, channelId, view]);
  useEffect(load, [load]);
  useChannelEvents(channelId, ['experience.created', 'experience.updated', 'experience.status_changed'], load);
  const replace = (entry: ExperienceView | null) => {
    if (entry) setEntries((held) => held?.map((e) => (e.id === entry.id ? entry : e)) ?? null);
    load();
  };
  return (
    <div className="knowledge-list">
      <div className="tabs" role="tablist" aria-label="Experience views">
        {([['current', 'Current'], ['all', 'All, with history'], ['review', 'Review queue']] as const).map(([v, label]) => (
          <button key={v} type="button" role="tab" aria-selected={view === v} onClick={() => { setView(v); }}>{label}</button>
        ))}
      </div>
      {error && <p className="form-error" role="alert">{error}</p>}
      {!entries ? <p className="empty-state" role="status">Loading…</p>
        : entries.length === 0 ? <p className="empty-state">{view === 'review' ? 'Nothing awaits review.' : 'No entries yet. Save a message as experience from its actions menu (💡).'}</p>
        : <ul aria-label="Experience entries">{entries.map((e) => <li key={e.id}><ExperienceItem entry={e} onChange={replace} review={view === 'review'} /></li>)}</ul>}
    </div>
  );
}

/** One entry by id (a cited source, a search hit). */
export function ExperienceEntryPanel({ entryId }: { entryId: string }) {
  const store = useStore();
  const [entry, setEntry] = useState<ExperienceView | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    store.rest.experience(entryId).then(({ experience }) => { setEntry(experience); }, (e: unknown) => { setError(errorMessage(e)); });
  }, [store, entryId]);
  if (error) return <p className="form-error" role="alert">{error}</p>;
  if (!entry) return <p className="empty-state" role="status">Loading…</p>;
  return <div className="knowledge-list"><ExperienceItem entry={entry} onChange={(e) => { if (e) setEntry(e); }} /></div>;
}
