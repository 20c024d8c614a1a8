import type { FastifyBaseLogger } from 'fastify';
import type { Config } from './config.js';
import type { Db } from './db/database.js';
import type { EventBus } from './events/bus.js';
import type { PresenceStore } from './realtime/presence.js';
import type { ChannelEvent } from '@chorus/protocol/events';
import type { Mutation } from './events/log.js';
import type { Signal } from './events/signals.js';
import type { Metrics } from './observability/metrics.js';

/** What every domain service runs with. Built once at start, passed explicitly. */
export interface AppContext {
  config: Config;
  db: Db;
  bus: EventBus;
  /** Who is connected: in memory on one node, in Redis for a cluster. */
  presence: PresenceStore;
  log: FastifyBaseLogger;
  /** Prometheus metrics (observability/metrics.ts); absent in contexts without a server (the CLI). */
  metrics?: Metrics;
}

/**
 * Runs one mutation in one transaction. Channel events appended during it are
 * published on the bus only after the transaction commits; a failure anywhere
 * rolls back every row and publishes nothing.
 */
export async function mutate<T>(ctx: AppContext, fn: (m: Mutation) => Promise<T>): Promise<T> {
  const events: ChannelEvent[] = [];
  const signals: Signal[] = [];
  const result = await ctx.db.transaction().execute((trx) => fn({ trx, events, signals }));
  if (events.length > 0) {
    ctx.bus.publish(events);
    ctx.metrics?.eventsPublished.inc(events.length);
  }
  for (const signal of signals) ctx.bus.signal(signal);
  return result;
}
