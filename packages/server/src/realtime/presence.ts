import type { Redis } from 'ioredis';
import type { PresenceStatus } from '@chorus/protocol/frames';

export interface PresenceState {
  member_id: string;
  status: PresenceStatus;
  last_seen_at: string | null;
}

/**
 * Who is connected. People are online or away while a connection is open,
 * offline otherwise; agents are online (connected) or offline, with last seen.
 * `connect`/`disconnect` return the member's new state when it changed.
 */
export interface PresenceStore {
  connect(memberId: string, connectionId: string): Promise<PresenceState | null>;
  disconnect(memberId: string, connectionId: string): Promise<PresenceState | null>;
  setStatus(memberId: string, status: 'online' | 'away'): Promise<PresenceState | null>;
  /** Keeps a connection alive in a shared store; entries of a crashed node expire. */
  refresh(memberId: string, connectionId: string): Promise<void>;
  get(memberIds: string[]): Promise<PresenceState[]>;
}

export class LocalPresence implements PresenceStore {
  readonly #connections = new Map<string, Set<string>>();
  readonly #status = new Map<string, 'online' | 'away'>();
  readonly #lastSeen = new Map<string, string>();

  #state(memberId: string): PresenceState {
    const online = (this.#connections.get(memberId)?.size ?? 0) > 0;
    return { member_id: memberId, status: online ? (this.#status.get(memberId) ?? 'online') : 'offline', last_seen_at: this.#lastSeen.get(memberId) ?? null };
  }

  connect(memberId: string, connectionId: string): Promise<PresenceState | null> {
    const set = this.#connections.get(memberId) ?? new Set<string>();
    const first = set.size === 0;
    set.add(connectionId);
    this.#connections.set(memberId, set);
    this.#lastSeen.set(memberId, new Date().toISOString());
    return Promise.resolve(first ? this.#state(memberId) : null);
  }

  disconnect(memberId: string, connectionId: string): Promise<PresenceState | null> {
    const set = this.#connections.get(memberId);
    if (!set?.delete(connectionId)) return Promise.resolve(null);
    this.#lastSeen.set(memberId, new Date().toISOString());
    if (set.size > 0) return Promise.resolve(null);
    this.#connections.delete(memberId);
    this.#status.delete(memberId);
    return Promise.resolve(this.#state(memberId));
  }

  setStatus(memberId: string, status: 'online' | 'away'): Promise<PresenceState | null> {
    const before = this.#state(memberId).status;
    this.#status.set(memberId, status);
    const after = this.#state(memberId);
    return Promise.resolve(after.status === before ? null : after);
  }

  refresh(memberId: string): Promise<void> {
    this.#lastSeen.set(memberId, new Date().toISOString());
    return Promise.resolve();
  }

  get(memberIds: string[]): Promise<PresenceState[]> {
    return Promise.resolve(memberIds.map((id) => this.#state(id)));
  }
}

/**
 * Presence shared by the nodes of a cluster. Each open connection is an entry
 * in a per-member sorted set scored by its expiry; nodes refresh their entries
 * with the heartbeat, so a crashed node's connections lapse on their own.
 */
export class RedisPresence implements PresenceStore {
  constructor(
    private readonly redis: Redis,
    private readonly ttlMs: number,
  ) {}

  #conns = (memberId: string) => `chorus:presence:${memberId}:conns`;
  #meta = (memberId: string) => `chorus:presence:${memberId}:meta`;

  async #state(memberId: string): Promise<PresenceState> {
    const now = Date.now();
    const [count, meta] = await Promise.all([this.redis.zcount(this.#conns(memberId), now, '+inf'), this.redis.hgetall(this.#meta(memberId))]);
    const status: PresenceStatus = count > 0 ? (meta.status === 'away' ? 'away' : 'online') : 'offline';
    return { member_id: memberId, status, last_seen_at: meta.last_seen_at ?? null };
  }

  async connect(memberId: string, connectionId: string): Promise<PresenceState | null> {
    const before = await this.#state(memberId);
    const now = Date.now();
    await this.redis
      .multi()
      .zremrangebyscore(this.#conns(memberId), '-inf', now)
      .zadd(this.#conns(memberId), now + this.ttlMs, connectionId)
      .hset(this.#meta(memberId), 'last_seen_at', new Date(now).toISOString())
      .pexpire(this.#conns(memberId), this.ttlMs * 2)
      .exec();
    const after = await this.#state(memberId);
    return before.status === after.status ? null : after;
  }

  async disconnect(memberId: string, connectionId: string): Promise<PresenceState | null> {
    const before = await this.#state(memberId);
    await this.redis.multi().zrem(this.#conns(memberId), connectionId).hset(this.#meta(memberId), 'last_seen_at', new Date().toISOString()).exec();
    const after = await this.#state(memberId);
    if (after.status === 'offline') await this.redis.hdel(this.#meta(memberId), 'status');
    return before.status === after.status ? null : { ...after, status: after.status };
  }

  async setStatus(memberId: string, status: 'online' | 'away'): Promise<PresenceState | null> {
    const before = await this.#state(memberId);
    await this.redis.hset(this.#meta(memberId), 'status', status);
    const after = await this.#state(memberId);
    return before.status === after.status ? null : after;
  }

  async refresh(memberId: string, connectionId: string): Promise<void> {
    const now = Date.now();
    await this.redis
      .multi()
      .zadd(this.#conns(memberId), now + this.ttlMs, connectionId)
      .pexpire(this.#conns(memberId), this.ttlMs * 2)
      .hset(this.#meta(memberId), 'last_seen_at', new Date(now).toISOString())
      .exec();
  }

  async get(memberIds: string[]): Promise<PresenceState[]> {
    return Promise.all(memberIds.map((id) => this.#state(id)));
  }
}
