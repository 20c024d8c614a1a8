import { randomUUID } from 'node:crypto';
import type { Duplex } from 'node:stream';
import WebSocket from 'ws';
import type { ChannelEvent } from '@chorus/protocol/events';
import { CloseCode, type ServerFrame } from '@chorus/protocol/frames';
import type { Actor } from '../policy/actor.js';
import type { StreamSubscriber } from './channel-stream.js';
import { parseClientFrame } from './client-frames.js';
import type { Gateway } from './gateway.js';

/** One subscription of a connection to a channel: what the channel's stream delivers to. */
export class Subscription implements StreamSubscriber {
  /** Replaying a stretch between the member's leaving and its rejoining: those events were not theirs. */
  #away = false;

  constructor(
    readonly connection: Connection,
    readonly channelId: string,
    public delivered: number,
    public floor: number,
    /** The seq before the member's current membership began; null for a channel followed without belonging. */
    readonly joinedSeq: number | null,
  ) {}

  deliver(event: ChannelEvent, frame: Buffer): void {
    const own = (event.type === 'member.left' || event.type === 'member.joined') && event.payload.member_id === this.connection.actor?.member.id;
    if (this.#away && !(own && event.type === 'member.joined')) return;
    this.#away = false;
    this.connection.sendRaw(frame);
    this.connection.gateway.ctx.metrics?.eventsDelivered.inc();
    if (own && event.type === 'member.left') {
      // Left before its current membership began (a resume that replays a leave and a rejoin): the replay
      // goes on from its member.joined. Otherwise the member's last event here: nothing after it is theirs.
      if (this.joinedSeq !== null && event.seq <= this.joinedSeq) this.#away = true;
      else this.connection.gateway.unsubscribe(this.connection, this.channelId, 'left');
    }
  }

  resync(seq: number, reason: 'gap_too_old' | 'cursor_ahead'): void {
    this.connection.send({ type: 'resync', channel_id: this.channelId, seq, reason });
  }
}

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * One WebSocket. It must say `hello` first; after that it holds an actor (a
 * member of one org) and a subscription per channel it may read. Everything it
 * sends goes through a bounded buffer: a client that does not read is closed
 * with SlowConsumer and resumes on reconnect.
 */
export class Connection {
  readonly id = randomUUID();
  actor: Actor | null = null;
  /** The session or agent token the connection authenticated with. */
  credentialId: string | null = null;
  readonly subscriptions = new Map<string, Subscription>();
  #alive = true;
  #closed = false;
  #bucket: Bucket;
  #corked = false;
  readonly #helloTimer: NodeJS.Timeout;

  constructor(
    readonly gateway: Gateway,
    readonly socket: WebSocket,
    /** The TCP stream under the WebSocket, corked while a burst of frames is written to it. */
    private readonly stream: Duplex,
  ) {
    const limits = gateway.limits;
    this.#bucket = { tokens: limits.frameBurst, at: Date.now() };
    this.#helloTimer = setTimeout(() => {
      this.close(CloseCode.HelloTimeout, 'hello expected');
    }, limits.helloTimeoutMs);
    socket.on('message', (data, isBinary) => {
      this.#onMessage(data, isBinary);
    });
    socket.on('pong', () => {
      this.#alive = true;
    });
    socket.on('close', () => {
      this.#onClosed();
    });
    socket.on('error', () => {
      this.#onClosed();
    });
  }

  get memberId(): string | undefined {
    return this.actor?.member.id;
  }

  /**
   * Sends a frame that is already JSON (a string, or UTF-8 bytes shared by
   * many connections). Closes the connection instead when its buffer is full.
   * Frames written in the same turn of the event loop leave in one write.
   */
  sendRaw(frame: string | Buffer): void {
    if (this.#closed || this.socket.readyState !== WebSocket.OPEN) return;
    if (this.socket.bufferedAmount > this.gateway.limits.maxBufferedBytes) {
      this.close(CloseCode.SlowConsumer, 'send buffer full; reconnect and resume');
      return;
    }
    if (!this.#corked) {
      this.#corked = true;
      this.stream.cork();
      this.gateway.uncorkSoon(this);
    }
    this.socket.send(frame, { binary: false });
  }

  /** Writes what was sent since the connection was corked, in one system call. */
  uncork(): void {
    if (!this.#corked) return;
    this.#corked = false;
    this.stream.uncork();
  }

  send(frame: ServerFrame): void {
    this.sendRaw(JSON.stringify(frame));
  }

  close(code: number, reason: string): void {
    if (this.#closed) return;
    if (this.socket.readyState === WebSocket.OPEN) this.socket.close(code, reason);
    else this.socket.terminate();
    this.#onClosed();
  }

  /** Heartbeat: a socket that did not answer the previous ping is dead. */
  heartbeat(): void {
    if (!this.#alive) {
      this.socket.terminate();
      this.#onClosed();
      return;
    }
    this.#alive = false;
    this.socket.ping();
    if (this.actor) this.gateway.refreshPresence(this);
  }

  #takeToken(): boolean {
    const { frameBurst, framesPerSecond } = this.gateway.limits;
    const now = Date.now();
    this.#bucket.tokens = Math.min(frameBurst, this.#bucket.tokens + ((now - this.#bucket.at) / 1000) * framesPerSecond);
    this.#bucket.at = now;
    if (this.#bucket.tokens < 1) return false;
    this.#bucket.tokens -= 1;
    return true;
  }

  #onMessage(data: WebSocket.RawData, isBinary: boolean): void {
    this.#alive = true;
    if (isBinary) {
      this.close(CloseCode.ProtocolError, 'text frames only');
      return;
    }
    if (!this.#takeToken()) {
      this.close(CloseCode.RateLimited, 'too many frames');
      return;
    }
    const text = Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data as ArrayBuffer).toString('utf8');
    const parsed = parseClientFrame(text);
    if (!parsed.ok) {
      this.send({ type: 'error', error: { code: 'invalid_frame', message: parsed.message } });
      if (!this.actor) this.close(CloseCode.ProtocolError, parsed.message);
      return;
    }
    const frame = parsed.frame;
    if (!this.actor && frame.type !== 'hello') {
      this.close(CloseCode.ProtocolError, 'hello expected first');
      return;
    }
    if (this.actor && frame.type === 'hello') {
      this.send({ type: 'error', error: { code: 'already_ready', message: 'This connection has already said hello.' } });
      return;
    }
    this.gateway.handle(this, frame).catch((err: unknown) => {
      this.gateway.ctx.log.error({ err, frame: frame.type }, 'websocket frame failed');
      this.send({ type: 'error', ...('request_id' in frame ? { request_id: frame.request_id } : {}), error: { code: 'internal_error', message: 'Something went wrong on the server.' } });
    });
  }

  ready(actor: Actor, credentialId: string): void {
    clearTimeout(this.#helloTimer);
    this.actor = actor;
    this.credentialId = credentialId;
  }

  #onClosed(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#helloTimer);
    this.gateway.forget(this);
  }

  get closed(): boolean {
    return this.#closed;
  }
}

