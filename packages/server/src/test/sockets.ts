import WebSocket from 'ws';
import { ChorusSocket, type ChannelEvent, type SocketOptions, type WebSocketFactory } from '@chorus/sdk';

/** A socket through the real SDK, with `ws` as Node 20's WebSocket, that records what it receives. */
export class RecordingSocket {
  readonly socket: ChorusSocket;
  readonly events: ChannelEvent[] = [];
  readonly frames: { type: string; [k: string]: unknown }[] = [];
  readonly #waiters = new Set<() => void>();

  constructor(options: Omit<SocketOptions, 'WebSocket'>) {
    this.socket = new ChorusSocket({ backoff: { initialMs: 20, maxMs: 200 }, ...options, WebSocket: WebSocket as unknown as WebSocketFactory });
    const record = (type: string) => (frame: unknown) => {
      this.frames.push({ type, ...(frame as object) });
      this.#notify();
    };
    this.socket.on('event', (event) => {
      this.events.push(event);
      this.#notify();
    });
    for (const type of ['ready', 'resync', 'typing', 'stream', 'presence', 'read', 'member.updated', 'notifications', 'unsubscribed', 'closed', 'error'] as const) this.socket.on(type, record(type));
    this.socket.on('state', (state) => {
      this.frames.push({ type: 'state', state });
      this.#notify();
    });
  }

  #notify(): void {
    for (const w of this.#waiters) w();
  }

  /** Resolves once `check` holds over what was received; the test's own timeout bounds the wait. */
  until<T>(check: () => T | undefined | false): Promise<T> {
    return new Promise((resolve) => {
      const attempt = () => {
        const value = check();
        if (value !== undefined && value !== false) {
          this.#waiters.delete(attempt);
          resolve(value);
        }
      };
      this.#waiters.add(attempt);
      attempt();
    });
  }

  eventsOf(channelId: string, type?: ChannelEvent['type']): ChannelEvent[] {
    return this.events.filter((e) => e.channel_id === channelId && (!type || e.type === type));
  }

  messagesIn(channelId: string): string[] {
    return this.eventsOf(channelId, 'message.created').map((e) => (e.type === 'message.created' ? e.payload.message.body : ''));
  }

  close(): void {
    this.socket.close();
  }
}

export async function openSocket(url: string | string[], token: string, orgId?: string, extra: Partial<SocketOptions> = {}): Promise<RecordingSocket> {
  const s = new RecordingSocket({ url, token, ...(orgId ? { orgId } : {}), ...extra });
  await s.socket.connect();
  return s;
}
