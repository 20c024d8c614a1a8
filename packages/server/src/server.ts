import pino from 'pino';
import { buildApp } from './app.js';
import type { Config } from './config.js';
import type { AppContext } from './context.js';
import { connect, migrate } from './db/database.js';
import { startEmbeddedPostgres, type EmbeddedDatabase } from './db/embedded.js';
import { InProcessBus, type EventBus } from './events/bus.js';
import { RedisBus } from './events/redis-bus.js';
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

export interface RunningServer {
  app: App;
  ctx: AppContext;
  gateway: Gateway;
  /** Base URL the server listens on, e.g. http://127.0.0.1:3000 */
  url: string;
  embedded: EmbeddedDatabase | null;
  /** Sends outgoing webhooks from the outbox (polling every `webhooks.pollMs`). */
  webhooks: DeliveryWorker;
  /** Runs the built-in agents in this process (null when `agentHost.enabled` is off). */
  agentHost: AgentHost | null;
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
  const db = connect(databaseUrl);
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
  const ctx: AppContext = { config, db, bus, presence, log: logger };
  const app = await buildApp(ctx, logger);
  const gateway = new Gateway(ctx, gatewayLimits);
  gateway.attach(app.server, `${apiPrefix}/ws`);
  await app.listen({ host: config.host, port: config.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${port}`;
  const leases = startLeaseSweeper(ctx);
  const streams = startStreamSweeper(ctx);
  const files = startFileSweeper(ctx);
  const retention = startRetentionJob(ctx);
  const webhooks = new DeliveryWorker(ctx);
  webhooks.start();
  const agentHost = config.agentHost.enabled
    ? new AgentHost({
        db,
        url,
        publicUrl: config.publicUrl,
        bus,
        pollMs: config.agentHost.pollSeconds * 1000,
        onError: (error, agentId) => { logger.warn({ err: error, agent_id: agentId }, 'built-in agent error'); },
      })
    : null;
  await agentHost?.start();

  let closing: Promise<void> | null = null;
  const close = () =>
    (closing ??= (async () => {
      await agentHost?.stop();
      await leases.stop();
      await streams.stop();
      await files.stop();
      await retention.stop();
      await webhooks.stop();
      await gateway.close();
      await app.close();
      await bus.close();
      closeFileStore(ctx);
      await db.destroy();
      await embedded?.stop();
    })());
  return { app, ctx, gateway, url, embedded, webhooks, agentHost, close };
}
