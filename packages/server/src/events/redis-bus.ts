import { Redis } from 'ioredis';
import type { ChannelEvent } from '@chorus/protocol/events';
import type { FastifyBaseLogger } from 'fastify';
import { LocalFanout, type EventBus, type EventListener, type SignalListener } from './bus.js';
import type { Signal } from './signals.js';

const eventsTopic = 'chorus:events';
const signalsTopic = 'chorus:signals';

/**
 * The cluster bus: every node publishes committed events to Redis pub/sub and
 * delivers what it receives from Redis (its own events included) to its local
 * listeners. A node that misses a message (a Redis blip) still delivers exactly:
 * the gateway fills any seq gap from the channel event log in PostgreSQL.
 */
export class RedisBus implements EventBus {
  readonly #local = new LocalFanout();
  readonly #pub: Redis;
  readonly #sub: Redis;

  private constructor(pub: Redis, sub: Redis) {
    this.#pub = pub;
    this.#sub = sub;
  }

  static async connect(url: string, log: FastifyBaseLogger): Promise<RedisBus> {
    const options = { lazyConnect: true, maxRetriesPerRequest: null, enableAutoPipelining: true };
    const pub = new Redis(url, options);
    const sub = new Redis(url, options);
    for (const [name, client] of [['publisher', pub], ['subscriber', sub]] as const) {
      client.on('error', (err: Error) => {
        log.warn({ err, client: name }, 'redis connection error');
      });
    }
    await Promise.all([pub.connect(), sub.connect()]);
    const bus = new RedisBus(pub, sub);
    sub.on('message', (topic: string, text: string) => {
      bus.#receive(topic, text, log);
    });
    await sub.subscribe(eventsTopic, signalsTopic);
    return bus;
  }

  #receive(topic: string, text: string, log: FastifyBaseLogger): void {
    try {
      if (topic === eventsTopic) this.#local.deliverEvents(JSON.parse(text) as ChannelEvent[]);
      else if (topic === signalsTopic) this.#local.deliverSignal(JSON.parse(text) as Signal);
    } catch (err) {
      log.error({ err, topic }, 'undeliverable bus message');
    }
  }

  publish(events: readonly ChannelEvent[]): void {
    void this.#pub.publish(eventsTopic, JSON.stringify(events)).catch(() => undefined);
  }

  subscribe(listener: EventListener): () => void {
    return this.#local.subscribe(listener);
  }

  signal(signal: Signal): void {
    void this.#pub.publish(signalsTopic, JSON.stringify(signal)).catch(() => undefined);
  }

  onSignal(listener: SignalListener): () => void {
    return this.#local.onSignal(listener);
  }

  /** The publishing connection, for other shared state (presence). */
  get redis(): Redis {
    return this.#pub;
  }

  async close(): Promise<void> {
    this.#local.clear();
    await Promise.allSettled([this.#sub.quit(), this.#pub.quit()]);
  }
}
