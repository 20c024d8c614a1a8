import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ChannelEvent, ChannelEventPayloads, ChannelEventType } from '@chorus/protocol/events';
import type { ChannelView, MessageView } from '@chorus/protocol/views';
import type { Page } from './rest.js';
import {
  applyEvent,
  channelFromSnapshot,
  channelsToLoad,
  emptyWorkspace,
  fetchChannelSnapshot,
  loadChannel,
  mergeMessages,
  threadReplies,
  timeline,
  workspaceFromSnapshots,
  type ChannelState,
  type SnapshotSource,
  type WorkspaceState,
} from './store.js';

const ORG = 'org-1';
const CH = 'ch-1';
const ME = 'me';
const at = (n: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, n)).toISOString();

function channelView(lastSeq: number, overrides: Partial<ChannelView> = {}): ChannelView {
  return {
    id: CH,
    org_id: ORG,
    kind: 'public',
    name: 'general',
    topic: '',
    dm_members: null,
    created_by: ME,
    created_at: at(0),
    archived_at: null,
    settings: {
      who_may_post: 'members',
      who_may_add_agents: 'members',
      who_may_pin: 'members',
      history_for_new_members: 'all',
      agent_access: 'full',
      agent_history_days: null,
      reasoning_visibility: 'members',
      agents_see_reasoning: false,
    },
    last_seq: lastSeq,
    ...overrides,
  };
}

function message(id: string, seq: number, overrides: Partial<MessageView> = {}): MessageView {
  return {
    id,
    channel_id: CH,
    seq,
    kind: 'chat',
    audience: 'all',
    author: { id: ME, handle: 'me', display_name: 'Me', kind: 'human' },
    body: `body of ${id}`,
    sources: [],
    thread_root_id: null,
    thread: null,
    mentions: { member_ids: [], channel: false, here: false, agents: false },
    reactions: [],
    pinned: false,
    stream: null,
    attachments: [],
    created_at: at(seq),
    edited_at: null,
    deleted_at: null,
    ...overrides,
  };
}

function event<T extends ChannelEventType>(seq: number, type: T, payload: ChannelEventPayloads[T], channelId = CH): ChannelEvent {
  return { org_id: ORG, channel_id: channelId, seq, type, actor_id: ME, payload, created_at: at(seq) } as ChannelEvent;
}

/** A workspace following one channel with the viewer and Bob, as of seq 2. */
function start(): WorkspaceState {
  return workspaceFromSnapshots(ME, [
    { channel: channelView(2), members: [{ member: { id: ME }, role: 'owner' }, { member: { id: 'bob' }, role: 'member' }], history: [{ messages: [] }], threads: {} },
  ]);
}

const apply = (state: WorkspaceState, events: ChannelEvent[]) => events.reduce(applyEvent, state);
const channel = (state: WorkspaceState, id = CH): ChannelState => {
  const ch = state.channels[id];
  if (!ch) throw new Error(`no channel ${id}`);
  return ch;
};

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

describe('channel store: building from snapshots', () => {
  it('keeps top-level messages from history pages and replies from thread pages', () => {
    const root = message('m1', 3, { thread: { root_id: 'm1', reply_count: 2, last_reply_at: at(5), participants: ['bob'] } });
    const state = channelFromSnapshot({
      channel: channelView(6),
      members: [{ member: { id: ME }, role: 'owner' }, { member: { id: 'bob' }, role: 'observer' }],
      history: [{ messages: [message('m6', 6)] }, { messages: [root] }],
      threads: { m1: [{ messages: [message('r1', 4, { thread_root_id: 'm1' })] }, { messages: [message('r2', 5, { thread_root_id: 'm1' })] }] },
    });
    expect(state.members).toEqual({ [ME]: 'owner', bob: 'observer' });
    expect(timeline(state).map((m) => m.id)).toEqual(['m1', 'm6']);
    expect(threadReplies(state, 'm1').map((m) => m.id)).toEqual(['r1', 'r2']);
    expect(state.loaded).toBe(true);
    expect(state.channel.last_seq).toBe(6);
  });

  it('fetches a whole channel: history back from the latest page, each thread forward from its start', async () => {
    const all = Array.from({ length: 7 }, (_, i) => message(`m${i + 1}`, i + 1));
    all[1] = message('m2', 2, { thread: { root_id: 'm2', reply_count: 3, last_reply_at: at(12), participants: [ME] } });
    const replies = [10, 11, 12].map((seq) => message(`r${seq}`, seq, { thread_root_id: 'm2' }));
    const calls: string[] = [];
    const pageOf = (list: MessageView[], q: { before?: number; after?: number; limit?: number }): Page => {
      const limit = q.limit ?? 50;
      if (q.after !== undefined) {
        const later = list.filter((m) => m.seq > (q.after ?? 0));
        return { messages: later.slice(0, limit), has_more_before: false, has_more_after: later.length > limit };
      }
      const earlier = list.filter((m) => m.seq < (q.before ?? Infinity));
      return { messages: earlier.slice(-limit), has_more_before: earlier.length > limit, has_more_after: false };
    };
    const rest: SnapshotSource = {
      channel: () => Promise.resolve({ channel: channelView(12), membership: null }),
      channelMembers: () => Promise.resolve({ members: [{ member: { id: ME } as never, role: 'owner' as const, joined_at: at(1) }] }),
      history: (_id, q) => {
        calls.push(`history ${JSON.stringify(q)}`);
        return Promise.resolve(pageOf(all, q ?? {}));
      },
      thread: (id, q) => {
        calls.push(`thread ${id} ${JSON.stringify(q)}`);
        return Promise.resolve({ root: all[1]!, ...pageOf(replies, q ?? {}) });
      },
      channels: () => Promise.reject(new Error('unused')),
    };
    const state = channelFromSnapshot(await fetchChannelSnapshot(rest, CH, 2));
    expect(timeline(state).map((m) => m.seq)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(threadReplies(state, 'm2').map((m) => m.seq)).toEqual([10, 11, 12]);
    expect(calls).toEqual([
      'history {"limit":2}',
      'history {"before":6,"limit":2}',
      'history {"before":4,"limit":2}',
      'history {"before":2,"limit":2}',
      'thread m2 {"after":0,"limit":2}',
      'thread m2 {"after":11,"limit":2}',
    ]);
  });
});

describe('channel store: applying events', () => {
  it('adds messages and thread replies, and summarises the thread on its root', () => {
    const reply = message('r1', 4, { thread_root_id: 'm1' });
    const summary = { root_id: 'm1', reply_count: 1, last_reply_at: reply.created_at, participants: ['bob'] };
    const state = apply(start(), [
      event(3, 'message.created', { message: message('m1', 3) }),
      event(4, 'message.created', { message: reply }),
      event(5, 'thread.updated', { thread: summary }),
    ]);
    const ch = channel(state);
    expect(timeline(ch).map((m) => m.id)).toEqual(['m1']);
    expect(ch.messages.m1?.thread).toEqual(summary);
    expect(threadReplies(ch, 'm1')).toEqual([reply]);
    expect(ch.channel.last_seq).toBe(5);
  });

  it('skips events at or below the seq it holds, returning the same state', () => {
    const once = apply(start(), [event(3, 'message.created', { message: message('m1', 3) })]);
    expect(applyEvent(once, event(3, 'message.created', { message: message('m1', 3, { body: 'a duplicate' }) }))).toBe(once);
    expect(applyEvent(once, event(2, 'member.left', { member_id: 'bob', removed_by: null }))).toBe(once);
  });

  it('edits keep the reactions and thread it holds; deletes leave a tombstone with the thread summary', () => {
    const summary = { root_id: 'm1', reply_count: 1, last_reply_at: at(4), participants: ['bob'] };
    let state = apply(start(), [
      event(3, 'message.created', { message: message('m1', 3) }),
      event(4, 'message.created', { message: message('r1', 4, { thread_root_id: 'm1' }) }),
      event(5, 'thread.updated', { thread: summary }),
      event(6, 'reaction.added', { message_id: 'm1', emoji: 'tada', member_id: 'bob' }),
      // The edit's view may predate a reaction committed meanwhile: the store keeps its own.
      event(7, 'message.edited', { message: message('m1', 3, { body: 'fixed @bob', edited_at: at(7), mentions: { member_ids: ['bob'], channel: false, here: false, agents: false } }) }),
      event(8, 'message.edited', { message: message('r1', 4, { thread_root_id: 'm1', body: 'reply, fixed', edited_at: at(8) }) }),
    ]);
    expect(channel(state).messages.m1).toMatchObject({
      body: 'fixed @bob',
      edited_at: at(7),
      mentions: { member_ids: ['bob'] },
      reactions: [{ emoji: 'tada', count: 1, member_ids: ['bob'] }],
      thread: summary,
    });
    expect(threadReplies(channel(state), 'm1')[0]).toMatchObject({ body: 'reply, fixed', edited_at: at(8) });

    const tombstone = message('m1', 3, { body: '', edited_at: at(7), deleted_at: at(9), thread: summary });
    state = applyEvent(state, event(9, 'message.deleted', { message: tombstone }));
    expect(channel(state).messages.m1).toEqual(tombstone);
  });

  it('drops messages retention expired, with the threads they rooted, leaving no tombstone', () => {
    let state = apply(start(), [
      event(3, 'message.created', { message: message('m1', 3) }),
      event(4, 'message.created', { message: message('r1', 4, { thread_root_id: 'm1' }) }),
      event(5, 'message.created', { message: message('m2', 5) }),
      event(6, 'message.created', { message: message('r2', 6, { thread_root_id: 'm2' }) }),
    ]);
    state = applyEvent(state, event(7, 'messages.expired', { message_ids: ['r1', 'm1'] }));
    expect(Object.keys(channel(state).messages)).toEqual(['m2']);
    expect(Object.keys(channel(state).threads)).toEqual(['m2']);
    expect(threadReplies(channel(state), 'm2').map((m) => m.id)).toEqual(['r2']);
    expect(channel(state).channel.last_seq).toBe(7);
  });

  it('ignores changes to messages it does not hold, and replies to their threads (older history not loaded, or hidden)', () => {
    const state = apply(start(), [
      event(3, 'message.edited', { message: message('old', 1, { body: 'edited', edited_at: at(3) }) }),
      event(4, 'reaction.added', { message_id: 'old', emoji: 'tada', member_id: 'bob' }),
      event(5, 'thread.updated', { thread: { root_id: 'old', reply_count: 1, last_reply_at: at(5), participants: [] } }),
      event(6, 'message.deleted', { message: message('old2', 1, { body: '', deleted_at: at(6) }) }),
      event(7, 'message.created', { message: message('r7', 7, { thread_root_id: 'old' }) }),
    ]);
    expect(channel(state).messages).toEqual({});
    expect(channel(state).threads).toEqual({});
    expect(channel(state).channel.last_seq).toBe(7);
  });

  it('groups reactions as the server does: groups by first reaction, members in order, on replies too', () => {
    const state = apply(start(), [
      event(3, 'message.created', { message: message('m1', 3) }),
      event(4, 'message.created', { message: message('r1', 4, { thread_root_id: 'm1' }) }),
      event(5, 'reaction.added', { message_id: 'm1', emoji: 'a', member_id: ME }),
      event(6, 'reaction.added', { message_id: 'm1', emoji: 'a', member_id: 'bob' }),
      event(7, 'reaction.added', { message_id: 'm1', emoji: 'b', member_id: 'bob' }),
      event(8, 'reaction.removed', { message_id: 'm1', emoji: 'a', member_id: ME }),
      event(9, 'reaction.added', { message_id: 'm1', emoji: 'a', member_id: ME }),
      event(10, 'reaction.added', { message_id: 'm1', emoji: 'a', member_id: ME }), // already there: no change
      event(11, 'reaction.added', { message_id: 'm1', emoji: 'c', member_id: ME }),
      event(12, 'reaction.removed', { message_id: 'm1', emoji: 'c', member_id: ME }),
      event(13, 'reaction.removed', { message_id: 'm1', emoji: 'zzz', member_id: ME }), // not there: no change
      event(14, 'reaction.added', { message_id: 'r1', emoji: 'tada', member_id: 'bob' }),
    ]);
    expect(channel(state).messages.m1?.reactions).toEqual([
      { emoji: 'a', count: 2, member_ids: ['bob', ME] },
      { emoji: 'b', count: 1, member_ids: ['bob'] },
    ]);
    expect(threadReplies(channel(state), 'm1')[0]?.reactions).toEqual([{ emoji: 'tada', count: 1, member_ids: ['bob'] }]);
  });

  it('marks messages pinned and unpinned, replies too; doc events leave the message state alone', () => {
    const pin = (messageId: string, seq: number) => ({ message_id: messageId, channel_id: CH, pinned_by: 'bob', pinned_at: at(seq), note: null, seq });
    let state = apply(start(), [
      event(3, 'message.created', { message: message('m1', 3) }),
      event(4, 'message.created', { message: message('r1', 4, { thread_root_id: 'm1' }) }),
      event(5, 'pin.added', { pin: pin('m1', 5) }),
      event(6, 'pin.added', { pin: pin('r1', 6) }),
      event(7, 'pin.added', { pin: pin('unknown', 7) }),
    ]);
    expect(channel(state).messages.m1?.pinned).toBe(true);
    expect(threadReplies(channel(state), 'm1')[0]?.pinned).toBe(true);
    state = applyEvent(state, event(8, 'pin.removed', { message_id: 'm1', removed_by: 'bob' }));
    expect(channel(state).messages.m1?.pinned).toBe(false);
    const doc = { id: 'd1', org_id: ORG, channel_id: CH, title: 'Runbook', revision: 1, agent_guide: false, body_length: 3, created_by: ME, created_at: at(9), updated_by: ME, updated_at: at(9), archived_at: null };
    const after = applyEvent(state, event(9, 'doc.created', { doc }));
    expect(channel(after).messages).toBe(channel(state).messages);
    expect(channel(after).channel.last_seq).toBe(9);
  });

  it('tracks members and roles', () => {
    const state = apply(start(), [
      event(3, 'member.joined', { member_id: 'carol', role: 'member', added_by: ME, channel: channelView(3) }),
      event(4, 'member.role_changed', { member_id: 'carol', role: 'moderator' }),
      event(5, 'member.left', { member_id: 'bob', removed_by: ME }),
    ]);
    expect(channel(state).members).toEqual({ [ME]: 'owner', carol: 'moderator' });
  });

  it('adds a channel the viewer joins, to be loaded, and drops one it leaves', () => {
    const other = 'ch-2';
    let state = apply(start(), [
      event(7, 'message.created', { message: { ...message('x', 7), channel_id: other } }, other), // not followed: ignored
      event(8, 'member.joined', { member_id: 'bob', role: 'member', added_by: null, channel: channelView(8, { id: other }) }, other), // someone else
    ]);
    expect(Object.keys(state.channels)).toEqual([CH]);

    state = applyEvent(state, event(9, 'member.joined', { member_id: ME, role: 'member', added_by: 'bob', channel: channelView(9, { id: other, kind: 'private' }) }, other));
    expect(channel(state, other)).toEqual({ channel: channelView(9, { id: other, kind: 'private' }), members: { [ME]: 'member' }, messages: {}, threads: {}, loaded: false });
    expect(channelsToLoad(state)).toEqual([other]);

    state = applyEvent(state, event(3, 'member.left', { member_id: ME, removed_by: 'bob' }));
    expect(Object.keys(state.channels)).toEqual([other]);
  });

  it('replaces the channel view on updates and archiving, and asks for a reload when history visibility changes', () => {
    const renamed = channelView(3, { name: 'renamed', topic: 'new topic' });
    let state = apply(start(), [
      event(3, 'channel.updated', { channel: renamed, changed: ['name', 'topic'] }),
      event(4, 'channel.archived', { channel: channelView(4, { name: 'renamed', topic: 'new topic', archived_at: at(4) }) }),
    ]);
    expect(channel(state).channel).toEqual(channelView(4, { name: 'renamed', topic: 'new topic', archived_at: at(4) }));
    expect(channelsToLoad(state)).toEqual([]);

    const sinceJoin = channelView(5, { name: 'renamed', topic: 'new topic', archived_at: at(4), settings: { ...renamed.settings, history_for_new_members: 'since_join' } });
    state = applyEvent(state, event(5, 'channel.updated', { channel: sinceJoin, changed: ['history_for_new_members'] }));
    expect(channelsToLoad(state)).toEqual([CH]);
  });

  it('never mutates the state it is given', () => {
    const frozen = deepFreeze(apply(start(), [event(3, 'message.created', { message: message('m1', 3) })]));
    const events = [
      event(4, 'reaction.added', { message_id: 'm1', emoji: 'a', member_id: ME }),
      event(5, 'message.edited', { message: message('m1', 3, { body: 'x', edited_at: at(5) }) }),
      event(6, 'member.left', { member_id: 'bob', removed_by: ME }),
    ];
    const copy = structuredClone(frozen);
    expect(() => apply(frozen, events)).not.toThrow();
    expect(frozen).toEqual(copy);
  });
});

// ── replays converge ───────────────────────────────────────────────────────

/**
 * A tiny model of one channel that produces the events a server would: what
 * matters here is that every change is an event, as on the server.
 */
type Op =
  | { op: 'post'; author: number }
  | { op: 'reply'; author: number; root: number }
  | { op: 'edit'; target: number }
  | { op: 'delete'; target: number }
  | { op: 'react'; member: number; target: number; emoji: number }
  | { op: 'unreact'; member: number; target: number; emoji: number }
  | { op: 'join'; member: number }
  | { op: 'leave'; member: number }
  | { op: 'rename'; name: number };

const people = [ME, 'bob', 'carol'];
const emojis = ['a', 'b', 'c'];
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constant('post' as const), author: fc.nat(2) }),
  fc.record({ op: fc.constant('reply' as const), author: fc.nat(2), root: fc.nat(20) }),
  fc.record({ op: fc.constant('edit' as const), target: fc.nat(20) }),
  fc.record({ op: fc.constant('delete' as const), target: fc.nat(20) }),
  fc.record({ op: fc.constant('react' as const), member: fc.nat(2), target: fc.nat(20), emoji: fc.nat(2) }),
  fc.record({ op: fc.constant('unreact' as const), member: fc.nat(2), target: fc.nat(20), emoji: fc.nat(2) }),
  fc.record({ op: fc.constant('join' as const), member: fc.integer({ min: 1, max: 2 }) }),
  fc.record({ op: fc.constant('leave' as const), member: fc.integer({ min: 1, max: 2 }) }),
  fc.record({ op: fc.constant('rename' as const), name: fc.nat(5) }),
);

/** Runs ops through the reducer as the source of truth, and returns every event and the state after each. */
function simulate(ops: Op[]): { events: ChannelEvent[]; states: WorkspaceState[] } {
  let state = start();
  const states = [state];
  const events: ChannelEvent[] = [];
  let seq = 2;
  const emit = (e: (s: number) => ChannelEvent) => {
    const ev = e(++seq);
    events.push(ev);
    state = applyEvent(state, ev);
    states.push(state);
  };
  const all = () => [...timeline(channel(state)), ...Object.keys(channel(state).threads).flatMap((r) => threadReplies(channel(state), r))];
  for (const o of ops) {
    const list = all();
    const target = 'target' in o ? list[o.target % Math.max(1, list.length)] : undefined;
    switch (o.op) {
      case 'post':
        emit((s) => event(s, 'message.created', { message: message(`m${s}`, s, { author: { id: people[o.author]!, handle: 'h', display_name: 'H', kind: 'human' } }) }));
        break;
      case 'reply': {
        const roots = timeline(channel(state)).filter((m) => !m.deleted_at);
        const root = roots[o.root % Math.max(1, roots.length)];
        if (!root) break;
        emit((s) => event(s, 'message.created', { message: message(`m${s}`, s, { thread_root_id: root.id }) }));
        const replies = threadReplies(channel(state), root.id);
        emit((s) => event(s, 'thread.updated', { thread: { root_id: root.id, reply_count: replies.length, last_reply_at: at(s), participants: [ME] } }));
        break;
      }
      case 'edit':
        if (target && !target.deleted_at) emit((s) => event(s, 'message.edited', { message: { ...target, body: `edit ${s}`, edited_at: at(s) } }));
        break;
      case 'delete':
        if (target && !target.deleted_at) emit((s) => event(s, 'message.deleted', { message: { ...target, body: '', reactions: [], deleted_at: at(s) } }));
        break;
      case 'react':
      case 'unreact': {
        if (!target || target.deleted_at) break;
        const has = target.reactions.some((g) => g.emoji === emojis[o.emoji] && g.member_ids.includes(people[o.member]!));
        if (has === (o.op === 'react')) break;
        emit((s) => event(s, o.op === 'react' ? 'reaction.added' : 'reaction.removed', { message_id: target.id, emoji: emojis[o.emoji]!, member_id: people[o.member]! }));
        break;
      }
      case 'join':
        if (!channel(state).members[people[o.member]!]) emit((s) => event(s, 'member.joined', { member_id: people[o.member]!, role: 'member', added_by: null, channel: { ...channel(state).channel, last_seq: s } }));
        break;
      case 'leave':
        if (channel(state).members[people[o.member]!]) emit((s) => event(s, 'member.left', { member_id: people[o.member]!, removed_by: null }));
        break;
      case 'rename':
        emit((s) => event(s, 'channel.updated', { channel: { ...channel(state).channel, name: `name-${o.name}`, last_seq: s }, changed: ['name'] }));
        break;
    }
  }
  return { events, states };
}

describe('channel store: replays converge', () => {
  it('a snapshot whose parts were read at different times, plus the events after its channel view, equals the final state', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 40 }), fc.nat(), fc.nat(), (ops, a, b) => {
        const { events, states } = simulate(ops);
        const final = states.at(-1)!;
        // The channel view is read at `early`; members, history and threads later, at `late`.
        const early = a % states.length;
        const late = early + (b % (states.length - early));
        const view = channel(states[early]!).channel;
        const later = channel(states[late]!);
        const snapshot: ChannelState = { ...later, channel: view };
        const rebuilt = loadChannel(emptyWorkspace(ME), snapshot, events);
        expect(rebuilt).toEqual(final);
      }),
      { numRuns: 300 },
    );
  });

  it('a duplicate of any event changes nothing', () => {
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 1, maxLength: 30 }), (ops) => {
        const { events, states } = simulate(ops);
        if (events.length === 0) return;
        const final = states.at(-1)!;
        for (const e of events) expect(applyEvent(final, e)).toBe(final);
      }),
      { numRuns: 100 },
    );
  });
});

describe('channel store: loading a channel', () => {
  it('replaces the channel with the snapshot and replays only what came after it', () => {
    const joined = applyEvent(emptyWorkspace(ME), event(5, 'member.joined', { member_id: ME, role: 'member', added_by: 'bob', channel: channelView(5) }));
    const received = [
      event(5, 'member.joined', { member_id: ME, role: 'member', added_by: 'bob', channel: channelView(5) }),
      event(6, 'message.created', { message: message('m6', 6) }),
      event(7, 'message.created', { message: message('m7', 7) }),
    ];
    const withEvents = apply(joined, received.slice(1));
    // The snapshot was read at seq 6: it has m1 (history from before the join) and m6.
    const snapshot = channelFromSnapshot({
      channel: channelView(6),
      members: [{ member: { id: ME }, role: 'member' }, { member: { id: 'bob' }, role: 'owner' }],
      history: [{ messages: [message('m1', 1), message('m6', 6)] }],
      threads: {},
    });
    const loaded = loadChannel(withEvents, snapshot, received);
    expect(timeline(channel(loaded)).map((m) => m.id)).toEqual(['m1', 'm6', 'm7']);
    expect(channel(loaded).members).toEqual({ [ME]: 'member', bob: 'owner' });
    expect(channel(loaded).loaded).toBe(true);
    expect(channel(loaded).channel.last_seq).toBe(7);
  });

  it('ignores a snapshot read after the viewer left (a public channel stays readable)', () => {
    const left = applyEvent(start(), event(3, 'member.left', { member_id: ME, removed_by: 'bob' }));
    const snapshot = channelFromSnapshot({ channel: channelView(3), members: [{ member: { id: 'bob' }, role: 'member' }], history: [], threads: {} });
    expect(loadChannel(left, snapshot)).toBe(left);
  });
});

describe('channel store: merging pages into a followed channel', () => {
  it('adds older messages and thread replies without replacing what events delivered', () => {
    const live = apply(start(), [event(3, 'message.created', { message: message('m3', 3) }), event(4, 'message.edited', { message: { ...message('m3', 3), body: 'edited', edited_at: at(4) } })]);
    const merged = mergeMessages(live, CH, [message('m1', 1), message('m2', 2), message('m3', 3), message('r1', 5, { thread_root_id: 'm1' })]);
    expect(timeline(channel(merged)).map((m) => [m.id, m.body])).toEqual([['m1', 'body of m1'], ['m2', 'body of m2'], ['m3', 'edited']]);
    expect(threadReplies(channel(merged), 'm1').map((m) => m.id)).toEqual(['r1']);
    expect(mergeMessages(merged, CH, [message('m1', 1)])).toBe(merged);
  });

  it('replays the events that arrived while the page was in flight, which the reducer skipped for want of the message', () => {
    const whileFetching = [
      event(3, 'message.edited', { message: { ...message('m1', 1), body: 'edited meanwhile', edited_at: at(3) } }),
      event(4, 'reaction.added', { message_id: 'm2', emoji: '👍', member_id: 'bob' }),
      event(5, 'message.deleted', { message: { ...message('m2', 2), body: '', deleted_at: at(5) } }),
    ];
    const live = apply(start(), whileFetching);
    // The reducer could not apply them: it held neither message.
    expect(channel(live).messages).toEqual({});
    // The page was read before those changes.
    const merged = mergeMessages(live, CH, [message('m1', 1), message('m2', 2)], whileFetching);
    const [m1, m2] = timeline(channel(merged));
    expect(m1?.body).toBe('edited meanwhile');
    expect(m2?.deleted_at).toBe(at(5));
    expect(channel(merged).channel.last_seq).toBe(5);
    // A page read after the changes, replayed over again, is the same.
    expect(timeline(channel(mergeMessages(live, CH, [{ ...message('m1', 1), body: 'edited meanwhile', edited_at: at(3) }], whileFetching)))[0]?.body).toBe('edited meanwhile');
  });
});
