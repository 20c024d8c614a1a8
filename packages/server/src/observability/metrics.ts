import { sql } from 'kysely';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Db } from '../db/database.js';
import { poolStats } from '../db/database.js';

/** What the metrics read from the running server when scraped. */
export interface MetricsSources {
  db: Db;
  openConnections: () => number;
  sendQueueDepth: () => number;
}

/**
 * The server's Prometheus metrics (docs/DEPLOY.md lists them). One registry per server, so several
 * test servers in one process do not share counts. Counters are bumped where things happen
 * (`ctx.metrics?.…`); gauges are read at scrape time.
 */
export class Metrics {
  readonly registry = new Registry();

  readonly eventsPublished = new Counter({ name: 'chorus_events_published_total', help: 'Channel events committed and published on the bus by this node', registers: [this.registry] });
  readonly eventsDelivered = new Counter({ name: 'chorus_events_delivered_total', help: 'Channel event frames sent to sockets on this node', registers: [this.registry] });
  readonly sendLatency = new Histogram({
    name: 'chorus_send_duration_seconds',
    help: 'Time from a send joining the send queue to its commit (REST and socket sends)',
    labelNames: ['outcome'] as const,
    buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  readonly audienceDenials = new Counter({ name: 'chorus_audience_denials_total', help: 'Posts and entries refused by the audience rule (403 audience_violation)', registers: [this.registry] });
  readonly httpDuration = new Histogram({
    name: 'chorus_http_request_duration_seconds',
    help: 'HTTP request duration by route pattern, method and status code',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
    registers: [this.registry],
  });

  constructor(sources: MetricsSources) {
    collectDefaultMetrics({ register: this.registry, prefix: 'chorus_' });
    const registers = [this.registry];
    new Gauge({ name: 'chorus_ws_connections', help: 'Open WebSocket connections on this node', registers, collect() { this.set(sources.openConnections()); } });
    new Gauge({ name: 'chorus_send_queue_depth', help: 'Sends submitted on this node and not yet written (waiting for a batch or being written)', registers, collect() { this.set(sources.sendQueueDepth()); } });
    new Gauge({
      name: 'chorus_db_pool_connections',
      help: 'Database pool connections by state (total, idle) and queries waiting for one (waiting)',
      labelNames: ['state'] as const,
      registers,
      collect() {
        const stats = poolStats(sources.db);
        if (!stats) return;
        this.set({ state: 'total' }, stats.total);
        this.set({ state: 'idle' }, stats.idle);
        this.set({ state: 'waiting' }, stats.waiting);
      },
    });
    new Gauge({
      name: 'chorus_queue_lag_seconds',
      help: 'Age of the oldest due item: webhook outbox deliveries (webhooks) and queued agent tasks (tasks); 0 when empty',
      labelNames: ['queue'] as const,
      registers,
      async collect() {
        const { rows } = await sql<{ webhooks: number | null; tasks: number | null }>`
          select
            (select extract(epoch from now() - min(next_attempt_at))::float8 from webhook_deliveries where status = 'pending' and next_attempt_at <= now()) as webhooks,
            (select extract(epoch from now() - min(created_at))::float8 from tasks where status = 'queued') as tasks`.execute(sources.db);
        this.set({ queue: 'webhooks' }, Math.max(0, rows[0]?.webhooks ?? 0));
        this.set({ queue: 'tasks' }, Math.max(0, rows[0]?.tasks ?? 0));
      },
    });
  }
}
