import { useEffect, useId, useState } from 'react';
import type { TaskRating as Rating } from '@chorus/sdk';

const scores = [1, 2, 3, 4, 5] as const;

/** "4.5 of 5 from 2 ratings", or that there are none yet. */
export function ratingSummary(rating: Pick<Rating, 'average' | 'count'>): string {
  if (rating.average === null || rating.count === 0) return 'No ratings yet';
  const average = Number.isInteger(rating.average) ? String(rating.average) : rating.average.toFixed(1);
  return `${average} of 5 from ${rating.count} ${rating.count === 1 ? 'rating' : 'ratings'}`;
}

interface Props {
  rating: Rating;
  /** Whether the result can be rated now (a finished or rejected result); else only the summary shows. */
  open: boolean;
  /** Save or withdraw my rating; they report their own errors (the promises never reject). */
  onRate: (score: number, comment: string) => Promise<unknown>;
  onRemove: () => Promise<unknown>;
}

/**
 * A result's rating: the average and count everyone sees, and my own as a radio group of five stars
 * ("Rate 1 of 5" … "Rate 5 of 5"; arrow keys move between them, as in any radio group) with an
 * optional comment, saved with a button so that moving through the stars rates nothing by itself.
 */
export function TaskRating({ rating, open, onRate, onRemove }: Props) {
  const name = useId();
  const mine = rating.mine;
  const [score, setScore] = useState<number | null>(mine?.score ?? null);
  const [comment, setComment] = useState(mine?.comment ?? '');
  const [busy, setBusy] = useState(false);
  // When my rating changes elsewhere (another device, a redo that cleared it), show that.
  useEffect(() => {
    setScore(mine?.score ?? null);
    setComment(mine?.comment ?? '');
  }, [mine?.score, mine?.comment]);

  const run = (action: () => Promise<unknown>) => {
    setBusy(true);
    void action().finally(() => { setBusy(false); });
  };
  const changed = score !== null && (score !== mine?.score || comment.trim() !== (mine?.comment ?? ''));
  return (
    <div className="task-rating">
      <span className="rating-summary" aria-live="polite">
        <span aria-hidden="true">★ </span>{ratingSummary(rating)}
        {mine && <>; yours: {mine.score} of 5</>}
      </span>
      {open && (
        <form className="rating-form" aria-label="Rate this result" onSubmit={(e) => { e.preventDefault(); if (score !== null) run(() => onRate(score, comment.trim())); }}>
          <div role="radiogroup" aria-label="Your rating" className="rating-stars">
            {scores.map((n) => (
              <label key={n} className={score !== null && n <= score ? 'star on' : 'star'} title={`${n} of 5`}>
                <input type="radio" className="visually-hidden" name={name} value={n} checked={score === n} aria-label={`Rate ${n} of 5`} onChange={() => { setScore(n); }} />
                <span aria-hidden="true">{score !== null && n <= score ? '★' : '☆'}</span>
              </label>
            ))}
          </div>
          {score !== null && (
            <label className="rating-comment">
              <span className="visually-hidden">Comment (optional)</span>
              <input value={comment} maxLength={1000} placeholder="Comment (optional)" onChange={(e) => { setComment(e.target.value); }} />
            </label>
          )}
          {changed && <button type="submit" disabled={busy}>{mine ? 'Update rating' : 'Save rating'}</button>}
          {mine && <button type="button" disabled={busy} onClick={() => { run(onRemove); }}>Remove my rating</button>}
        </form>
      )}
    </div>
  );
}
