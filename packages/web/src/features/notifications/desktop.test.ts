import { describe, expect, it } from 'vitest';
import type { ChannelEvent, MemberView, MessageView, TaskView } from '@chorus/sdk';
import { noticeFor, type NoticeContext } from './desktop.js';

const me = { id: 'me', display_name: 'Me' } as MemberView;
const message = (over: Partial<MessageView> = {}): MessageView =>
  ({
    id: 'm1', channel_id: 'c1', seq: 1, kind: 'chat', author: { id: 'bea', handle: 'bea', display_name: 'Bea', kind: 'human' }, body: 'hello',
    mentions: { member_ids: [], channel: false, here: false, agents: false }, deleted_at: null, ...over,
  }) as MessageView;
const created = (m: MessageView, channel = 'c1') => ({ type: 'message.created', channel_id: channel, payload: { message: m } }) as ChannelEvent;
const ctx = (over: Partial<NoticeContext> = {}): NoticeContext => ({
  me, level: 'mentions', muted: () => false, isDirect: (id) => id === 'dm', watching: () => false, channelName: (id) => `#${id}`, ...over,
});

describe('desktop notifications', () => {
  it('at the default level: mentions and direct messages notify, other messages do not', () => {
    expect(noticeFor(created(message()), ctx())).toBeNull();
    expect(noticeFor(created(message({ mentions: { member_ids: ['me'], channel: false, here: false, agents: false } })), ctx())).toMatchObject({ title: 'Bea in #c1', body: 'hello' });
    expect(noticeFor(created(message(), 'dm'), ctx())).toMatchObject({ title: 'Bea', channelId: 'dm' });
  });

  it('a muted channel, the channel in view, one’s own message and the level `none` never notify', () => {
    const mention = message({ mentions: { member_ids: ['me'], channel: false, here: false, agents: false } });
    expect(noticeFor(created(mention), ctx({ muted: (id) => id === 'c1' }))).toBeNull();
    expect(noticeFor(created(mention), ctx({ watching: (id) => id === 'c1' }))).toBeNull();
    expect(noticeFor(created(message({ author: { id: 'me', handle: 'me', display_name: 'Me', kind: 'human' } }), 'dm'), ctx())).toBeNull();
    expect(noticeFor(created(mention), ctx({ level: 'none' }))).toBeNull();
    expect(noticeFor(created(message()), ctx({ level: 'all' }))).not.toBeNull();
  });

  it("the person's finished agent task notifies; someone else's does not", () => {
    const task = (requester: string, status: TaskView['status']) => ({ type: 'task.updated', channel_id: 'c1', payload: { task: { id: 't1', requester_id: requester, status } } }) as ChannelEvent;
    expect(noticeFor(task('me', 'done'), ctx())).toMatchObject({ title: 'An agent finished your task', tag: 'task:t1' });
    expect(noticeFor(task('me', 'running'), ctx())).toBeNull();
    expect(noticeFor(task('bea', 'done'), ctx())).toBeNull();
  });
});
