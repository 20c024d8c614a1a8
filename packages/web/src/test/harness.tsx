import type { ReactNode } from 'react';
import { RestClient, workspaceFromSnapshots, type ChannelView, type MemberView, type MessageView } from '@chorus/sdk';
import { StoreProvider } from '../app/workspace/provider.js';
import { WorkspaceStore } from '../app/workspace/workspace-store.js';

/**
 * Component tests' workspace: a WorkspaceStore that is never started, seeded
 * with a channel, and a REST client whose requests are recorded and answered
 * by the test (the browser tests run the real server).
 */
export interface Recorded {
  method: string;
  path: string;
  body: unknown;
}

export const ORG = 'org-1';
export const CHANNEL = 'ch-1';

export function member(id: string, handle: string, display_name: string, kind: 'human' | 'agent' = 'human'): MemberView {
  return { id, org_id: ORG, kind, handle, display_name, role: 'member', status: 'active', created_at: '2026-01-01T00:00:00Z', avatar_url: null, custom_status: null };
}

export const ana = member('m-ana', 'ana', 'Ana');
export const bob = member('m-bob', 'bob', 'Bob');
export const helper = member('m-helper', 'helper', 'Helper bot', 'agent');

export function channelView(lastSeq: number): ChannelView {
  return {
    id: CHANNEL, org_id: ORG, kind: 'public', name: 'general', topic: '', dm_members: null, created_by: ana.id,
    created_at: '2026-01-01T00:00:00Z', archived_at: null, last_seq: lastSeq,
    settings: { who_may_post: 'members', who_may_add_agents: 'members', who_may_pin: 'members', history_for_new_members: 'all', agent_access: 'full', agent_history_days: null, reasoning_visibility: 'members', agents_see_reasoning: false },
  };
}

export function message(seq: number, author: MemberView, body: string, overrides: Partial<MessageView> = {}): MessageView {
  return {
    id: `msg-${seq}`, channel_id: CHANNEL, seq, kind: 'chat', audience: 'all',
    author: { id: author.id, handle: author.handle, display_name: author.display_name, kind: author.kind },
    body, sources: [], thread_root_id: null, thread: null, mentions: { member_ids: [], channel: false, here: false, agents: false },
    reactions: [], pinned: false, stream: null, attachments: [], created_at: new Date(Date.UTC(2026, 0, 1, 9, 0, seq)).toISOString(), edited_at: null, deleted_at: null,
    ...overrides,
  };
}

export function makeStore(messages: MessageView[], answer: (r: Recorded) => unknown = () => null): { store: WorkspaceStore; requests: Recorded[] } {
  const requests: Recorded[] = [];
  const fetchImpl = ((input: string, init?: { method?: string; body?: string }) => {
    const url = new URL(input);
    const r: Recorded = { method: init?.method ?? 'GET', path: url.pathname.replace('/api/v1', '') + url.search, body: init?.body ? JSON.parse(init.body) : undefined };
    requests.push(r);
    return Promise.resolve(new Response(JSON.stringify(answer(r)), { status: 200, headers: { 'content-type': 'application/json' } }));
  }) as unknown as typeof fetch;
  const rest = new RestClient('http://chorus.test', 'token', fetchImpl);
  const store = new WorkspaceStore(rest, { baseUrl: 'http://chorus.test', token: 'token', orgId: ORG });
  const ws = workspaceFromSnapshots(ana.id, [{ channel: channelView(messages.at(-1)?.seq ?? 0), members: [{ member: ana, role: 'owner' }, { member: bob, role: 'member' }], history: [{ messages }], threads: {} }]);
  store.seed({
    me: ana,
    ws,
    members: { [ana.id]: ana, [bob.id]: bob, [helper.id]: helper },
    entries: { [CHANNEL]: { unread: 0, mentions: 0, lastReadSeq: 0 } },
    windows: { [CHANNEL]: { status: 'ready', hasMoreBefore: false, loadingOlder: false } },
    ready: true,
    connection: 'open',
  });
  return { store, requests };
}

export function withStore(store: WorkspaceStore, children: ReactNode) {
  return <StoreProvider store={store}>{children}</StoreProvider>;
}
