import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ChannelEvent } from '@chorus/protocol/events';
import type { MessageView } from '@chorus/protocol/views';
import { countEvent, countsFromList, readUpTo, zeroCounts, type UnreadCounts, type UnreadViewer } from './unread.js';

const CH = 'ch-1';
const ME = 'me';
const me: UnreadViewer = { memberId: ME };
const at = (n: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, n)).toISOString();

function message(id: string, seq: number, author: string, overrides: Partial<MessageView> = {}): MessageView {
  return {
    id, channel_id: CH, seq, kind: 'chat', audience: 'all',
    author: { id: author, handle: author, display_name: author, kind: 'human' },
    body: id, sources: [], thread_root_id: null, thread: null, mentions: { member_ids: [], channel: false, here: false, agents: false },
    reactions: [], pinned: false, stream: null, attachments: [], created_at: at(seq), edited_at: null, deleted_at: null,
    ...overrides,
  };
}

const created = (m: MessageView): ChannelEvent => ({ org_id: 'org-1', channel_id: CH, seq: m.seq, type: 'message.created', actor_id: m.author.id, payload: { message: m }, created_at: m.created_at });
const deleted = (m: MessageView, seq: number): ChannelEvent =>
  ({ org_id: 'org-1', channel_id: CH, seq, type: 'message.deleted', actor_id: m.author.id, payload: { message: { ...m, body: '', mentions: { member_ids: [], channel: false, here: false, agents: false }, deleted_at: at(seq) } }, created_at: at(seq) });
const mention = (ids: string[]) => ({ mentions: { member_ids: ids, channel: false, here: false, agents: false } });

describe('live unread and mention counts', () => {
  it('count a new message by someone else as unread, and as a mention when it names me', () => {
    let c = countsFromList({ unread_count: 2, mention_count: 0, membership: { last_read_seq: 4 } });
    c = countEvent(c, created(message('a', 7, 'bob')), me);
    expect([c.unread, c.mentions]).toEqual([3, 0]);
    c = countEvent(c, created(message('b', 8, 'bob', mention([ME]))), me);
    expect([c.unread, c.mentions]).toEqual([4, 1]);
    // @channel and @here address me too; @agents only an agent.
    c = countEvent(c, created(message('c', 9, 'bob', { mentions: { member_ids: [], channel: false, here: true, agents: false } })), me);
    expect([c.unread, c.mentions]).toEqual([5, 2]);
    const agents = message('d', 10, 'bob', { mentions: { member_ids: [], channel: false, here: false, agents: true } });
    expect(countEvent(c, created(agents), me).mentions).toBe(2);
    expect(countEvent(c, created(agents), { memberId: ME, agent: true }).mentions).toBe(3);
  });

  it('ignore my own messages, replays and what is already read; a reply mentioning me is a mention, not an unread', () => {
    const c = zeroCounts(5);
    expect(countEvent(c, created(message('mine', 6, ME)), me)).toBe(c);
    expect(countEvent(c, created(message('old', 5, 'bob')), me)).toBe(c);
    const once = countEvent(c, created(message('a', 6, 'bob')), me);
    expect(countEvent(once, created(message('a', 6, 'bob')), me)).toBe(once);
    expect(countEvent(c, created(message('r', 7, 'bob', { thread_root_id: 'a' })), me)).toBe(c);
    const reply = countEvent(c, created(message('r', 7, 'bob', { thread_root_id: 'a', ...mention([ME]) })), me);
    expect([reply.unread, reply.mentions]).toEqual([0, 1]);
  });

  it('take a deleted message back', () => {
    const m = message('a', 6, 'bob', mention([ME]));
    let c = countEvent(zeroCounts(5), created(m), me);
    c = countEvent(c, deleted(m, 7), me);
    expect([c.unread, c.mentions]).toEqual([0, 0]);
    // Counted by the server before the snapshot: its unread goes.
    const listed = countsFromList({ unread_count: 1, mention_count: 0, membership: { last_read_seq: 3 } });
    expect(countEvent(listed, deleted(message('x', 4, 'bob'), 8), me).unread).toBe(0);
  });

  it('clear on a read up to the head (another device of mine read it), keeping what came after an older cursor', () => {
    let c = countsFromList({ unread_count: 3, mention_count: 1, membership: { last_read_seq: 2 } });
    c = countEvent(c, created(message('a', 6, 'bob')), me);
    c = countEvent(c, created(message('b', 7, 'bob', mention([ME]))), me);
    const older = readUpTo(c, 6);
    expect([older.unread, older.mentions, older.lastReadSeq]).toEqual([1, 1, 6]);
    expect(readUpTo(older, 5)).toBe(older);
    expect(readUpTo(older, 7)).toEqual(zeroCounts(7));
  });

  it('agree with the server\'s rule for any sequence of messages, deletions and reads', () => {
    const step = fc.oneof(
      fc.record({ kind: fc.constant('post' as const), author: fc.constantFrom(ME, 'bob', 'gus'), reply: fc.boolean(), mentionMe: fc.boolean() }),
      fc.record({ kind: fc.constant('delete' as const), pick: fc.nat() }),
      fc.record({ kind: fc.constant('read' as const), back: fc.nat({ max: 3 }) }),
    );
    fc.assert(fc.property(fc.array(step, { maxLength: 40 }), (steps) => {
      let seq = 0;
      let counts: UnreadCounts = zeroCounts(0);
      let cursor = 0;
      const held: MessageView[] = [];
      for (const s of steps) {
        seq += 1;
        if (s.kind === 'post') {
          const root = held.find((m) => m.thread_root_id === null);
          const m = message(`m${seq}`, seq, s.author, { thread_root_id: s.reply && root ? root.id : null, ...mention(s.mentionMe ? [ME] : []) });
          held.push(m);
          counts = countEvent(counts, created(m), me);
        } else if (s.kind === 'delete') {
          const live = held.filter((m) => m.deleted_at === null);
          const m = live[s.pick % Math.max(1, live.length)];
          if (!m) continue;
          held[held.indexOf(m)] = { ...m, deleted_at: at(seq) };
          counts = countEvent(counts, deleted(m, seq), me);
        } else {
          cursor = Math.max(cursor, seq - s.back);
          counts = readUpTo(counts, seq - s.back);
        }
      }
      // The server's counts (channels/service.ts listJoined), over what was kept.
      const unseen = held.filter((m) => m.seq > cursor && m.deleted_at === null && m.author.id !== ME);
      expect(counts.unread).toBe(unseen.filter((m) => m.thread_root_id === null).length);
      expect(counts.mentions).toBe(unseen.filter((m) => m.mentions.member_ids.includes(ME)).length);
    }));
  });
});
