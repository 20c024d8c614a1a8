import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, render, screen, within } from '@testing-library/react';
import type { MessageView } from '@chorus/sdk';
import { ThreadPanel } from './ThreadPanel.js';
import { CHANNEL, ana, helper, makeStore, message, withStore } from '../../test/harness.js';

afterEach(cleanup);

const root = message(1, ana, '@helper why is the build red?');
const inThread = (seq: number, body: string, kind: MessageView['kind'] = 'chat') => message(seq, helper, body, { thread_root_id: root.id, kind });

/** The thread pane over a store whose server answers the thread with these replies (and no tasks). */
function renderThread(replies: MessageView[]) {
  const { store } = makeStore([{ ...root, thread: { root_id: root.id, reply_count: replies.length, last_reply_at: replies.at(-1)?.created_at ?? null, participants: [helper.id] } }], (r) => {
    if (r.path.startsWith(`/messages/${root.id}/thread`)) return { root, messages: replies, has_more_after: false };
    if (r.path.startsWith(`/channels/${CHANNEL}/tasks`)) return { tasks: [] };
    if (r.path.startsWith(`/channels/${CHANNEL}/commands`)) return { commands: [] };
    return null;
  });
  render(withStore(store, <ThreadPanel rootId={root.id} channelId={CHANNEL} />));
}

const replyRows = () => within(screen.getByRole('log', { name: 'Thread replies' })).getAllByRole('article');

describe('an agent’s reasoning in the thread pane', () => {
  it('shows the steps once, collapsed under the reply they led to, not also as rows', async () => {
    renderThread([inThread(2, 'Looking at the CI log.', 'agent_reasoning'), inThread(3, 'ci.log(build 42)', 'agent_tool'), inThread(4, 'The lockfile is stale.')]);
    await screen.findByText('The lockfile is stale.');
    // The root and the reply: no row for either step.
    expect(replyRows()).toHaveLength(2);
    expect(screen.getByText('Reasoning (2 steps)')).toBeTruthy();
    expect(screen.getAllByText('Looking at the CI log.', { exact: false })).toHaveLength(1);
    expect(screen.getAllByText('ci.log(build 42)', { exact: false })).toHaveLength(1);
    expect(screen.getByText('Looking at the CI log.', { exact: false }).closest('details')).not.toBeNull();
  });

  it('keeps steps with no reply after them yet as rows (the agent is still at work)', async () => {
    renderThread([inThread(2, 'First answer.'), inThread(3, 'Checking the second build.', 'agent_reasoning')]);
    await screen.findByText('Checking the second build.', { exact: false });
    expect(replyRows()).toHaveLength(3);
    expect(screen.queryByText(/^Reasoning \(/)).toBeNull();
  });
});
