import { loadConfig, ConfigError } from './config.js';
import { startServer } from './server.js';

/** `npm start`: Chorus on its embedded defaults, or on DATABASE_URL. */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`Invalid configuration: ${error.message}`);
      process.exit(2);
    }
    throw error;
  }
  const server = await startServer(config);
  const { count } = await server.ctx.db
    .selectFrom('orgs')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .executeTakeFirstOrThrow();

  const where = server.embedded ? `embedded PostgreSQL, data in ${config.dataDir}` : 'PostgreSQL at DATABASE_URL';
  console.log(`\nChorus is running at ${config.publicUrl} (${where}).`);
  if (count === 0) {
    console.log(`
No org exists yet. Create the first account and org (its owner) with:

  curl -s ${server.url}/api/v1/auth/signup -H 'content-type: application/json' \\
    -d '{"email":"you@example.com","password":"a long passphrase","display_name":"You"}'
  curl -s ${server.url}/api/v1/orgs -H 'content-type: application/json' \\
    -H 'authorization: Bearer <token from the signup answer>' -d '{"name":"My team","handle":"you"}'

The API is described at ${server.url}/api/v1/openapi.json
`);
  }

  const shutdown = (signal: string) => {
    server.ctx.log.info({ signal }, 'shutting down');
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
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
