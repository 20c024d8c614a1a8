import {
  applyChannelEvent,
  applyEvent,
  channelsToLoad,
  ChorusSocket,
  countEvent,
  countsFromList,
  mergeMessages,
  readUpTo,
  workspaceFromSnapshots,
  zeroCounts,
  type ChannelEvent,
  type ChannelRole,
  type MemberView,
  type MessageView,
  type RestClient,
  type SocketState,
  type UnreadCounts,
  type WorkspaceState,
} from '@chorus/sdk';

export type Presence = 'online' | 'away' | 'offline';

/** How much of a channel's history the client holds: the latest page, then older pages on demand. */
export interface HistoryWindow {
  status: 'idle' | 'loading' | 'ready' | 'error';
  hasMoreBefore: boolean;
  loadingOlder: boolean;
}

/** Everything the workspace screens read; replaced (never mutated) on every change. */
export interface WorkspaceView {
  orgId: string;
  /** The viewer's member in this org (null until the socket is ready). */
  me: MemberView | null;
  /** The channels followed and the messages held, kept by the SDK's reducer. */
  ws: WorkspaceState;
  /** Unread and mention counts by channel: the server's at start and reconnect, kept live by the SDK's `countEvent`. */
  entries: Readonly<Record<string, UnreadCounts>>;
  windows: Readonly<Record<string, HistoryWindow>>;
  /** The org's directory: people and agents by id. */
  members: Readonly<Record<string, MemberView>>;
  presence: Readonly<Record<string, Presence>>;
  /** Who is typing: channel id → member id → when it expires (ms since epoch). */
  typing: Readonly<Record<string, Readonly<Record<string, number>>>>;
  connection: SocketState;
  /** False until the first snapshot is in. */
  ready: boolean;
  error: string | null;
}

const pageSize = 50;
const olderPageSize = 100;
const typingMs = 6000;

/**
 * One org's live workspace: the socket (exact resume across reconnects), the
 * SDK's reducer over its events, and the windows of history the screens asked
 * for. Screens read it through the hooks in `hooks.ts`; features act on it
 * through its methods, or call the REST client and let the events come back.
 *
 * Start-up follows the SDK's recipe: the socket first (events are buffered),
 * then the channel list as the snapshot, then the buffered events. A channel's
 * messages are fetched when a screen opens it (`openChannel`), older pages on
 * scroll (`loadOlder`), threads when their pane opens (`loadThread`); events
 * that arrive while a page is in flight are replayed over it (`mergeMessages`).
 */
export class WorkspaceStore {
  #view: WorkspaceView;
  readonly #listeners = new Set<() => void>();
  #socket: ChorusSocket | null = null;
  #buffer: ChannelEvent[] | null = [];
  /** Event captures of fetches in flight. */
  readonly #captures = new Set<ChannelEvent[]>();
  #flush: ReturnType<typeof setTimeout> | null = null;
  #typingTimer: ReturnType<typeof setInterval> | null = null;
  #readyOnce = false;
  /** The channel the person is looking at: its messages are read as they arrive. */
  activeChannelId: string | null = null;

  constructor(
    readonly rest: RestClient,
    private readonly options: { baseUrl: string; token: string; orgId: string },
  ) {
    this.#view = {
      orgId: options.orgId,
      me: null,
      ws: { memberId: '', channels: {} },
      entries: {},
      windows: {},
      members: {},
      presence: {},
      typing: {},
      connection: 'connecting',
      ready: false,
      error: null,
    };
  }

  // ── subscription (useSyncExternalStore) ─────────────────────────────────

  readonly subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };

  readonly getSnapshot = (): WorkspaceView => this.#view;

  get socket(): ChorusSocket | null {
    return this.#socket;
  }

  /** Changes the view; listeners hear of it once per burst (a replay of many events renders once). */
  #set(change: Partial<WorkspaceView> | ((view: WorkspaceView) => Partial<WorkspaceView>)): void {
    const patch = typeof change === 'function' ? change(this.#view) : change;
    this.#view = { ...this.#view, ...patch };
    this.#flush ??= setTimeout(() => {
      this.#flush = null;
      for (const l of this.#listeners) l();
    }, 0);
  }

  // ── life cycle ──────────────────────────────────────────────────────────

  async start(): Promise<void> {
    const socket = new ChorusSocket({ url: this.options.baseUrl, token: this.options.token, orgId: this.options.orgId });
    this.#socket = socket;
    socket.on('event', (event) => { this.receive(event); });
    socket.on('state', (state) => { this.#set({ connection: state }); });
    socket.on('ready', (ready) => {
      this.#set({ me: ready.member });
      // After a reconnect the socket replays what was missed; the counts are re-read in case a channel came or went.
      if (this.#readyOnce) void this.#refreshEntries();
      this.#readyOnce = true;
    });
    socket.on('resync', (frame) => { this.#reset(frame.channel_id); });
    socket.on('unsubscribed', (frame) => {
      if (frame.reason === 'no_access') this.#drop(frame.channel_id);
    });
    socket.on('typing', (frame) => {
      if (frame.member_id === this.#view.me?.id) return;
      this.#set((v) => ({ typing: { ...v.typing, [frame.channel_id]: { ...v.typing[frame.channel_id], [frame.member_id]: Date.now() + typingMs } } }));
      this.#typingTimer ??= setInterval(() => { this.#expireTyping(); }, 1000);
    });
    socket.on('presence', (frame) => { this.#set((v) => ({ presence: { ...v.presence, [frame.member_id]: frame.status } })); });
    socket.on('read', (frame) => { this.#readLocally(frame.channel_id, frame.seq); });
    // A profile changed (name, avatar, status): the directory shows it at once.
    socket.on('member.updated', ({ member }) => { this.#set((v) => ({ members: { ...v.members, [member.id]: member }, me: v.me?.id === member.id ? member : v.me })); });
    socket.on('closed', ({ code, reason }) => {
      if (socket.state === 'closed') this.#set({ error: reason || `Disconnected (${code}).` });
    });
    try {
      const ready = await socket.connect();
      const [{ channels }, { members }, { presence }] = await Promise.all([
        this.rest.channels(this.options.orgId),
        this.rest.members(this.options.orgId),
        this.rest.presence(this.options.orgId),
      ]);
      let ws = workspaceFromSnapshots(
        ready.member.id,
        channels.map((e) => ({ channel: e.channel, members: [{ member: ready.member, role: e.membership.role }], history: [], threads: {} })),
      );
      for (const event of this.#buffer ?? []) ws = applyEvent(ws, event);
      this.#buffer = null;
      const entries: Record<string, UnreadCounts> = {};
      for (const e of channels) entries[e.channel.id] = countsFromList(e);
      this.#set({
        ws,
        entries,
        members: Object.fromEntries(members.map((m) => [m.id, m])),
        presence: Object.fromEntries(presence.map((p) => [p.member_id, p.status])),
        ready: true,
      });
    } catch (error) {
      this.#set({ error: error instanceof Error ? error.message : String(error) });
    }
  }

  /**
   * Replaces parts of the view without a server: for component tests and
   * screens built outside a running workspace. A started store never needs it.
   */
  seed(patch: Partial<WorkspaceView>): void {
    // The seed is the snapshot: events from now on apply at once.
    this.#buffer = null;
    this.#view = { ...this.#view, ...patch };
    for (const l of this.#listeners) l();
  }

  stop(): void {
    this.#socket?.close();
    if (this.#flush) clearTimeout(this.#flush);
    if (this.#typingTimer) clearInterval(this.#typingTimer);
    this.#listeners.clear();
  }

  // ── events ──────────────────────────────────────────────────────────────

  /** Applies one channel event from the socket (component tests feed it events directly). */
  receive(event: ChannelEvent): void {
    for (const capture of this.#captures) capture.push(event);
    if (this.#buffer) {
      this.#buffer.push(event);
      return;
    }
    const me = this.#view.ws.memberId;
    let ws = applyEvent(this.#view.ws, event);
    let { entries, windows } = this.#view;
    if (event.type === 'member.joined' && event.payload.member_id === me && !entries[event.channel_id]) {
      entries = { ...entries, [event.channel_id]: zeroCounts(event.seq) };
    }
    // The open channel is read as its messages arrive (markRead below): its counts stay at zero.
    const entry = entries[event.channel_id];
    if (entry && this.activeChannelId !== event.channel_id) {
      const counted = countEvent(entry, event, { memberId: me, agent: this.#view.me?.kind === 'agent' });
      if (counted !== entry) entries = { ...entries, [event.channel_id]: counted };
    }
    if (event.type === 'message.created') {
      const message = event.payload.message;
      this.#learnAuthor(message);
      if (this.activeChannelId === event.channel_id && message.author.id !== me) this.markRead(event.channel_id);
    }
    // History visibility changed: what is held may be too much or too little.
    for (const id of channelsToLoad(ws)) {
      const held = ws.channels[id];
      if (held) ws = { ...ws, channels: { ...ws.channels, [id]: { ...held, messages: {}, threads: {}, loaded: true } } };
      windows = { ...windows, [id]: { status: 'idle', hasMoreBefore: false, loadingOlder: false } };
    }
    this.#set({ ws, entries, windows });
  }

  #learnAuthor(message: MessageView): void {
    if (this.#view.members[message.author.id]) return;
    const { id, handle, display_name, kind } = message.author;
    const member: MemberView = { id, handle, display_name, kind, org_id: this.options.orgId, role: 'member', status: 'active', created_at: message.created_at, avatar_url: null, custom_status: null };
    this.#set((v) => ({ members: { ...v.members, [id]: member } }));
  }

  #expireTyping(): void {
    const now = Date.now();
    const typing: Record<string, Record<string, number>> = {};
    let changed = false;
    for (const [channel, who] of Object.entries(this.#view.typing)) {
      const live = Object.fromEntries(Object.entries(who).filter(([, until]) => until > now));
      if (Object.keys(live).length !== Object.keys(who).length) changed = true;
      if (Object.keys(live).length > 0) typing[channel] = live;
    }
    if (changed) this.#set({ typing });
    if (Object.keys(typing).length === 0 && this.#typingTimer) {
      clearInterval(this.#typingTimer);
      this.#typingTimer = null;
    }
  }

  async #refreshEntries(): Promise<void> {
    const { channels } = await this.rest.channels(this.options.orgId);
    this.#set(() => {
      const entries: Record<string, UnreadCounts> = {};
      for (const e of channels) entries[e.channel.id] = this.activeChannelId === e.channel.id ? zeroCounts(e.membership.last_read_seq) : countsFromList(e);
      return { entries };
    });
  }

  /** Forgets a channel's messages: the server could not replay what was missed (resync). */
  #reset(channelId: string): void {
    this.#set((v) => {
      const held = v.ws.channels[channelId];
      if (!held) return {};
      return {
        ws: { ...v.ws, channels: { ...v.ws.channels, [channelId]: { ...held, messages: {}, threads: {} } } },
        windows: { ...v.windows, [channelId]: { status: 'idle', hasMoreBefore: false, loadingOlder: false } },
      };
    });
    if (this.activeChannelId === channelId) void this.openChannel(channelId);
  }

  #drop(channelId: string): void {
    this.#set((v) => {
      const { [channelId]: _gone, ...channels } = v.ws.channels;
      return { ws: { ...v.ws, channels } };
    });
  }

  // ── history windows ─────────────────────────────────────────────────────

  /** Runs a fetch while capturing the events that arrive meanwhile. */
  async #capturing<T>(fetch: () => Promise<T>): Promise<{ result: T; received: ChannelEvent[] }> {
    const received: ChannelEvent[] = [];
    this.#captures.add(received);
    try {
      return { result: await fetch(), received };
    } finally {
      this.#captures.delete(received);
    }
  }

  #window(channelId: string, patch: Partial<HistoryWindow>): Partial<WorkspaceView> {
    const current = this.#view.windows[channelId] ?? { status: 'idle', hasMoreBefore: false, loadingOlder: false };
    return { windows: { ...this.#view.windows, [channelId]: { ...current, ...patch } } };
  }

  /** Loads a channel's latest page and its members, once; then the socket keeps it current. */
  async openChannel(channelId: string): Promise<void> {
    const status = this.#view.windows[channelId]?.status;
    if (status === 'loading' || status === 'ready' || !this.#view.ws.channels[channelId]) return;
    this.#set(this.#window(channelId, { status: 'loading' }));
    try {
      const { result, received } = await this.#capturing(() => Promise.all([this.rest.history(channelId, { limit: pageSize }), this.rest.channelMembers(channelId)]));
      const [page, { members }] = result;
      performance.mark(`chorus:page:${channelId}`);
      let ws = mergeMessages(this.#view.ws, channelId, page.messages, received);
      const held = ws.channels[channelId];
      if (held) {
        let channel = { ...held, members: Object.fromEntries(members.map((m) => [m.member.id, m.role])) as Record<string, ChannelRole> };
        for (const e of received) if (e.channel_id === channelId && e.type.startsWith('member.')) channel = applyChannelEvent(channel, e);
        ws = { ...ws, channels: { ...ws.channels, [channelId]: channel } };
      }
      for (const m of members) if (!this.#view.members[m.member.id]) this.#set((v) => ({ members: { ...v.members, [m.member.id]: m.member } }));
      this.#set({ ws, ...this.#window(channelId, { status: 'ready', hasMoreBefore: page.has_more_before }) });
    } catch {
      this.#set(this.#window(channelId, { status: 'error' }));
    }
  }

  /** Loads the page before the oldest message held. */
  async loadOlder(channelId: string): Promise<void> {
    const window = this.#view.windows[channelId];
    const held = this.#view.ws.channels[channelId];
    if (!window || window.status !== 'ready' || !window.hasMoreBefore || window.loadingOlder || !held) return;
    let oldest = Infinity;
    for (const m of Object.values(held.messages)) oldest = Math.min(oldest, m.seq);
    if (oldest === Infinity) return;
    this.#set(this.#window(channelId, { loadingOlder: true }));
    try {
      const { result: page, received } = await this.#capturing(() => this.rest.history(channelId, { before: oldest, limit: olderPageSize }));
      this.#set({ ws: mergeMessages(this.#view.ws, channelId, page.messages, received), ...this.#window(channelId, { loadingOlder: false, hasMoreBefore: page.has_more_before }) });
    } catch {
      this.#set(this.#window(channelId, { loadingOlder: false }));
    }
  }

  /** Loads a thread (its root and every reply) for the thread pane. */
  async loadThread(channelId: string, rootId: string): Promise<void> {
    const { result: pages, received } = await this.#capturing(async () => {
      const all: MessageView[] = [];
      let page = await this.rest.thread(rootId, { after: 0, limit: 200 });
      all.push(page.root, ...page.messages);
      for (let last = page.messages.at(-1); page.has_more_after && last; last = page.messages.at(-1)) {
        page = await this.rest.thread(rootId, { after: last.seq, limit: 200 });
        all.push(...page.messages);
      }
      return all;
    });
    this.#set({ ws: mergeMessages(this.#view.ws, channelId, pages, received) });
  }

  // ── actions ─────────────────────────────────────────────────────────────

  /** Sends over the socket (idempotent across reconnects); the message also comes back as an event. */
  async send(channelId: string, body: string, threadRootId?: string): Promise<MessageView> {
    // Without a socket (not started), over REST; with one, the socket queues the send while it reconnects.
    const { message } = this.#socket
      ? await this.#socket.send(channelId, body, threadRootId ? { threadRootId } : {})
      : await this.rest.post(channelId, { body, client_msg_id: crypto.randomUUID(), ...(threadRootId ? { thread_root_id: threadRootId } : {}) });
    this.#set({ ws: mergeMessages(this.#view.ws, channelId, [message]) });
    return message;
  }

  typing(channelId: string, threadRootId?: string): void {
    this.#socket?.typing(channelId, threadRootId);
  }

  /** Marks the channel read up to its latest message held. */
  markRead(channelId: string): void {
    const held = this.#view.ws.channels[channelId];
    const entry = this.#view.entries[channelId];
    if (!held || !entry) return;
    const seq = held.channel.last_seq;
    if (seq <= entry.lastReadSeq) return;
    this.#socket?.markRead(channelId, seq);
    this.#readLocally(channelId, seq);
  }

  #readLocally(channelId: string, seq: number): void {
    const entry = this.#view.entries[channelId];
    if (!entry) return;
    const next = readUpTo(entry, seq);
    if (next !== entry) this.#set((v) => ({ entries: { ...v.entries, [channelId]: next } }));
  }

  /** Re-reads the channel list (after joining, leaving or creating a channel over REST). */
  refreshChannels(): Promise<void> {
    return this.#refreshEntries();
  }
}
