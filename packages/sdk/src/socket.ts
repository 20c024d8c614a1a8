import type { ChannelEvent } from '@chorus/protocol/events';
import {
  shouldReconnect,
  type ClientFrame,
  type Cursors,
  type MemberUpdatedFrame,
  type NotificationsFrame,
  type PresenceEventFrame,
  type ReadEventFrame,
  type ReadyFrame,
  type ResyncFrame,
  type StreamChunkFrame,
  type SendFrame,
  type ServerFrame,
  type TypingEventFrame,
  type UnsubscribedFrame,
} from '@chorus/protocol/frames';
import type { MessageView } from '@chorus/protocol/views';
import { Emitter } from './emitter.js';
import { ChorusError } from './errors.js';

/** What the SDK needs of a WebSocket: the browser's, or the `ws` package's in Node. */
export interface WebSocketLike {
  readonly readyState: number;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}
export type WebSocketFactory = new (url: string) => WebSocketLike;

export type SocketState = 'connecting' | 'open' | 'reconnecting' | 'closed';

export interface SocketOptions {
  /** The server's base URL, e.g. http://localhost:3000 — or several nodes of a cluster, tried in turn on reconnect. */
  url: string | string[];
  token: string;
  orgId?: string;
  /** Resume from these cursors (last applied seq per channel), e.g. restored from storage. */
  cursors?: Cursors;
  /** The WebSocket implementation; defaults to the global one (browsers, Node ≥ 22). */
  WebSocket?: WebSocketFactory;
  /** Reconnect backoff: the first delay and the cap, in ms; each delay is jittered to 50–100 %. */
  backoff?: { initialMs?: number; maxMs?: number };
  /** Reconnect after an unexpected close (default true). */
  reconnect?: boolean;
}

export interface SocketEvents extends Record<string, unknown[]> {
  ready: [ReadyFrame];
  event: [ChannelEvent];
  resync: [ResyncFrame];
  unsubscribed: [UnsubscribedFrame];
  typing: [TypingEventFrame];
  stream: [StreamChunkFrame];
  presence: [PresenceEventFrame];
  read: [ReadEventFrame];
  /** A member's profile changed (name, avatar, custom status): replace it wherever it is shown. */
  'member.updated': [MemberUpdatedFrame];
  /** Your notification preferences changed on one of your devices. */
  notifications: [NotificationsFrame];
  state: [SocketState];
  error: [ChorusError];
  closed: [{ code: number; reason: string }];
}

interface PendingSend {
  frame: Extract<ClientFrame, { type: 'send' }>;
  resolve: (value: { message: MessageView; duplicate: boolean }) => void;
  reject: (error: ChorusError) => void;
}

const OPEN = 1;

function randomId(): string {
  return globalThis.crypto.randomUUID();
}

/**
 * The realtime socket. Delivers each channel event exactly once and in order
 * per channel, across reconnects: it keeps a cursor per channel, resumes from
 * it after any disconnect (with exponential backoff and jitter), and drops
 * anything at or below the cursor. Sends carry a client_msg_id, so a send
 * interrupted by a disconnect is retried after resume without duplicating.
 *
 * @example
 * const socket = new ChorusSocket({ url, token, orgId, WebSocket: WS });
 * socket.on('event', (e) => { if (e.type === 'message.created') console.log(e.payload.message.body); });
 * await socket.connect();
 * const { message } = await socket.send(channelId, 'hello');
 */
export class ChorusSocket extends Emitter<SocketEvents> {
  readonly cursors = new Map<string, number>();
  state: SocketState = 'closed';
  #ws: WebSocketLike | null = null;
  #attempt = 0;
  #urlIndex = 0;
  #stopped = false;
  #timer: ReturnType<typeof setTimeout> | null = null;
  readonly #pending = new Map<string, PendingSend>();
  #readyWaiters: { resolve: (f: ReadyFrame) => void; reject: (e: ChorusError) => void }[] = [];
  readonly #WebSocket: WebSocketFactory;

  constructor(private readonly options: SocketOptions) {
    super();
    for (const [channel, seq] of Object.entries(options.cursors ?? {})) this.cursors.set(channel, seq);
    const ctor = options.WebSocket ?? (globalThis as { WebSocket?: WebSocketFactory }).WebSocket;
    if (!ctor) throw new Error('No WebSocket implementation: pass options.WebSocket (e.g. the ws package in Node).');
    this.#WebSocket = ctor;
  }

  /** Opens the socket; resolves with the server's ready frame. */
  connect(): Promise<ReadyFrame> {
    this.#stopped = false;
    const ready = new Promise<ReadyFrame>((resolve, reject) => {
      this.#readyWaiters.push({ resolve, reject });
    });
    this.#open();
    return ready;
  }

  #setState(state: SocketState): void {
    if (this.state === state) return;
    this.state = state;
    this.emit('state', state);
  }

  #open(): void {
    this.#setState(this.#attempt === 0 ? 'connecting' : 'reconnecting');
    const urls = Array.isArray(this.options.url) ? this.options.url : [this.options.url];
    const base = urls[this.#urlIndex % urls.length] ?? '';
    const wsUrl = `${base.replace(/^http/, 'ws').replace(/\/$/, '')}/api/v1/ws`;
    const ws = new this.#WebSocket(wsUrl);
    this.#ws = ws;
    ws.onopen = () => {
      const cursors: Cursors = Object.fromEntries(this.cursors);
      this.#write({ type: 'hello', token: this.options.token, ...(this.options.orgId ? { org_id: this.options.orgId } : {}), cursors });
    };
    ws.onmessage = (message) => {
      this.#onFrame(JSON.parse(String(message.data)) as ServerFrame);
    };
    ws.onerror = () => undefined; // onclose follows and decides
    ws.onclose = (event) => {
      this.#onClose(ws, event.code, event.reason);
    };
  }

  #write(frame: ClientFrame): boolean {
    if (this.#ws?.readyState !== OPEN) return false;
    this.#ws.send(JSON.stringify(frame));
    return true;
  }

  #onFrame(frame: ServerFrame): void {
    switch (frame.type) {
      case 'ready': {
        this.#attempt = 0;
        for (const ch of frame.channels) if (!this.cursors.has(ch.channel_id)) this.cursors.set(ch.channel_id, ch.last_seq);
        this.#setState('open');
        for (const w of this.#readyWaiters.splice(0)) w.resolve(frame);
        this.emit('ready', frame);
        // Sends that were in flight when the connection dropped: same client_msg_id, so never twice.
        for (const p of this.#pending.values()) this.#write(p.frame);
        return;
      }
      case 'event': {
        const { event } = frame;
        const cursor = this.cursors.get(event.channel_id);
        if (cursor !== undefined && event.seq <= cursor) return;
        this.cursors.set(event.channel_id, event.seq);
        this.emit('event', event);
        return;
      }
      case 'resync':
        this.cursors.set(frame.channel_id, frame.seq);
        this.emit('resync', frame);
        return;
      case 'unsubscribed':
        if (frame.reason !== 'no_access' || this.cursors.has(frame.channel_id)) this.cursors.delete(frame.channel_id);
        this.emit('unsubscribed', frame);
        return;
      case 'ack': {
        const p = this.#pending.get(frame.request_id);
        this.#pending.delete(frame.request_id);
        p?.resolve({ message: frame.message, duplicate: frame.duplicate });
        return;
      }
      case 'error': {
        const error = new ChorusError(0, frame.error.code, frame.error.message, frame.error.details);
        const p = frame.request_id ? this.#pending.get(frame.request_id) : undefined;
        if (p && frame.request_id) {
          this.#pending.delete(frame.request_id);
          p.reject(error);
        } else {
          for (const w of this.#readyWaiters.splice(0)) w.reject(error);
          this.emit('error', error);
        }
        return;
      }
      case 'typing':
        this.emit('typing', frame);
        return;
      case 'stream':
        this.emit('stream', frame);
        return;
      case 'presence':
        this.emit('presence', frame);
        return;
      case 'member.updated':
        this.emit('member.updated', frame);
        return;
      case 'notifications':
        this.emit('notifications', frame);
        return;
      case 'read':
        this.emit('read', frame);
        return;
      case 'pong':
        return;
    }
  }

  #onClose(ws: WebSocketLike, code: number, reason: string): void {
    if (this.#ws !== ws) return;
    this.#ws = null;
    this.emit('closed', { code, reason });
    if (this.#stopped || this.options.reconnect === false || !shouldReconnect(code)) {
      this.#setState('closed');
      const error = new ChorusError(0, 'connection_closed', reason || `closed with ${code}`);
      for (const w of this.#readyWaiters.splice(0)) w.reject(error);
      for (const p of this.#pending.values()) p.reject(error);
      this.#pending.clear();
      return;
    }
    this.#setState('reconnecting');
    this.#urlIndex += 1; // with several nodes, try the next one
    const initial = this.options.backoff?.initialMs ?? 250;
    const max = this.options.backoff?.maxMs ?? 15_000;
    const delay = Math.min(max, initial * 2 ** this.#attempt) * (0.5 + Math.random() / 2);
    this.#attempt += 1;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      if (!this.#stopped) this.#open();
    }, delay);
  }

  /**
   * Posts a message; resolves with the stored message once the server has
   * committed it. Survives reconnects: the same client_msg_id is resent.
   */
  send(
    channelId: string,
    body: string,
    options: { threadRootId?: string; clientMsgId?: string } & Pick<SendFrame, 'kind' | 'audience' | 'sources'> = {},
  ): Promise<{ message: MessageView; duplicate: boolean }> {
    const frame: PendingSend['frame'] = {
      type: 'send',
      request_id: randomId(),
      channel_id: channelId,
      body,
      client_msg_id: options.clientMsgId ?? randomId(),
      ...(options.threadRootId ? { thread_root_id: options.threadRootId } : {}),
      ...(options.kind ? { kind: options.kind } : {}),
      ...(options.audience ? { audience: options.audience } : {}),
      // An agent names what it drew on; a source that fails the audience rule rejects with `audience_violation`.
      ...(options.sources ? { sources: options.sources } : {}),
    };
    return new Promise((resolve, reject) => {
      this.#pending.set(frame.request_id, { frame, resolve, reject });
      this.#write(frame);
    });
  }

  typing(channelId: string, threadRootId?: string): void {
    this.#write({ type: 'typing', channel_id: channelId, ...(threadRootId ? { thread_root_id: threadRootId } : {}) });
  }

  setPresence(status: 'online' | 'away'): void {
    this.#write({ type: 'presence', status });
  }

  markRead(channelId: string, seq: number): void {
    this.#write({ type: 'read', channel_id: channelId, seq });
  }

  /** Follows a channel you may read without being a member (a public channel you are browsing). */
  subscribe(channelId: string): void {
    const after = this.cursors.get(channelId);
    this.#write({ type: 'subscribe', channel_id: channelId, ...(after !== undefined ? { after_seq: after } : {}) });
  }

  unsubscribe(channelId: string): void {
    this.#write({ type: 'unsubscribe', channel_id: channelId });
  }

  /** Drops the connection as a network failure would (for tests and "reconnect now" buttons): it reconnects and resumes. */
  drop(): void {
    this.#ws?.close(4999, 'dropped by client');
  }

  close(): void {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#ws?.close(1000, 'closed by client');
    this.#setState('closed');
  }
}
