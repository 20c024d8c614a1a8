import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import type { TaskRating, TaskView } from '@chorus/sdk';
import { TaskReview } from './TaskReview.js';
import { CHANNEL, ORG, ana, helper, makeStore, message, withStore, type Recorded } from '../../test/harness.js';

afterEach(cleanup);

const result = message(2, helper, 'The lockfile is stale.');

function task(rating: TaskRating, status: TaskView['status'] = 'done'): TaskView {
  return {
    id: 't-1', org_id: ORG, channel_id: CHANNEL, agent_id: helper.id, requester_id: ana.id, origin: 'mention', status,
    request_message_id: 'msg-1', thread_root_id: 'msg-1', result_message_id: result.id, attempts: 1, max_attempts: 3, lease_expires_at: null,
    failure_reason: null, command: null, command_args: null, created_at: '2026-01-01T09:00:01Z', claimed_at: '2026-01-01T09:00:01Z',
    finished_at: '2026-01-01T09:00:02Z', updated_at: '2026-01-01T09:00:02Z', interventions: [], rating,
  };
}

/** The review under the result, over a server that holds `held` and answers a rating with the new average. */
function renderReview(held: TaskView) {
  const { store, requests } = makeStore([message(1, ana, '@helper why is the build red?'), result], (r: Recorded) => {
    if (r.path.startsWith(`/channels/${CHANNEL}/tasks`)) return { tasks: [{ task: held, request: null, result: null }] };
    if (r.method === 'PUT' && r.path === '/tasks/t-1/rating') {
      const body = r.body as { score: number; comment?: string };
      return { task: task({ average: (body.score + 2) / 2, count: 2, mine: { score: body.score, comment: body.comment ?? null, updated_at: '2026-01-01T10:00:00Z' } }) };
    }
    if (r.method === 'DELETE' && r.path === '/tasks/t-1/rating') return { task: task({ average: 2, count: 1, mine: null }) };
    return null;
  });
  render(withStore(store, <TaskReview message={result} />));
  return { requests };
}

describe('rating an agent’s result', () => {
  it('shows the average and count, and rates 1–5 with a radio group of stars and an optional comment', async () => {
    const { requests } = renderReview(task({ average: 2, count: 1, mine: null }));
    expect(await screen.findByText('2 of 5 from 1 rating', { exact: false })).toBeTruthy();
    const group = screen.getByRole('radiogroup', { name: 'Your rating' });
    const stars = within(group).getAllByRole('radio');
    expect(stars.map((s) => s.getAttribute('aria-label'))).toEqual(['Rate 1 of 5', 'Rate 2 of 5', 'Rate 3 of 5', 'Rate 4 of 5', 'Rate 5 of 5']);
    // Native radios of one group: arrow keys move between them in a browser; nothing is checked yet.
    expect(new Set(stars.map((s) => (s as HTMLInputElement).name)).size).toBe(1);
    expect(stars.some((s) => (s as HTMLInputElement).checked)).toBe(false);
    // No emoji reactions as ratings any more.
    expect(screen.queryByRole('button', { name: 'Rate as helpful' })).toBeNull();

    fireEvent.click(within(group).getByRole('radio', { name: 'Rate 4 of 5' }));
    fireEvent.change(screen.getByPlaceholderText('Comment (optional)'), { target: { value: 'Right cause.' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save rating' }));
    expect(await screen.findByText('3 of 5 from 2 ratings; yours: 4 of 5', { exact: false })).toBeTruthy();
    expect(requests.filter((r) => r.method === 'PUT')).toEqual([{ method: 'PUT', path: '/tasks/t-1/rating', body: { score: 4, comment: 'Right cause.' } }]);
    expect(screen.getByRole<HTMLInputElement>('radio', { name: 'Rate 4 of 5' }).checked).toBe(true);
  });

  it('shows my rating and lets me remove it', async () => {
    const { requests } = renderReview(task({ average: 3, count: 2, mine: { score: 4, comment: 'Good.', updated_at: '2026-01-01T10:00:00Z' } }));
    expect(await screen.findByText('3 of 5 from 2 ratings; yours: 4 of 5', { exact: false })).toBeTruthy();
    expect(screen.getByRole<HTMLInputElement>('radio', { name: 'Rate 4 of 5' }).checked).toBe(true);
    fireEvent.click(screen.getByRole('button', { name: 'Remove my rating' }));
    expect(await screen.findByText('2 of 5 from 1 rating', { exact: false })).toBeTruthy();
    expect(screen.queryByText(/yours:/)).toBeNull();
    expect(requests.some((r) => r.method === 'DELETE' && r.path === '/tasks/t-1/rating')).toBe(true);
  });

  it('offers no rating control while the agent is still at work', async () => {
    renderReview(task({ average: null, count: 0, mine: null }, 'running'));
    expect(await screen.findByText('The agent is working on it')).toBeTruthy();
    expect(screen.queryByRole('radiogroup')).toBeNull();
  });
});
