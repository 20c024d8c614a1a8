import { loadConfig, ConfigError } from './config.js';
import { runServer } from './run.js';

/** `npm start`: Chorus on its embedded defaults, or on DATABASE_URL (`chorus serve` does the same with options). */
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
  await runServer(config);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
