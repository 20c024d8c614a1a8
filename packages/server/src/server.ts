import pino from 'pino';
import { buildApp } from './app.js';
import type { Config } from './config.js';
import type { AppContext } from './context.js';
import { connect, migrate } from './db/database.js';
import { startEmbeddedPostgres, type EmbeddedDatabase } from './db/embedded.js';
import { InProcessBus, type EventBus } from './events/bus.js';
import { RedisBus } from './events/redis-bus.js';
import { listenForCommands, type Listening } from './events/pg-notify.js';
import type { App } from './http/app-type.js';
import { apiPrefix } from './app.js';
import { Gateway, defaultLimits, type GatewayLimits } from './realtime/gateway.js';
import { LocalPresence, RedisPresence, type PresenceStore } from './realtime/presence.js';
import { startLeaseSweeper } from './tasks/leases.js';
import { startStreamSweeper } from './messages/streams.js';
import { DeliveryWorker } from './integrations/delivery-worker.js';
import { AgentHost } from './agent-host/host.js';
import { closeFileStore, startFileSweeper } from './files/service.js';
import { startRetentionJob } from './retention/job.js';
import { Metrics } from './observability/metrics.js';
import { sendQueue } from './messages/send-queue.js';
import type { Lifecycle } from './system/routes.js';

export interface RunningServer {
  app: App;
  ctx: AppContext;
  gateway: Gateway;
  /** Base URL the server listens on, e.g. http://127.0.0.1:3000 */
  url: string;
  embedded: EmbeddedDatabase | null;
  /** Sends outgoing webhooks from the outbox (polling every `webhooks.pollMs`). */
  webhooks: DeliveryWorker;
  /** Runs the built-in agents in this process (null when `agentHost.enabled` is off or the role `agents` is not run here). */
  agentHost: AgentHost | null;
  metrics: Metrics;
  /** `stopping` turns true when close() begins (readiness then answers 503). */
  lifecycle: Lifecycle;
  /** Without Redis: the connection on which `chorus` commands beside this server reach it (events/pg-notify.ts). */
  commands: Listening | null;
  /**
   * Graceful shutdown: marks the node not ready, refuses new sockets and closes the open ones with
   * GoingAway (clients resume elsewhere), stops listening and lets in-flight requests finish, writes
   * every queued send, lets in-flight webhook deliveries finish, then closes the bus and the database.
   */
  close(): Promise<void>;
}

/**
 * Starts Chorus: the database (embedded unless `DATABASE_URL` is set),
 * migrations, the event bus and the HTTP server.
 */
export async function startServer(config: Config, limits: Partial<GatewayLimits> = {}): Promise<RunningServer> {
  const logger = pino({ level: config.logLevel, redact: ['req.headers.authorization', '*.password', '*.token'] });
  let embedded: EmbeddedDatabase | null = null;
  let databaseUrl = config.databaseUrl;
  if (!databaseUrl) {
    embedded = await startEmbeddedPostgres({
      dataDir: config.dataDir,
      port: config.embeddedPgPort,
      onLog: (line) => { logger.debug({ component: 'postgres' }, line.trim()); },
    });
    databaseUrl = embedded.url;
  }
  const db = connect(databaseUrl, 20, (err) => { logger.warn({ err }, 'an idle database connection was closed by the server; the next query opens a new one'); });
  const applied = await migrate(db);
  if (applied.length > 0) logger.info({ applied }, 'migrations applied');

  let bus: EventBus;
  let presence: PresenceStore;
  const gatewayLimits: GatewayLimits = { ...defaultLimits, ...config.ws, ...limits };
  if (config.redisUrl) {
    const redisBus = await RedisBus.connect(config.redisUrl, logger);
    bus = redisBus;
    presence = new RedisPresence(redisBus.redis, gatewayLimits.heartbeatMs * 2);
  } else {
    bus = new InProcessBus();
    presence = new LocalPresence();
  }
  // Without Redis, what `chorus` commands beside this server commit reaches it through PostgreSQL.
  const commands = config.redisUrl ? null : await listenForCommands(databaseUrl, db, bus, logger);
  const roles = config.roles;
  const lifecycle: Lifecycle = { stopping: false };
  const ctx: AppContext = { config, db, bus, presence, log: logger };
  let gateway: Gateway | null = null;
  const metrics = new Metrics({ db, openConnections: () => gateway?.connections.size ?? 0, sendQueueDepth: () => sendQueue(ctx).depth });
  ctx.metrics = metrics;
  const app = await buildApp(ctx, logger, { api: roles.has('api'), lifecycle });
  gateway = new Gateway(ctx, gatewayLimits);
  if (roles.has('gateway')) gateway.attach(app.server, `${apiPrefix}/ws`);
  await app.listen({ host: config.host, port: config.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${port}`;
  const jobs = roles.has('jobs');
  const idle = { stop: () => Promise.resolve() };
  const leases = jobs ? startLeaseSweeper(ctx) : idle;
  const streams = jobs ? startStreamSweeper(ctx) : idle;
  const files = jobs ? startFileSweeper(ctx) : idle;
  const retention = jobs ? startRetentionJob(ctx) : idle;
  const webhooks = new DeliveryWorker(ctx);
  if (jobs) webhooks.start();
  const agentHost = config.agentHost.enabled && roles.has('agents')
    ? new AgentHost({
        db,
        // Built-in agents are clients of the API and the gateway: this process's, or the cluster's.
        url: roles.has('api') && roles.has('gateway') ? url : config.publicUrl,
        publicUrl: config.publicUrl,
        bus,
        pollMs: config.agentHost.pollSeconds * 1000,
        outboundAllow: config.outbound.allow,
        onError: (error, agentId) => { logger.warn({ err: error, agent_id: agentId }, 'built-in agent error'); },
      })
    : null;
  await agentHost?.start();

  let closing: Promise<void> | null = null;
  const close = () =>
    (closing ??= (async () => {
      lifecycle.stopping = true;
      await agentHost?.stop();
      await gateway.close();
      await app.close();
      await sendQueue(ctx).drain();
      await leases.stop();
      await streams.stop();
      await files.stop();
      await retention.stop();
      await webhooks.stop();
      await commands?.close();
      await bus.close();
      closeFileStore(ctx);
      await db.destroy();
      await embedded?.stop();
    })());
  return { app, ctx, gateway, url, embedded, webhooks, agentHost, metrics, lifecycle, commands, close };
}
