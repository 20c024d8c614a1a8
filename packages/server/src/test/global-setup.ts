import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';
import type { TestProject } from 'vitest/node';
import { connect, migrate } from '../db/database.js';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../db/embedded.js';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => { resolve(port); });
    });
    server.on('error', reject);
  });
}

/**
 * One real PostgreSQL for the whole run: the server at DATABASE_URL when set
 * (CI's second pass), otherwise a throwaway embedded cluster. Every test
 * creates its own org in it, so nothing is shared and nothing is truncated.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  let embedded: EmbeddedDatabase | null = null;
  let dir: string | null = null;
  let url = process.env.DATABASE_URL;
  if (!url) {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'chorus-test-'));
    embedded = await startEmbeddedPostgres({ dataDir: dir, port: await freePort(), fast: true });
    url = embedded.url;
  }
  const db = connect(url, 2);
  await migrate(db);
  await db.destroy();
  project.provide('databaseUrl', url);
  return async () => {
    await embedded?.stop();
    if (dir) await fs.rm(dir, { recursive: true, force: true });
  };
}
