import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import type { MemberView, MessageView } from '@chorus/sdk';
import { MessageList } from './MessageList.js';
import { MessageListCtx, type MessageListContext } from '../messages/MessageContext.js';
import { ana, bob, helper, makeStore, message, withStore, type Recorded } from '../../test/harness.js';

afterEach(cleanup);

// happy-dom does not lay out: give the list the viewport and the rows the heights a browser would
// (the virtualiser reads the viewport from clientHeight and each row from offsetHeight).
const heightOf = (el: Element) => (el.classList.contains('message-list') ? 600 : el.classList.contains('row') ? 40 : 0);
const props = ['clientHeight', 'clientWidth', 'offsetHeight', 'offsetWidth'] as const;
const saved = props.map((p) => [p, Object.getOwnPropertyDescriptor(HTMLElement.prototype, p) ?? Object.getOwnPropertyDescriptor(Element.prototype, p)] as const);
beforeAll(() => {
  for (const p of props) {
    Object.defineProperty(HTMLElement.prototype, p, { configurable: true, get(this: HTMLElement) { return p.endsWith('Width') ? 800 : heightOf(this); } });
  }
});
afterAll(() => {
  for (const [p, descriptor] of saved) {
    if (descriptor) Object.defineProperty(HTMLElement.prototype, p, descriptor);
    else Reflect.deleteProperty(HTMLElement.prototype, p);
  }
});

function renderList(messages: MessageView[], options: { lastReadSeq?: number | null; hasMoreBefore?: boolean; onLoadOlder?: () => void; answer?: (r: Recorded) => unknown; members?: MemberView[] } = {}) {
  const { store, requests } = makeStore(messages, options.answer);
  const list: MessageListContext = {
    me: ana,
    members: Object.fromEntries((options.members ?? [ana, bob, helper]).map((m) => [m.id, m])),
    markdown: { handles: new Set(['ana', 'bob', 'helper']), me: 'ana' },
    editingId: null,
    setEditingId: () => undefined,
    inThread: false,
  };
  const view = (ms: MessageView[], ctx = list) => withStore(store, (
    <MessageListCtx.Provider value={ctx}>
      <MessageList label="Messages in #general" messages={ms} lastReadSeq={options.lastReadSeq ?? null} me={ana.id} hasMoreBefore={options.hasMoreBefore ?? false} loadingOlder={false} onLoadOlder={options.onLoadOlder ?? (() => undefined)} />
    </MessageListCtx.Provider>
  ));
  const result = render(view(messages));
  return { store, requests, list, rerender: (ms: MessageView[], ctx?: MessageListContext) => { result.rerender(view(ms, ctx)); } };
}

const articles = () => screen.getAllByRole('article');

describe('the message list', () => {
  it('shows authors, bodies as markdown, agents badged, and the start of the history', () => {
    renderList([message(1, bob, 'hello **there** @ana'), message(2, helper, 'I can help')]);
    const [first, second] = articles();
    expect(within(first!).getByText('Bob')).toBeTruthy();
    expect(first!.querySelector('strong')?.textContent).toBe('there');
    expect(first!.querySelector('.mention-me')?.textContent).toBe('@ana');
    expect(second!.getAttribute('aria-label')).toMatch(/^Helper bot \(agent\)/);
    expect(within(second!).getByText('agent')).toBeTruthy();
    expect(screen.getByText('This is the beginning of the conversation.')).toBeTruthy();
  });

  it('tells each message its place among those loaded, and moves between messages with the arrows', () => {
    renderList([message(1, bob, 'one'), message(2, helper, 'two'), message(3, bob, 'three')], { hasMoreBefore: true });
    expect(articles().map((a) => [a.getAttribute('aria-posinset'), a.getAttribute('aria-setsize')])).toEqual([['1', '-1'], ['2', '-1'], ['3', '-1']]);
    const log = screen.getByRole('log', { name: 'Messages in #general' });
    expect(log.getAttribute('aria-describedby')).toBe('message-list-hint');
    fireEvent.keyDown(log, { key: 'ArrowUp' });
    expect(document.activeElement?.textContent).toContain('three');
    fireEvent.keyDown(document.activeElement!, { key: 'ArrowUp' });
    expect(document.activeElement?.textContent).toContain('two');
    // The toolbar of the focused message is one Tab stop; → moves along it.
    const toolbar = within(document.activeElement as HTMLElement).getByRole('toolbar', { name: 'Message actions' });
    const buttons = within(toolbar).getAllByRole('button');
    expect(buttons.map((b) => b.tabIndex)).toEqual([0, ...buttons.slice(1).map(() => -1)]);
    buttons[0]!.focus();
    fireEvent.keyDown(buttons[0]!, { key: 'ArrowRight' });
    expect(document.activeElement).toBe(buttons[1]);
    expect([buttons[0]!.tabIndex, buttons[1]!.tabIndex]).toEqual([-1, 0]);
  });

  it('renders only a window of a long channel', () => {
    const many = Array.from({ length: 2000 }, (_, i) => message(i + 1, i % 2 ? ana : bob, `message ${i + 1}`));
    renderList(many, { hasMoreBefore: true });
    const shown = articles().length;
    expect(shown).toBeGreaterThan(0);
    expect(shown).toBeLessThan(100);
  });

  it('puts the unread divider before the first message someone else wrote after the last read one', () => {
    renderList([message(1, bob, 'old'), message(2, ana, 'mine'), message(3, bob, 'new one'), message(4, bob, 'newer')], { lastReadSeq: 1 });
    const log = screen.getByRole('log');
    const order = [...log.querySelectorAll('[role="separator"], article')].map((el) => (el.tagName === 'ARTICLE' ? el.querySelector('.markdown')?.textContent?.trim() : 'divider'));
    expect(order).toEqual(['old', 'mine', 'divider', 'new one', 'newer']);
  });

  it('groups a run of one author\'s messages under one header', () => {
    renderList([message(1, bob, 'a'), message(2, bob, 'b'), message(3, ana, 'c')]);
    expect(articles().map((a) => a.querySelector('.author')?.textContent ?? null)).toEqual(['Bob', null, 'Ana']);
  });

  it('heads each run of one author with their avatar, presence and custom status, from the directory, fetching each picture once', async () => {
    const pictured = { ...bob, avatar_url: '/api/v1/members/m-bob/avatar?v=1', custom_status: { emoji: '🌴', text: 'On leave', expires_at: null } };
    const { store, requests } = renderList([message(1, bob, 'a'), message(2, bob, 'b'), message(3, helper, 'c'), message(4, bob, 'd', { created_at: '2026-01-01T10:00:00Z' })], { members: [ana, pictured, helper] });
    store.seed({ presence: { [bob.id]: 'online' } });
    const [first, second, third, fourth] = articles();
    await waitFor(() => { expect(first!.querySelector('.message-header img.avatar')).toBeTruthy(); });
    expect(within(first!).getByText(/On leave/).textContent).toBe('🌴 On leave');
    expect(within(first!).getByRole('img', { name: 'online' })).toBeTruthy();
    // A compact row has no header; the agent keeps its badge, with its initials for an avatar.
    expect(second!.querySelector('.avatar')).toBeNull();
    expect(third!.querySelector('.avatar-initials')?.textContent).toBe('HB');
    expect(within(third!).getByText('agent')).toBeTruthy();
    expect(within(third!).getByRole('img', { name: 'offline' })).toBeTruthy();
    await waitFor(() => { expect(fourth!.querySelector('.message-header img.avatar')).toBeTruthy(); });
    expect(requests.filter((r) => r.path.includes('/members/m-bob/avatar'))).toHaveLength(1);
  });

  it('asks for older messages when the top is near and there are more', () => {
    let asked = 0;
    renderList([message(101, bob, 'x'), message(102, bob, 'y')], { hasMoreBefore: true, onLoadOlder: () => { asked += 1; } });
    expect(asked).toBeGreaterThan(0);
    expect(screen.queryByText('This is the beginning of the conversation.')).toBeNull();
  });

  it('shows reactions, edited and deleted messages; the reader\'s own reaction is pressed and toggles off', () => {
    const { requests } = renderList([
      message(1, bob, 'react to me', { reactions: [{ emoji: '👍', count: 2, member_ids: [bob.id, ana.id] }] }),
      message(2, bob, 'changed', { edited_at: '2026-01-01T10:00:00Z' }),
      message(3, bob, '', { deleted_at: '2026-01-01T10:00:00Z' }),
    ]);
    const reaction = screen.getByRole('button', { name: /👍 2: Bob, Ana/ });
    expect(reaction.getAttribute('aria-pressed')).toBe('true');
    fireEvent.click(reaction);
    expect(requests.at(-1)).toMatchObject({ method: 'DELETE', path: `/messages/msg-1/reactions/${encodeURIComponent('👍')}` });
    expect(screen.getByText('(edited)')).toBeTruthy();
    expect(screen.getByText('This message was deleted.')).toBeTruthy();
  });

  it('offers edit and delete on one\'s own messages only, and a thread reply on every message', () => {
    renderList([message(1, bob, 'theirs'), message(2, ana, 'mine')]);
    const [theirs, mine] = articles();
    const names = (a: HTMLElement) => within(a).getAllByRole('button').map((b) => b.getAttribute('aria-label'));
    expect(names(theirs!)).not.toContain('Edit message');
    expect(names(theirs!)).toContain('Reply in thread');
    expect(names(mine!)).toEqual(expect.arrayContaining(['Edit message', 'Delete message', 'Reply in thread']));
  });

  it('edits in place: Enter saves over REST, Escape cancels', () => {
    const { requests, list, rerender } = renderList([message(1, ana, 'first draft')]);
    rerender([message(1, ana, 'first draft')], { ...list, editingId: 'msg-1' });
    const box = screen.getByRole('textbox', { name: 'Edit message' });
    fireEvent.change(box, { target: { value: 'final text' } });
    fireEvent.keyDown(box, { key: 'Enter' });
    expect(requests.at(-1)).toMatchObject({ method: 'PATCH', path: '/messages/msg-1', body: { body: 'final text' } });
  });

  it('never puts message HTML into the page', () => {
    renderList([message(1, bob, '<img src=x onerror="window.__xss=1"> <script>window.__xss=2</script> [x](javascript:window.__xss=3)')]);
    const body = articles()[0]!.querySelector('.markdown')!;
    expect(body.querySelectorAll('img, script, a')).toHaveLength(0);
    expect(body.textContent).toContain('<script>');
    expect((window as { __xss?: number }).__xss).toBeUndefined();
  });

  it("shows an agent's reasoning steps once, collapsed under its reply, not also as rows", () => {
    renderList([
      message(1, ana, '@helper why is the build red?'),
      message(2, helper, 'Looking at the CI log.', { kind: 'agent_reasoning' }),
      message(3, helper, 'The lockfile is stale.'),
    ], { answer: () => ({ tasks: [] }) });
    expect(articles()).toHaveLength(2);
    expect(screen.getByText('Reasoning (1 step)')).toBeTruthy();
    expect(screen.getAllByText('Looking at the CI log.', { exact: false })).toHaveLength(1);
  });
});
