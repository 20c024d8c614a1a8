import type { ChannelEvent, ChannelEventOf } from '@chorus/protocol/events';
import type { ChannelRole, ChannelView, MessageView, ReactionGroup, ThreadSummary } from '@chorus/protocol/views';
import type { Page, RestClient } from './rest.js';

/**
 * A client-side store of what a member sees in the channels it follows: a
 * pure reducer over channel events, and helpers that build the same state from
 * REST snapshots. A state built from a snapshot plus every event received after
 * it equals a fresh snapshot (the realtime consistency test checks this against
 * the server).
 *
 * The state is plain, immutable, JSON-serialisable data: `applyEvent` never
 * mutates its input, copies only what an event changes, and returns the very
 * same object for an event it skips, so UI frameworks can compare by reference.
 *
 * A client connects its socket first (so nothing is missed while it fetches),
 * builds the state from a snapshot, then applies every event; when
 * {@link channelsToLoad} names a channel (the viewer was just added to it, or
 * its history visibility changed), it fetches that channel and
 * {@link loadChannel}s it with the events received meanwhile. The realtime
 * consistency test's `Watcher` is a complete client.
 *
 * @example
 * const received: ChannelEvent[] = [];
 * socket.on('event', (event) => received.push(event));
 * const ready = await socket.connect();
 * let state = await fetchWorkspace(rest, orgId, ready.member.id);
 * for (const event of received) state = applyEvent(state, event);
 * socket.on('event', (event) => {
 *   state = applyEvent(state, event);
 *   for (const id of channelsToLoad(state)) void fetchChannel(rest, id).then((fresh) => (state = loadChannel(state, fresh, received)));
 * });
 */

/** One channel as a member's client holds it. */
export interface ChannelState {
  /**
   * The channel, with `last_seq` = the seq of the last event applied (or the
   * snapshot's). It may trail the channel's head: events about history hidden
   * from the viewer are not sent to it.
   */
  readonly channel: ChannelView;
  /** The channel's members: member id → channel role. */
  readonly members: Readonly<Record<string, ChannelRole>>;
  /** Top-level messages by id, tombstones of deleted ones included. Sort with {@link timeline}. */
  readonly messages: Readonly<Record<string, MessageView>>;
  /** Thread replies: root id → reply id → reply. Sort with {@link threadReplies}. */
  readonly threads: Readonly<Record<string, Readonly<Record<string, MessageView>>>>;
  /**
   * False when the client knows the channel only from events (the viewer was
   * just added), or when the history it may see changed: fetch a snapshot
   * ({@link fetchChannel}) and {@link loadChannel} it.
   */
  readonly loaded: boolean;
}

/** Everything the viewer follows in one org. */
export interface WorkspaceState {
  /** The viewer's member id: its own joins and leaves add and drop channels. */
  readonly memberId: string;
  /** The channels the viewer is a member of, by id (archived ones included). */
  readonly channels: Readonly<Record<string, ChannelState>>;
}

/** What a channel snapshot is made of: the REST answers, fetched in this order. */
export interface ChannelSnapshot {
  /** `GET /channels/:id`, fetched first: its `last_seq` is the seq the snapshot is complete up to. */
  channel: ChannelView;
  /** `GET /channels/:id/members`. */
  members: readonly { member: { id: string }; role: ChannelRole }[];
  /** Pages of `GET /channels/:id/messages`, in any order. */
  history: readonly Pick<Page, 'messages'>[];
  /** Pages of `GET /messages/:root/thread` for each root with replies: root id → pages. */
  threads: Readonly<Record<string, readonly Pick<Page, 'messages'>[]>>;
}

// ── building from snapshots ───────────────────────────────────────────────

/** An empty workspace for the viewer. */
export function emptyWorkspace(memberId: string): WorkspaceState {
  return { memberId, channels: {} };
}

/**
 * Builds a channel's state from REST answers. The channel view must have been
 * fetched before the rest: what the later answers show is at least as new, and
 * replaying the events after `channel.last_seq` over it converges.
 */
export function channelFromSnapshot(snapshot: ChannelSnapshot): ChannelState {
  const members: Record<string, ChannelRole> = {};
  for (const entry of snapshot.members) members[entry.member.id] = entry.role;
  const messages: Record<string, MessageView> = {};
  for (const page of snapshot.history) for (const m of page.messages) if (m.thread_root_id === null) messages[m.id] = m;
  const threads: Record<string, Record<string, MessageView>> = {};
  for (const [rootId, pages] of Object.entries(snapshot.threads)) {
    const replies: Record<string, MessageView> = {};
    for (const page of pages) for (const m of page.messages) replies[m.id] = m;
    if (Object.keys(replies).length > 0) threads[rootId] = replies;
  }
  return { channel: snapshot.channel, members, messages, threads, loaded: true };
}

/** A workspace from the snapshots of the viewer's channels. */
export function workspaceFromSnapshots(memberId: string, snapshots: readonly ChannelSnapshot[]): WorkspaceState {
  const channels: Record<string, ChannelState> = {};
  for (const s of snapshots) channels[s.channel.id] = channelFromSnapshot(s);
  return { memberId, channels };
}

/**
 * Puts a freshly fetched channel into the workspace, replacing what was there,
 * then replays `received` (the events the client got meanwhile; those of other
 * channels and those the snapshot already covers are skipped). A snapshot that
 * does not list the viewer as a member (read after it left a public channel)
 * changes nothing: the viewer's `member.left` drops the channel.
 */
export function loadChannel(state: WorkspaceState, channel: ChannelState, received: readonly ChannelEvent[] = []): WorkspaceState {
  if (!channel.members[state.memberId]) return state;
  let next: WorkspaceState = { ...state, channels: { ...state.channels, [channel.channel.id]: channel } };
  for (const event of received) if (event.channel_id === channel.channel.id) next = applyEvent(next, event);
  return next;
}

/** The channels whose state must be fetched (see {@link ChannelState.loaded}). */
export function channelsToLoad(state: WorkspaceState): string[] {
  return Object.values(state.channels)
    .filter((c) => !c.loaded)
    .map((c) => c.channel.id);
}

/** A channel's top-level messages, oldest first. */
export function timeline(channel: ChannelState): MessageView[] {
  return Object.values(channel.messages).sort((a, b) => a.seq - b.seq);
}

/** A thread's replies, oldest first. */
export function threadReplies(channel: ChannelState, rootId: string): MessageView[] {
  return Object.values(channel.threads[rootId] ?? {}).sort((a, b) => a.seq - b.seq);
}

/** The event types that change a message the state holds; replaying one is idempotent. */
const messageEventTypes: ReadonlySet<ChannelEvent['type']> = new Set([
  'message.created', 'message.edited', 'message.deleted', 'thread.updated', 'reaction.added', 'reaction.removed', 'pin.added', 'pin.removed',
]);

/**
 * Adds a page of messages fetched while the client was already following the
 * channel (older history as the reader scrolls back, or a thread opened in a
 * pane): top-level messages and replies alike, each only if not held already
 * (what events delivered is at least as new). Then `received` — the channel's
 * events that arrived while the page was in flight — is replayed over it, so a
 * change the page missed (an edit, a reaction, a delete that the reducer skipped
 * because it did not hold the message yet) is not lost. Replaying a message
 * event is idempotent, so events the page already reflects change nothing.
 *
 * This is how a client holds only a window of a long channel: it loads the
 * latest page, follows the socket, and merges older pages on demand.
 *
 * @example
 * const since = received.length;
 * const page = await rest.history(channelId, { before: oldestSeq, limit: 100 });
 * state = mergeMessages(state, channelId, page.messages, received.slice(since));
 */
export function mergeMessages(state: WorkspaceState, channelId: string, messages: readonly MessageView[], received: readonly ChannelEvent[] = []): WorkspaceState {
  const current = state.channels[channelId];
  if (!current) return state;
  let topLevel: Record<string, MessageView> | null = null;
  let threads: Record<string, Record<string, MessageView>> | null = null;
  for (const m of messages) {
    if (m.channel_id !== channelId) continue;
    const rootId = m.thread_root_id;
    if (rootId === null) {
      if (current.messages[m.id] || topLevel?.[m.id]) continue;
      topLevel ??= { ...current.messages };
      topLevel[m.id] = m;
    } else {
      threads ??= { ...current.threads };
      const replies = threads[rootId] ?? {};
      if (replies[m.id]) continue;
      threads[rootId] = { ...replies, [m.id]: m };
    }
  }
  if (!topLevel && !threads) return state;
  let next: ChannelState = { ...current, messages: topLevel ?? current.messages, threads: threads ?? current.threads };
  for (const event of received) if (event.channel_id === channelId && messageEventTypes.has(event.type)) next = applyChannelEvent(next, event);
  return { ...state, channels: { ...state.channels, [channelId]: next } };
}

// ── fetching snapshots ────────────────────────────────────────────────────

/** The REST calls a snapshot needs; a {@link RestClient} has them. */
export type SnapshotSource = Pick<RestClient, 'channel' | 'channelMembers' | 'history' | 'thread' | 'channels'>;

/** Fetches everything the viewer may see of a channel: its view, members, whole history and every thread. */
export async function fetchChannelSnapshot(rest: SnapshotSource, channelId: string, pageSize = 200): Promise<ChannelSnapshot> {
  const { channel } = await rest.channel(channelId);
  const { members } = await rest.channelMembers(channelId);
  const history: Page[] = [];
  let page = await rest.history(channelId, { limit: pageSize });
  history.push(page);
  // Back from the latest page, oldest first within each.
  while (page.has_more_before && page.messages[0]) {
    page = await rest.history(channelId, { before: page.messages[0].seq, limit: pageSize });
    history.push(page);
  }
  const threads: Record<string, Page[]> = {};
  for (const root of history.flatMap((p) => p.messages)) {
    if (!root.thread || root.thread.reply_count === 0) continue;
    const pages: Page[] = [];
    let replies: Page = await rest.thread(root.id, { after: 0, limit: pageSize });
    pages.push(replies);
    // Forward from the first reply.
    for (let last = replies.messages.at(-1); replies.has_more_after && last; last = replies.messages.at(-1)) {
      replies = await rest.thread(root.id, { after: last.seq, limit: pageSize });
      pages.push(replies);
    }
    threads[root.id] = pages;
  }
  return { channel, members, history, threads };
}

/** {@link fetchChannelSnapshot}, as a channel state. */
export async function fetchChannel(rest: SnapshotSource, channelId: string, pageSize?: number): Promise<ChannelState> {
  return channelFromSnapshot(await fetchChannelSnapshot(rest, channelId, pageSize));
}

/** Fetches the viewer's whole workspace in one org: every channel it belongs to, archived ones included. */
export async function fetchWorkspace(rest: SnapshotSource, orgId: string, memberId: string, pageSize?: number): Promise<WorkspaceState> {
  const { channels } = await rest.channels(orgId, { includeArchived: true });
  const snapshots: ChannelSnapshot[] = [];
  for (const entry of channels) snapshots.push(await fetchChannelSnapshot(rest, entry.channel.id, pageSize));
  return workspaceFromSnapshots(memberId, snapshots);
}

// ── the reducer ──────────────────────────────────────────────────────────

/**
 * Applies one channel event to the workspace. Events of channels the viewer
 * does not follow are ignored, except the viewer's own `member.joined`, which
 * adds the channel (not yet loaded); the viewer's `member.left` drops it.
 * Per channel, an event at or below `channel.last_seq` is already reflected
 * and is skipped, so duplicates and replays over a newer snapshot are harmless.
 */
export function applyEvent(state: WorkspaceState, event: ChannelEvent): WorkspaceState {
  const current = state.channels[event.channel_id];
  if (!current) {
    if (event.type !== 'member.joined' || event.payload.member_id !== state.memberId) return state;
    const joined: ChannelState = {
      channel: { ...event.payload.channel, last_seq: event.seq },
      members: { [event.payload.member_id]: event.payload.role },
      messages: {},
      threads: {},
      loaded: false,
    };
    return { ...state, channels: { ...state.channels, [event.channel_id]: joined } };
  }
  if (event.seq <= current.channel.last_seq) return state;
  if (event.type === 'member.left' && event.payload.member_id === state.memberId) {
    const { [event.channel_id]: _left, ...rest } = state.channels;
    return { ...state, channels: rest };
  }
  const next = applyChannelEvent(current, event);
  return { ...state, channels: { ...state.channels, [event.channel_id]: next } };
}

/**
 * Applies one event to one channel's state (no seq check: {@link applyEvent}
 * does that). New top-level messages are always added; changes to messages the
 * state does not hold (older history not loaded, or history hidden from the
 * viewer) are ignored, and so are replies to roots it holds neither the root
 * nor the thread of.
 */
export function applyChannelEvent(ch: ChannelState, event: ChannelEvent): ChannelState {
  const base: ChannelState = { ...ch, channel: { ...ch.channel, last_seq: Math.max(ch.channel.last_seq, event.seq) } };
  switch (event.type) {
    case 'channel.created':
    case 'channel.updated':
    case 'channel.archived':
    case 'channel.unarchived': {
      const channel = { ...event.payload.channel, last_seq: base.channel.last_seq };
      const historyChanged = channel.settings.history_for_new_members !== ch.channel.settings.history_for_new_members;
      // Who may see which history changed: what the client holds may be too much or too little.
      return { ...base, channel, loaded: base.loaded && !historyChanged };
    }
    case 'member.joined':
    case 'member.role_changed':
      return { ...base, members: { ...base.members, [event.payload.member_id]: event.payload.role } };
    case 'member.left': {
      const { [event.payload.member_id]: _gone, ...members } = base.members;
      return { ...base, members };
    }
    case 'message.created':
      return messageCreated(base, event.payload.message);
    case 'message.edited':
      return updateMessage(base, event.payload.message.id, event.payload.message.thread_root_id, (m) => ({
        ...m,
        body: event.payload.message.body,
        mentions: event.payload.message.mentions,
        edited_at: event.payload.message.edited_at,
        // A streamed reply's final text arrives as an edit that ends the stream.
        stream: event.payload.message.stream,
      }));
    case 'message.deleted':
      // The tombstone as the server shows it (no content, mentions, reactions or sources), with the thread summary held.
      return updateMessage(base, event.payload.message.id, event.payload.message.thread_root_id, (m) => ({ ...event.payload.message, thread: m.thread }));
    case 'messages.expired':
      return expired(base, event.payload.message_ids);
    case 'thread.updated':
      return threadUpdated(base, event.payload.thread);
    case 'reaction.added':
    case 'reaction.removed':
      return reacted(base, event);
    case 'task.created':
    case 'task.updated':
    case 'task.rated':
      return base; // tasks are not part of a channel's message state
    case 'pin.added':
      return pinned(base, event.payload.pin.message_id, true);
    case 'pin.removed':
      return pinned(base, event.payload.message_id, false);
    case 'doc.created':
    case 'doc.updated':
    case 'doc.archived':
    case 'doc.unarchived':
    case 'doc.guide_changed':
      return base; // docs are fetched on their own (GET /channels/:id/docs), not part of the message state
    case 'experience.created':
    case 'experience.updated':
    case 'experience.status_changed':
      return base; // tasks and experience are not part of a channel's message state
  }
}

/** Messages the retention job deleted: gone from the channel and from the threads held, with the threads they rooted. */
function expired(ch: ChannelState, ids: string[]): ChannelState {
  const gone = new Set(ids);
  const messages = Object.fromEntries(Object.entries(ch.messages).filter(([id]) => !gone.has(id)));
  const threads = Object.fromEntries(
    Object.entries(ch.threads)
      .filter(([rootId]) => !gone.has(rootId))
      .map(([rootId, replies]) => [rootId, Object.fromEntries(Object.entries(replies).filter(([id]) => !gone.has(id)))]),
  );
  return { ...ch, messages, threads };
}

function messageCreated(ch: ChannelState, message: MessageView): ChannelState {
  const rootId = message.thread_root_id;
  if (rootId === null) {
    // Already there (a replay over a newer snapshot): what is held is at least as new.
    if (ch.messages[message.id]) return ch;
    return { ...ch, messages: { ...ch.messages, [message.id]: message } };
  }
  // A reply to a root the client does not hold (history not loaded, or hidden from it) has nowhere to go.
  if (!ch.messages[rootId] && !ch.threads[rootId]) return ch;
  const replies = ch.threads[rootId] ?? {};
  if (replies[message.id]) return ch;
  return { ...ch, threads: { ...ch.threads, [rootId]: { ...replies, [message.id]: message } } };
}

/** Updates a held message (top-level or reply); unknown messages are left alone. */
function updateMessage(ch: ChannelState, id: string, rootId: string | null, update: (m: MessageView) => MessageView): ChannelState {
  if (rootId === null) {
    const held = ch.messages[id];
    return held ? { ...ch, messages: { ...ch.messages, [id]: update(held) } } : ch;
  }
  const replies = ch.threads[rootId];
  const held = replies?.[id];
  return replies && held ? { ...ch, threads: { ...ch.threads, [rootId]: { ...replies, [id]: update(held) } } } : ch;
}

function threadUpdated(ch: ChannelState, thread: ThreadSummary): ChannelState {
  return updateMessage(ch, thread.root_id, null, (m) => ({ ...m, thread }));
}

/** Marks a held message (top-level or reply) pinned or not. */
function pinned(ch: ChannelState, id: string, value: boolean): ChannelState {
  const rootId = ch.messages[id] ? null : (Object.keys(ch.threads).find((root) => ch.threads[root]?.[id]) ?? null);
  return updateMessage(ch, id, rootId, (m) => (m.pinned === value ? m : { ...m, pinned: value }));
}

function reacted(ch: ChannelState, event: ChannelEventOf<'reaction.added'> | ChannelEventOf<'reaction.removed'>): ChannelState {
  const { message_id: id, emoji, member_id: memberId } = event.payload;
  const rootId = ch.messages[id] ? null : (Object.keys(ch.threads).find((root) => ch.threads[root]?.[id]) ?? null);
  const change = event.type === 'reaction.added' ? addReaction : removeReaction;
  return updateMessage(ch, id, rootId, (m) => {
    const reactions = change(m.reactions, emoji, memberId);
    return reactions === m.reactions ? m : { ...m, reactions };
  });
}

/**
 * Reaction groups keep the server's order: groups by their oldest reaction,
 * members in the order they reacted. A new reaction goes last.
 */
function addReaction(groups: readonly ReactionGroup[], emoji: string, memberId: string): ReactionGroup[] {
  const group = groups.find((g) => g.emoji === emoji);
  if (!group) return [...groups, { emoji, count: 1, member_ids: [memberId] }];
  if (group.member_ids.includes(memberId)) return groups as ReactionGroup[];
  return groups.map((g) => (g === group ? { emoji, count: g.count + 1, member_ids: [...g.member_ids, memberId] } : g));
}

function removeReaction(groups: readonly ReactionGroup[], emoji: string, memberId: string): ReactionGroup[] {
  const group = groups.find((g) => g.emoji === emoji);
  if (!group?.member_ids.includes(memberId)) return groups as ReactionGroup[];
  const member_ids = group.member_ids.filter((id) => id !== memberId);
  if (member_ids.length === 0) return groups.filter((g) => g !== group);
  return groups.map((g) => (g === group ? { emoji, count: member_ids.length, member_ids } : g));
}
