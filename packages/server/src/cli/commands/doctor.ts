import { randomUUID } from 'node:crypto';
import { mkdir, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import { ConfigError, type Config } from '../../config.js';
import { connect, migrationStatus } from '../../db/database.js';
import { defineCommand, ExitCode } from '../command.js';
import { commandConfig, embeddedUrl } from '../runtime.js';

interface Check {
  check: string;
  status: 'ok' | 'warn' | 'fail';
  detail: string;
  /** What to do about it, for a warning or a failure. */
  fix?: string;
}

const message = (error: unknown) => (error instanceof Error ? error.message || error.name : String(error));

/** Where a database URL points, without its password. */
function safeUrl(url: string): string {
  const u = new URL(url);
  return `${u.protocol}//${u.username ? `${u.username}@` : ''}${u.host}${u.pathname}`;
}

async function checkDatabase(config: Config): Promise<Check[]> {
  const url = config.databaseUrl ?? embeddedUrl(config);
  if (!url) {
    return [{ check: 'database', status: 'warn', detail: `no DATABASE_URL and no embedded PostgreSQL initialised in ${config.dataDir} yet`, fix: 'Fine for a first run: chorus serve creates it. For production set DATABASE_URL.' }];
  }
  const where = config.databaseUrl ? safeUrl(url) : `the embedded PostgreSQL (${config.dataDir}, port ${config.embeddedPgPort})`;
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    await client.query('select 1');
  } catch (error) {
    const fix = config.databaseUrl
      ? 'Is PostgreSQL running and reachable from here? Check the host, port, user, password and database name in DATABASE_URL.'
      : 'The embedded PostgreSQL runs only while chorus serve does (and the first command that needs it starts it).';
    return [{ check: 'database', status: config.databaseUrl ? 'fail' : 'warn', detail: `cannot reach ${where}: ${message(error)}`, fix }];
  } finally {
    await client.end().catch(() => undefined);
  }
  const checks: Check[] = [{ check: 'database', status: 'ok', detail: `reachable: ${where}` }];
  const db = connect(url, 1);
  try {
    const pending = (await migrationStatus(db)).filter((m) => !m.applied).map((m) => m.name);
    checks.push(pending.length === 0
      ? { check: 'migrations', status: 'ok', detail: 'every migration is applied' }
      : { check: 'migrations', status: 'fail', detail: `${pending.length} pending: ${pending.join(', ')}`, fix: 'Run chorus migrate (servers also apply them when they start).' });
  } catch (error) {
    checks.push({ check: 'migrations', status: 'fail', detail: `cannot read the migration table: ${message(error)}`, fix: 'Does the database user have access to the schema? Run chorus migrate.' });
  } finally {
    await db.destroy();
  }
  return checks;
}

async function checkRedis(config: Config): Promise<Check> {
  if (!config.redisUrl) return { check: 'redis', status: 'ok', detail: 'not configured: one node, in-process event bus (set REDIS_URL for a cluster)' };
  const redis = new Redis(config.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 5000, retryStrategy: () => null });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    await redis.ping();
    return { check: 'redis', status: 'ok', detail: `reachable: ${safeUrl(config.redisUrl)}` };
  } catch (error) {
    return { check: 'redis', status: 'fail', detail: `cannot reach ${safeUrl(config.redisUrl)}: ${message(error)}`, fix: 'Is Redis running and reachable? Check REDIS_URL (redis://[:password@]host:6379).' };
  } finally {
    redis.disconnect();
  }
}

async function checkStorage(config: Config): Promise<Check> {
  const probe = path.join(config.dataDir, `.doctor-${randomUUID()}`);
  try {
    await mkdir(config.dataDir, { recursive: true });
    await writeFile(probe, 'ok');
    await unlink(probe);
    return { check: 'storage', status: 'ok', detail: `${config.dataDir} is writable` };
  } catch (error) {
    return { check: 'storage', status: 'fail', detail: `${config.dataDir} is not writable: ${message(error)}`, fix: 'Create the directory and give the user running Chorus write access, or set CHORUS_DATA_DIR.' };
  }
}

function checkSettings(config: Config, env: NodeJS.ProcessEnv): Check[] {
  const checks: Check[] = [{ check: 'configuration', status: 'ok', detail: `valid; roles ${[...config.roles].join(', ')}` }];
  if (!env.CHORUS_PUBLIC_URL && !config.publicUrl.startsWith('https:') && config.publicUrl.includes('localhost')) {
    checks.push({ check: 'public url', status: 'warn', detail: `invite links will point at ${config.publicUrl}`, fix: 'Set CHORUS_PUBLIC_URL to the address people open (https://chat.example.com).' });
  }
  if (!config.metricsToken) checks.push({ check: 'metrics', status: 'warn', detail: '/metrics is off', fix: 'Set CHORUS_METRICS_TOKEN (16+ characters) and give Prometheus the same bearer token.' });
  return checks;
}

export default defineCommand({
  name: 'doctor',
  summary: 'check the configuration, database, migrations, Redis and storage; say what to fix',
  description: 'Exit 0 when nothing failed (warnings allowed), 1 when a check failed, 2 when the configuration is invalid.',
  options: {},
  async run({ env, configFile, out }) {
    let config: Config;
    try {
      config = commandConfig({ env, configFile });
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      const check: Check = { check: 'configuration', status: 'fail', detail: error.message, fix: `Fix ${error.setting} in the environment or the config file (README: Configuration).` };
      out.result({ ok: false, checks: [check] }, render([check]));
      return ExitCode.usage;
    }
    const checks = [...checkSettings(config, env), ...(await checkDatabase(config)), await checkRedis(config), await checkStorage(config)];
    const ok = checks.every((c) => c.status !== 'fail');
    out.result({ ok, checks }, render(checks));
    return ok ? ExitCode.ok : ExitCode.failure;
  },
});

function render(checks: Check[]): string {
  const mark = { ok: 'ok  ', warn: 'WARN', fail: 'FAIL' } as const;
  const lines = checks.flatMap((c) => [`${mark[c.status]}  ${c.check}: ${c.detail}`, ...(c.fix ? [`      → ${c.fix}`] : [])]);
  const failed = checks.filter((c) => c.status === 'fail').length;
  return [...lines, '', failed === 0 ? 'Nothing failed.' : `${failed} check${failed > 1 ? 's' : ''} failed.`].join('\n');
}
