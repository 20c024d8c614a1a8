import type { Config } from './config.js';
import { startServer, type RunningServer } from './server.js';

/**
 * Runs Chorus in this process until SIGTERM or SIGINT (`npm start`, `chorus serve`): starts it, says
 * where it runs (and how to create the first org), and on a signal shuts down gracefully
 * (RunningServer.close), exiting 1 if that takes longer than CHORUS_SHUTDOWN_TIMEOUT_MS.
 */
export async function runServer(config: Config): Promise<RunningServer> {
  const server = await startServer(config);
  const { count } = await server.ctx.db
    .selectFrom('orgs')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .executeTakeFirstOrThrow();

  const where = server.embedded ? `embedded PostgreSQL, data in ${config.dataDir}` : 'PostgreSQL at DATABASE_URL';
  const roles = config.roles.size === 4 ? '' : ` Roles: ${[...config.roles].join(', ')}.`;
  console.log(`\nChorus is running at ${config.publicUrl} (${where}).${roles}`);
  if (count === 0) {
    console.log(`
No org exists yet. Create the first org and its owner with:

  npx chorus org create --name "My team" --owner-email you@example.com

The API is described at ${server.url}/api/v1/openapi.json
`);
  }

  const shutdown = (signal: string) => {
    server.ctx.log.info({ signal }, 'shutting down: draining sockets and in-flight writes');
    const timer = setTimeout(() => {
      server.ctx.log.error({ timeout_ms: config.shutdownTimeoutMs }, 'shutdown timed out; exiting');
      process.exit(1);
    }, config.shutdownTimeoutMs);
    timer.unref();
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        server.ctx.log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => { shutdown('SIGINT'); });
  process.once('SIGTERM', () => { shutdown('SIGTERM'); });
  return server;
}
