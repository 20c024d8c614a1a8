import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { ChannelEvent } from '@chorus/protocol/events';
import { CloseCode, type ClientFrame, type HelloFrame } from '@chorus/protocol/frames';
import type { AppContext } from '../context.js';
import type { Signal } from '../events/signals.js';
import { ChannelStream, type StreamHooks } from './channel-stream.js';
import { Connection, Subscription } from './connection.js';
import { channelHead, readEvents } from './event-log.js';
import { authenticate, channelsOf, mayFollow, type Followable } from './session.js';
import { handleCommand } from './commands.js';
import { StreamReadRules } from './read-rules.js';

export interface GatewayLimits {
  helloTimeoutMs: number;
  heartbeatMs: number;
  maxBufferedBytes: number;
  maxFrameBytes: number;
  framesPerSecond: number;
  frameBurst: number;
  maxConnectionsPerMember: number;
  maxConnections: number;
  /** A resume further behind than this many events gets a resync instead of a replay. */
  maxReplayEvents: number;
  typingThrottleMs: number;
  /** Presence changes are gathered for this long and sent together, the latest per member. */
  presenceFlushMs: number;
}

export const defaultLimits: GatewayLimits = {
  helloTimeoutMs: 10_000,
  heartbeatMs: 30_000,
  maxBufferedBytes: 4 * 1024 * 1024,
  maxFrameBytes: 256 * 1024,
  framesPerSecond: 50,
  frameBurst: 200,
  maxConnectionsPerMember: 50,
  maxConnections: 50_000,
  maxReplayEvents: 5_000,
  typingThrottleMs: 2_000,
  presenceFlushMs: 100,
};

/**
 * The realtime gateway: WebSocket connections at /api/v1/ws. It only forwards:
 * committed channel events from the bus to the connections whose members may
 * read the channel (per channel, in seq order, exactly once, resuming from the
 * client's cursors), and ephemeral signals (typing, presence, read cursors).
 * Commands sent over the socket (send, read, …) go through the same domain
 * services and policy as REST.
 */
export class Gateway {
  readonly #wss: WebSocketServer;
  readonly connections = new Set<Connection>();
  readonly #byMember = new Map<string, Set<Connection>>();
  readonly #streams = new Map<string, ChannelStream<Subscription>>();
  readonly #unsubscribe: (() => void)[] = [];
  readonly #heartbeat: NodeJS.Timeout;
  readonly #typingSent = new Map<string, number>();
  readonly #hooks: StreamHooks<Subscription>;
  readonly #reads: StreamReadRules;
  /** Connections corked in this turn of the event loop, uncorked together once it ends. */
  #corked: Connection[] = [];
  /** Presence changes not yet sent: per org, the latest per member. */
  #presence = new Map<string, Map<string, Buffer>>();
  #presenceTimer: NodeJS.Timeout | null = null;
  /** Set by close(): upgrades are refused from then on. */
  #closing = false;

  constructor(
    readonly ctx: AppContext,
    readonly limits: GatewayLimits = defaultLimits,
  ) {
    this.#wss = new WebSocketServer({ noServer: true, maxPayload: limits.maxFrameBytes, perMessageDeflate: false });
    this.#reads = new StreamReadRules(ctx.db);
    this.#hooks = {
      frame: (event) => Buffer.from(JSON.stringify({ type: 'event', event })),
      beforeDispatch: (stream, event) => {
        this.#reads.observe(stream, event);
        this.#onMembershipEvent(stream, event);
      },
      // The channel's read rules (audience, agent access, reasoning visibility), as REST applies them.
      prepare: (stream, events) => this.#reads.prepare(stream, events),
      mayRead: (stream, sub, event) => this.#reads.mayRead(stream, sub, event),
      afterDispatch: (stream) => {
        this.#dropIfIdle(stream);
      },
    };
    this.#unsubscribe.push(
      ctx.bus.subscribe((event) => {
        this.#onEvent(event);
      }),
      ctx.bus.onSignal((signal) => {
        this.#onSignal(signal);
      }),
    );
    this.#heartbeat = setInterval(() => {
      for (const c of this.connections) c.heartbeat();
    }, limits.heartbeatMs);
    this.#heartbeat.unref();
  }

  /** Hands `/api/v1/ws` upgrades of the HTTP server to the gateway. */
  attach(server: Server, path: string): void {
    server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      const url = request.url?.split('?')[0];
      if (url !== path) {
        socket.destroy();
        return;
      }
      if (this.#closing) {
        // Shutting down: the client tries again, on another node behind the load balancer.
        socket.end('HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\n\r\n');
        return;
      }
      if (this.connections.size >= this.limits.maxConnections) {
        socket.end('HTTP/1.1 503 Service Unavailable\r\nRetry-After: 5\r\n\r\n');
        return;
      }
      this.#wss.handleUpgrade(request, socket, head, (ws) => {
        this.connections.add(new Connection(this, ws, socket));
      });
    });
  }

  // ── connections ──────────────────────────────────────────────────────────

  async handle(c: Connection, frame: ClientFrame): Promise<void> {
    if (frame.type === 'hello') return this.#hello(c, frame);
    return handleCommand(this, c, frame);
  }

  async #hello(c: Connection, hello: HelloFrame): Promise<void> {
    const auth = await authenticate(this.ctx, hello);
    if (!auth.ok) {
      c.send({ type: 'error', error: { code: auth.code, message: auth.message } });
      c.close(auth.close, auth.message);
      return;
    }
    const memberId = auth.actor.member.id;
    const mine = this.#byMember.get(memberId) ?? new Set<Connection>();
    if (mine.size >= this.limits.maxConnectionsPerMember) {
      c.send({ type: 'error', error: { code: 'too_many_connections', message: 'Too many open connections for this member.' } });
      c.close(CloseCode.RateLimited, 'too many connections');
      return;
    }
    if (c.closed) return;
    // Registered before the membership snapshot, so a join committed meanwhile subscribes this connection.
    c.ready(auth.actor, auth.credentialId);
    mine.add(c);
    this.#byMember.set(memberId, mine);

    const channels = await channelsOf(this.ctx, auth.actor);
    c.send({
      type: 'ready',
      connection_id: c.id,
      member: auth.member,
      channels: channels.map((ch) => ({ channel_id: ch.id, last_seq: ch.last_seq })),
      heartbeat_ms: this.limits.heartbeatMs,
    });
    const cursors = hello.cursors ?? {};
    const attaching: Promise<void>[] = [];
    for (const ch of channels) {
      if (c.subscriptions.has(ch.id)) continue;
      attaching.push(this.follow(c, ch, cursors[ch.id] ?? ch.last_seq));
    }
    for (const [channelId, after] of Object.entries(cursors)) {
      if (channels.some((ch) => ch.id === channelId)) continue;
      attaching.push(this.followIfAllowed(c, channelId, after));
    }
    await Promise.all(attaching);
    const changed = await this.ctx.presence.connect(memberId, c.id);
    if (changed) this.ctx.bus.signal({ kind: 'presence', org_id: auth.actor.member.org_id, ...changed });
  }

  /** Subscribes the connection to a channel from `after` (replaying what it missed). */
  follow(c: Connection, ch: Followable, after: number): Promise<void> {
    if (c.closed || c.subscriptions.has(ch.id)) return Promise.resolve();
    const sub = new Subscription(c, ch.id, after, ch.floor, ch.joined_seq);
    c.subscriptions.set(ch.id, sub);
    return this.#stream(ch.id, ch.org_id, ch.last_seq).attach(sub, this.limits.maxReplayEvents);
  }

  /** A channel the client asked for that is not among its memberships: a public channel being browsed. */
  async followIfAllowed(c: Connection, channelId: string, after: number | undefined): Promise<void> {
    if (!c.actor) return;
    const access = await mayFollow(this.ctx, c.actor, channelId);
    if (!access) {
      c.send({ type: 'unsubscribed', channel_id: channelId, reason: 'no_access' });
      return;
    }
    await this.follow(c, access, after ?? access.last_seq);
  }

  unsubscribe(c: Connection, channelId: string, reason: 'left' | 'requested' | 'no_access'): void {
    const sub = c.subscriptions.get(channelId);
    if (!sub) return;
    c.subscriptions.delete(channelId);
    const stream = this.#streams.get(channelId);
    stream?.detach(sub);
    c.send({ type: 'unsubscribed', channel_id: channelId, reason });
  }

  forget(c: Connection): void {
    this.connections.delete(c);
    for (const [channelId, sub] of c.subscriptions) {
      const stream = this.#streams.get(channelId);
      if (!stream) continue;
      stream.detach(sub);
      this.#dropIfIdle(stream);
    }
    c.subscriptions.clear();
    const memberId = c.memberId;
    if (!memberId || !c.actor) return;
    const mine = this.#byMember.get(memberId);
    mine?.delete(c);
    if (mine?.size === 0) this.#byMember.delete(memberId);
    const orgId = c.actor.member.org_id;
    void this.ctx.presence.disconnect(memberId, c.id).then(
      (changed) => {
        if (changed) this.ctx.bus.signal({ kind: 'presence', org_id: orgId, ...changed });
      },
      () => undefined,
    );
  }

  /**
   * Uncorks the connection when this turn of the event loop is over: a group
   * commit's events, fanned out together, leave each socket in one write
   * instead of one per event; a lone event waits for nothing but the turn.
   */
  uncorkSoon(c: Connection): void {
    this.#corked.push(c);
    if (this.#corked.length > 1) return;
    setImmediate(() => {
      const corked = this.#corked;
      this.#corked = [];
      for (const conn of corked) {
        try {
          conn.uncork();
        } catch (err) {
          // One broken socket must not leave the others corked.
          this.ctx.log.warn({ err, connection: conn.id }, 'uncork failed');
        }
      }
    });
  }

  refreshPresence(c: Connection): void {
    if (c.memberId) void this.ctx.presence.refresh(c.memberId, c.id).catch(() => undefined);
  }

  connectionsOf(memberId: string): ReadonlySet<Connection> {
    return this.#byMember.get(memberId) ?? new Set();
  }

  // ── events ───────────────────────────────────────────────────────────────

  #stream(channelId: string, orgId: string, knownHead: number | null): ChannelStream<Subscription> {
    let stream = this.#streams.get(channelId);
    if (!stream) {
      stream = new ChannelStream(
        channelId,
        orgId,
        {
          read: (after, upTo) => readEvents(this.ctx.db, orgId, channelId, after, upTo),
          head: async () => (await channelHead(this.ctx.db, channelId))?.last_seq ?? 0,
        },
        this.#hooks,
        knownHead,
        (err) => {
          this.ctx.log.error({ err, channelId }, 'channel stream failed');
        },
      );
      this.#streams.set(channelId, stream);
    }
    return stream;
  }

  #dropIfIdle(stream: ChannelStream<Subscription>): void {
    if (stream.idle && this.#streams.get(stream.channelId) === stream) this.#streams.delete(stream.channelId);
  }

  #onEvent(event: ChannelEvent): void {
    let stream = this.#streams.get(event.channel_id);
    if (!stream && event.type === 'member.joined' && this.#byMember.has(event.payload.member_id)) {
      // A member with connections here joined a channel nobody here follows yet: its stream starts at this event.
      stream = this.#stream(event.channel_id, event.org_id, event.seq - 1);
    }
    stream?.push(event);
  }

  /** Runs in seq order inside the channel's stream, before the event fans out. */
  #onMembershipEvent(stream: ChannelStream<Subscription>, event: ChannelEvent): void {
    if (event.type !== 'member.joined') return;
    const sinceJoin = event.payload.channel.settings.history_for_new_members === 'since_join';
    for (const c of this.connectionsOf(event.payload.member_id)) {
      if (c.closed || c.subscriptions.has(stream.channelId)) continue;
      const sub = new Subscription(c, stream.channelId, event.seq - 1, sinceJoin ? event.seq - 1 : 0, event.seq - 1);
      c.subscriptions.set(stream.channelId, sub);
      stream.attachAt(sub);
    }
  }

  #onSignal(signal: Signal): void {
    switch (signal.kind) {
      case 'typing': {
        const frame = JSON.stringify({ type: 'typing', channel_id: signal.channel_id, member_id: signal.member_id, thread_root_id: signal.thread_root_id });
        const stream = this.#streams.get(signal.channel_id);
        for (const sub of stream?.subscribers ?? []) {
          const c = sub.connection;
          if (c.memberId !== signal.member_id) c.sendRaw(frame);
        }
        return;
      }
      case 'stream': {
        // A streamed reply's chunk: to the channel's subscribers here who may read the message.
        const stream = this.#streams.get(signal.channel_id);
        if (!stream) return;
        const frame = Buffer.from(JSON.stringify({ type: 'stream', channel_id: signal.channel_id, message_id: signal.message_id, index: signal.index, text: signal.text }));
        for (const sub of stream.subscribers) if (this.#reads.mayReadMessage(stream, sub, signal.message_id)) sub.connection.sendRaw(frame);
        return;
      }
      case 'presence': {
        // A reconnect storm of N members would otherwise cost N² frames, one write each.
        const frame = Buffer.from(JSON.stringify({ type: 'presence', member_id: signal.member_id, status: signal.status, last_seen_at: signal.last_seen_at }));
        const org = this.#presence.get(signal.org_id) ?? new Map<string, Buffer>();
        org.set(signal.member_id, frame);
        this.#presence.set(signal.org_id, org);
        this.#presenceTimer ??= setTimeout(() => {
          this.#flushPresence();
        }, this.limits.presenceFlushMs);
        return;
      }
      case 'read': {
        const frame = JSON.stringify({ type: 'read', channel_id: signal.channel_id, seq: signal.seq });
        for (const c of this.connectionsOf(signal.member_id)) c.sendRaw(frame);
        return;
      }
      case 'member': {
        const frame = Buffer.from(JSON.stringify({ type: 'member.updated', member: signal.member }));
        for (const c of this.connections) if (c.actor?.member.org_id === signal.org_id) c.sendRaw(frame);
        return;
      }
      case 'notifications': {
        const frame = JSON.stringify({ type: 'notifications', settings: signal.settings });
        for (const c of this.connectionsOf(signal.member_id)) c.sendRaw(frame);
        return;
      }
      case 'access': {
        for (const memberId of signal.member_ids) {
          for (const c of [...this.connectionsOf(memberId)]) {
            if (signal.credential_id === undefined || c.credentialId === signal.credential_id) c.close(CloseCode.Unauthorized, `access ended: ${signal.reason}`);
          }
        }
        return;
      }
    }
  }

  #flushPresence(): void {
    const changes = this.#presence;
    this.#presence = new Map();
    this.#presenceTimer = null;
    for (const c of this.connections) {
      const frames = c.actor ? changes.get(c.actor.member.org_id) : undefined;
      if (frames) for (const frame of frames.values()) c.sendRaw(frame);
    }
  }

  /** Typing is throttled per member and channel before it reaches the bus. */
  typingAllowed(memberId: string, channelId: string): boolean {
    const key = `${memberId}:${channelId}`;
    const now = Date.now();
    const last = this.#typingSent.get(key) ?? 0;
    if (now - last < this.limits.typingThrottleMs) return false;
    this.#typingSent.set(key, now);
    if (this.#typingSent.size > 10_000) {
      for (const [k, t] of this.#typingSent) if (now - t > this.limits.typingThrottleMs) this.#typingSent.delete(k);
    }
    return true;
  }

  /** Closes every connection with GoingAway (clients reconnect and resume elsewhere), then stops. */
  async close(): Promise<void> {
    this.#closing = true;
    clearInterval(this.#heartbeat);
    if (this.#presenceTimer) clearTimeout(this.#presenceTimer);
    for (const off of this.#unsubscribe) off();
    for (const c of [...this.connections]) c.close(CloseCode.GoingAway, 'server shutting down');
    await new Promise<void>((resolve) => {
      this.#wss.close(() => {
        resolve();
      });
    });
  }
}
