import { afterEach, describe, expect, it } from 'vitest';
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { workspaceFromSnapshots, type ChannelEvent, type ChannelView, type MessageView } from '@chorus/sdk';
import { DirectSection, ChannelsSection } from '../sidebar/SidebarSections.js';
import { ProfilePanel } from '../agents/ProfilePanel.js';
import { CHANNEL, ORG, ana, bob, channelView, helper, makeStore, member, message, withStore, type Recorded } from '../../test/harness.js';

afterEach(() => {
  cleanup();
  history.replaceState(null, '', '/');
});

const DM = 'dm-ana-bob';
const dmView: ChannelView = { ...channelView(0), id: DM, kind: 'dm', name: null, dm_members: [ana.id, bob.id] };
const cara = member('m-cara', 'cara', 'Cara Diaz');

const agentOf = (m: typeof helper, sponsorId: string) => ({ ...m, kind: 'agent', status: 'active', sponsor_id: sponsorId, description: '', card: {}, created_at: '2026-01-01T00:00:00Z', avatar_url: null });
const theirBot = member('m-their-bot', 'theirbot', 'Their bot', 'agent');

/**
 * Answers `POST /orgs/:org/dms` with the Ana–Bob DM when Bob is asked for (it exists), a new one otherwise;
 * and the org's agents: Ana sponsors the helper, Bob another bot.
 */
function dms(r: Recorded): unknown {
  if (r.method === 'GET' && r.path === `/orgs/${ORG}/agents`) return { agents: [agentOf(helper, ana.id), agentOf(theirBot, bob.id)] };
  if (r.method !== 'POST' || r.path !== `/orgs/${ORG}/dms`) return null;
  const ids = (r.body as { member_ids: string[] }).member_ids;
  return ids[0] === bob.id ? { channel: dmView, created: false } : { channel: { ...dmView, id: `dm-${ids.join('-')}`, dm_members: [ana.id, ...ids] }, created: true };
}

function setup() {
  const made = makeStore([], dms);
  const general = made.store.getSnapshot().ws.channels[CHANNEL];
  const dm = workspaceFromSnapshots(ana.id, [{ channel: dmView, members: [{ member: ana, role: 'member' }, { member: bob, role: 'member' }], history: [], threads: {} }]).channels[DM];
  made.store.seed({
    ws: { memberId: ana.id, channels: { ...(general ? { [CHANNEL]: general } : {}), ...(dm ? { [DM]: dm } : {}) } },
    members: { [ana.id]: ana, [bob.id]: bob, [helper.id]: helper, [cara.id]: cara, [theirBot.id]: theirBot },
    entries: { [CHANNEL]: { unread: 0, mentions: 0, lastReadSeq: 0 }, [DM]: { unread: 0, mentions: 0, lastReadSeq: 0 } },
  });
  return made;
}

const posted = (m: MessageView): ChannelEvent => ({ org_id: ORG, channel_id: m.channel_id, seq: m.seq, type: 'message.created', actor_id: m.author.id, payload: { message: m }, created_at: m.created_at });

describe('starting a direct message', () => {
  it('"New message" in the sidebar searches the org\'s people and my agents by name; Enter opens the DM', async () => {
    const { store, requests } = setup();
    render(withStore(store, <DirectSection />));
    fireEvent.click(screen.getByRole('button', { name: 'New message' }));
    const dialog = screen.getByRole('dialog', { name: 'New message' });
    const box = within(dialog).getByRole('combobox', { name: 'Person or agent' });
    const options = () => within(dialog).getAllByRole('option').map((o) => o.getAttribute('aria-label'));
    // Everyone but me, and the agents I sponsor (an agent is in a DM only with its sponsor), badged.
    await waitFor(() => { expect(options()).toEqual(['Bob (@bob)', 'Cara Diaz (@cara)', 'Helper bot (@helper), agent']); });
    fireEvent.change(box, { target: { value: 'bot' } });
    expect(options()).toEqual(['Helper bot (@helper), agent']);
    fireEvent.change(box, { target: { value: 'diaz' } });
    expect(options()).toEqual(['Cara Diaz (@cara)']);
    fireEvent.change(box, { target: { value: 'nobody' } });
    expect(within(dialog).getByRole('status').textContent).toMatch(/No one in this workspace matches/);
    fireEvent.change(box, { target: { value: 'ca' } });
    fireEvent.keyDown(box, { key: 'Enter' });
    await waitFor(() => { expect(location.pathname).toBe(`/o/${ORG}/c/dm-m-cara`); });
    expect(requests.filter((r) => r.path === `/orgs/${ORG}/dms`)).toEqual([{ method: 'POST', path: `/orgs/${ORG}/dms`, body: { member_ids: [cara.id] } }]);
    await waitFor(() => { expect(screen.queryByRole('dialog')).toBeNull(); });
  });

  it('"Message" on a profile opens the existing DM; there is none on my own profile', async () => {
    const { store, requests } = setup();
    const { rerender } = render(withStore(store, <ProfilePanel memberId={bob.id} />));
    fireEvent.click(screen.getByRole('button', { name: 'Message' }));
    await waitFor(() => { expect(location.pathname).toBe(`/o/${ORG}/c/${DM}`); });
    expect(requests.filter((r) => r.method === 'POST')).toEqual([{ method: 'POST', path: `/orgs/${ORG}/dms`, body: { member_ids: [bob.id] } }]);
    rerender(withStore(store, <ProfilePanel memberId={ana.id} />));
    expect(screen.queryByRole('button', { name: 'Message' })).toBeNull();
  });
});

describe('live unread badges in the sidebar', () => {
  it('count new messages and mentions as they arrive, leave the open channel at zero, and give a DM the mention badge', async () => {
    const { store } = setup();
    render(withStore(store, <><ChannelsSection /><DirectSection /></>));
    act(() => {
      store.receive(posted(message(1, bob, 'hello all')));
      store.receive(posted(message(2, bob, 'ana, look', { mentions: { member_ids: [ana.id], channel: false, here: false, agents: false } })));
      store.receive(posted(message(1, bob, 'psst', { channel_id: DM, id: 'dm-1' })));
    });
    const general = await screen.findByRole('link', { name: 'general, 2 unread, 1 mentions' });
    expect(general.querySelector('.badge-mention')?.textContent).toBe('1');
    const dm = screen.getByRole('link', { name: 'Bob, 1 unread' });
    expect(dm.querySelector('.badge-mention')?.textContent).toBe('1');

    // Reading the DM (here or on another device) clears it; while it is open, new messages are read as they come.
    store.activeChannelId = DM;
    act(() => {
      store.markRead(DM);
      store.receive(posted(message(2, bob, 'still there?', { channel_id: DM, id: 'dm-2' })));
    });
    await screen.findByRole('link', { name: 'Bob' });
    expect(screen.getByRole('link', { name: 'Bob' }).querySelector('.badge')).toBeNull();
  });
});
