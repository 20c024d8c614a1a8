import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { OutboundRules } from './outbound/rules.js';

/** What one server process runs (`chorus serve --roles`): the HTTP API, the WebSocket gateway, the built-in agent host, background jobs. */
export const serverRoles = ['api', 'gateway', 'agents', 'jobs'] as const;
export type ServerRole = (typeof serverRoles)[number];

/** Everything Chorus reads from its environment, validated once at start. */
export interface Config {
  host: string;
  port: number;
  /** A PostgreSQL server; when absent, Chorus runs its embedded PostgreSQL under `dataDir`. */
  databaseUrl: string | null;
  /** Redis for a cluster: the shared event bus and presence. Unset = one node, in-process bus. */
  redisUrl: string | null;
  dataDir: string;
  /** The built web app (packages/web/dist), served at `/`; null or a missing folder: the API only. */
  webDir: string | null;
  embeddedPgPort: number;
  /** The parts of Chorus this process runs (CHORUS_ROLES; all by default). */
  roles: ReadonlySet<ServerRole>;
  /** GET /metrics answers only with `Authorization: Bearer <this>`; null: metrics are off (404). */
  metricsToken: string | null;
  /** How long a graceful shutdown waits for in-flight work before closing anyway. */
  shutdownTimeoutMs: number;
  /** Public origin used in links that Chorus hands out (invites). */
  publicUrl: string;
  logLevel: string;
  sessionTtlHours: number;
  bodyLimitBytes: number;
  /** WebSocket limits (see realtime/gateway.ts for what each means). */
  ws: {
    maxConnections: number;
    maxConnectionsPerMember: number;
    maxBufferedBytes: number;
    heartbeatMs: number;
    /** Frames a client may send per second (token bucket), and the bucket's size. */
    framesPerSecond: number;
    frameBurst: number;
  };
  /** Streamed replies: how long a stream may go without a chunk before it is closed as abandoned, and how often that is swept. */
  streams: {
    timeoutSeconds: number;
    sweepSeconds: number;
  };
  /** Agent tasks: how long a claim holds, and how often expired claims are swept. */
  tasks: {
    leaseSeconds: number;
    /** 0 turns the sweeper off (tests call `expireLeases` themselves). */
    sweepSeconds: number;
  };
  rateLimits: {
    loginPerMinute: number;
    signupsPerMinute: number;
    messagesPerMinute: number;
    /** Posts per incoming webhook per minute. */
    hookPostsPerMinute: number;
  };
  /** The agent host (agent-host/host.ts): runs the built-in agents inside this server process. */
  agentHost: {
    /** CHORUS_AGENT_HOST=0 turns it off here (e.g. when `chorus agent-host` runs it as its own process). */
    enabled: boolean;
    /** How often it looks for added or removed built-in agents besides being told (0: only when told). */
    pollSeconds: number;
  };
  /**
   * Requests made on members' say (agent webhooks, LLM agents' base_url): internal addresses only
   * when listed here (outbound/rules.ts, outbound/fetch.ts).
   */
  outbound: { allow: readonly string[] };
  /** Outgoing webhooks (integrations/delivery-worker.ts). */
  webhooks: {
    /** First retry delay; each next one is 3× longer, with jitter (15 s: 6 attempts over ≈ 30 min). */
    retryBaseMs: number;
    maxAttempts: number;
    /** A delivery that has not answered by then has failed this attempt. */
    timeoutMs: number;
    /** How often the worker looks for due deliveries (0: never; tests call the worker themselves). */
    pollMs: number;
    /** Deliveries in flight at once on one node. */
    concurrency: number;
  };
  /** The retention job (retention/job.ts). */
  retention: {
    /** How often it runs (0: never; tests call `runRetention` themselves). */
    intervalSeconds: number;
    /** Threads deleted per transaction: each batch holds its channel's lock only that long. */
    batchSize: number;
  };
  /** Files (files/): limits, links, the store. */
  files: FilesConfig;
}

/** Where file bytes live and how they are served. */
export interface FilesConfig {
  /** Largest upload accepted; a bigger one is refused with 413 and nothing is kept. */
  maxBytes: number;
  /** How long a download link stays valid. */
  linkTtlSeconds: number;
  /** A file not attached to a message within this time is collected. */
  unattachedSeconds: number;
  /** How often the collector runs (0: never; tests call it themselves). */
  sweepSeconds: number;
  /** The HMAC key of download links; null: a random key kept in the database, shared by every node. */
  signingSecret: string | null;
  /** Local disk store (and, with S3, the staging area of uploads). */
  dir: string;
  /** An S3-compatible store instead of the local disk. */
  s3: S3Config | null;
}

export interface S3Config {
  endpoint: string;
  bucket: string;
  region: string;
  /** Both or neither: without them the AWS SDK's default credential chain applies. */
  accessKeyId: string | null;
  secretAccessKey: string | null;
  forcePathStyle: boolean;
  /**
   * `when_required`: checksums only where the S3 API demands them (works with every S3-compatible store);
   * `when_supported`: the AWS SDK's newer default (CRC trailers), which some S3-compatibles store as part of the object.
   */
  checksums: 'when_required' | 'when_supported';
}

export class ConfigError extends Error {
  constructor(readonly setting: string, message: string) {
    super(`${setting}: ${message}`);
    this.name = 'ConfigError';
  }
}

/** The settings as read: the environment over the config file. Records every name asked for, so unknown file keys can be named. */
type Source = Record<string, string | undefined>;

function str(env: Source, name: string): string | undefined {
  const raw = env[name];
  return raw === undefined || raw === '' ? undefined : raw;
}

function int(env: Source, name: string, fallback: number, min = 0): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) {
    throw new ConfigError(name, `expected an integer ≥ ${min}, got "${raw}"`);
  }
  return value;
}

function flag(env: Source, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (raw === '1' || raw === 'true') return true;
  if (raw === '0' || raw === 'false') return false;
  throw new ConfigError(name, `expected 1 or 0, got "${raw}"`);
}

function url(env: Source, name: string, protocols: string[]): string | null {
  const raw = env[name];
  if (raw === undefined || raw === '') return null;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(name, 'is not a valid URL');
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(name, `must start with ${protocols.join(' or ')}`);
  }
  return raw;
}

function text(env: Source, name: string): string | null {
  const raw = env[name];
  return raw === undefined || raw === '' ? null : raw;
}

function s3Config(env: Source): S3Config | null {
  const endpoint = url(env, 'CHORUS_S3_ENDPOINT', ['http:', 'https:']);
  if (!endpoint) return null;
  const bucket = text(env, 'CHORUS_S3_BUCKET');
  if (!bucket) throw new ConfigError('CHORUS_S3_BUCKET', 'is required when CHORUS_S3_ENDPOINT is set');
  const accessKeyId = text(env, 'CHORUS_S3_ACCESS_KEY_ID');
  const secretAccessKey = text(env, 'CHORUS_S3_SECRET_ACCESS_KEY');
  if ((accessKeyId === null) !== (secretAccessKey === null)) {
    throw new ConfigError(accessKeyId ? 'CHORUS_S3_SECRET_ACCESS_KEY' : 'CHORUS_S3_ACCESS_KEY_ID', 'set both keys, or neither (the AWS default credential chain)');
  }
  const checksums = str(env, 'CHORUS_S3_CHECKSUMS') ?? 'when_required';
  if (checksums !== 'when_required' && checksums !== 'when_supported') {
    throw new ConfigError('CHORUS_S3_CHECKSUMS', `expected when_required or when_supported, got "${checksums}"`);
  }
  return {
    endpoint,
    bucket,
    region: text(env, 'CHORUS_S3_REGION') ?? 'us-east-1',
    accessKeyId,
    secretAccessKey,
    forcePathStyle: flag(env, 'CHORUS_S3_FORCE_PATH_STYLE', true),
    checksums,
  };
}

function roles(env: Source): ReadonlySet<ServerRole> {
  const raw = str(env, 'CHORUS_ROLES');
  if (raw === undefined) return new Set(serverRoles);
  const names = raw.split(',').map((r) => r.trim()).filter(Boolean);
  const unknown = names.filter((r) => !(serverRoles as readonly string[]).includes(r));
  if (unknown.length > 0 || names.length === 0) {
    throw new ConfigError('CHORUS_ROLES', `expected a comma-separated list of ${serverRoles.join(', ')}; ${unknown.length > 0 ? `unknown: ${unknown.join(', ')}` : 'got none'}`);
  }
  return new Set(names as ServerRole[]);
}

/** CHORUS_OUTBOUND_ALLOW: comma-separated host names, IP addresses and CIDR ranges (ConfigError on a bad one). */
export function outboundAllow(env: Source): readonly string[] {
  const entries = (str(env, 'CHORUS_OUTBOUND_ALLOW') ?? '').split(',').map((e) => e.trim()).filter(Boolean);
  try {
    new OutboundRules(entries);
  } catch (error) {
    throw new ConfigError('CHORUS_OUTBOUND_ALLOW', error instanceof Error ? error.message : String(error));
  }
  return entries;
}

/**
 * Reads the optional config file: a JSON object whose keys are the same names as the environment
 * variables (`{"DATABASE_URL": "postgres://…", "CHORUS_WS_MAX_CONNECTIONS": 10000}`); values are
 * strings, numbers or booleans.
 */
export function readConfigFile(file: string): Record<string, string> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError('CHORUS_CONFIG', `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ConfigError('CHORUS_CONFIG', `${file} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new ConfigError('CHORUS_CONFIG', `${file} must hold a JSON object`);
  const values: Record<string, string> = {};
  for (const [key, value] of Object.entries(parsed)) {
    if (typeof value === 'string') values[key] = value;
    else if (typeof value === 'number') values[key] = String(value);
    else if (typeof value === 'boolean') values[key] = value ? '1' : '0';
    else throw new ConfigError(key, `in ${file}: expected a string, number or boolean`);
  }
  return values;
}

/**
 * The configuration: environment variables, over the config file named by `file` or CHORUS_CONFIG
 * when there is one. Throws a ConfigError naming the first bad setting, or the file's unknown keys.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, file: string | undefined = str(env, 'CHORUS_CONFIG')): Config {
  const fromFile = file === undefined ? {} : readConfigFile(file);
  const asked = new Set<string>(['CHORUS_CONFIG']);
  const merged: Source = { ...fromFile, ...env };
  const source = new Proxy(merged, {
    get: (target, name) => {
      if (typeof name === 'string') asked.add(name);
      return Reflect.get(target, name) as string | undefined;
    },
  });
  const config = readSettings(source);
  const unknown = Object.keys(fromFile).filter((key) => !asked.has(key));
  if (unknown.length > 0) throw new ConfigError(unknown.join(', '), `unknown setting${unknown.length > 1 ? 's' : ''} in ${file ?? 'the config file'}`);
  return config;
}

function readSettings(env: Source): Config {
  const port = int(env, 'PORT', 3000);
  const host = str(env, 'HOST') ?? '0.0.0.0';
  const dataDir = path.resolve(str(env, 'CHORUS_DATA_DIR') ?? 'data');
  const signingSecret = text(env, 'CHORUS_FILES_SIGNING_SECRET');
  if (signingSecret !== null && signingSecret.length < 32) throw new ConfigError('CHORUS_FILES_SIGNING_SECRET', 'must be at least 32 characters');
  return {
    host,
    port,
    databaseUrl: url(env, 'DATABASE_URL', ['postgres:', 'postgresql:']),
    redisUrl: url(env, 'REDIS_URL', ['redis:', 'rediss:']),
    roles: roles(env),
    metricsToken: metricsToken(env),
    shutdownTimeoutMs: int(env, 'CHORUS_SHUTDOWN_TIMEOUT_MS', 25_000, 0),
    dataDir,
    // From src/ or dist/ alike: packages/server/<src|dist>/config.ts → packages/web/dist.
    webDir: env.CHORUS_WEB_DIR === '' ? null : path.resolve(str(env, 'CHORUS_WEB_DIR') ?? fileURLToPath(new URL('../../web/dist', import.meta.url))),
    embeddedPgPort: int(env, 'CHORUS_EMBEDDED_PG_PORT', 54329, 1),
    publicUrl: url(env, 'CHORUS_PUBLIC_URL', ['http:', 'https:']) ?? `http://localhost:${port}`,
    logLevel: logLevel(env),
    sessionTtlHours: int(env, 'CHORUS_SESSION_TTL_HOURS', 24 * 30, 1),
    bodyLimitBytes: int(env, 'CHORUS_BODY_LIMIT_BYTES', 1024 * 1024, 1024),
    ws: {
      maxConnections: int(env, 'CHORUS_WS_MAX_CONNECTIONS', 50_000, 1),
      maxConnectionsPerMember: int(env, 'CHORUS_WS_MAX_CONNECTIONS_PER_MEMBER', 50, 1),
      maxBufferedBytes: int(env, 'CHORUS_WS_MAX_BUFFERED_BYTES', 4 * 1024 * 1024, 1024),
      heartbeatMs: int(env, 'CHORUS_WS_HEARTBEAT_MS', 30_000, 1000),
      framesPerSecond: int(env, 'CHORUS_WS_FRAMES_PER_SECOND', 50, 1),
      frameBurst: int(env, 'CHORUS_WS_FRAME_BURST', 200, 1),
    },
    streams: {
      timeoutSeconds: int(env, 'CHORUS_STREAM_TIMEOUT_SECONDS', 60, 1),
      sweepSeconds: int(env, 'CHORUS_STREAM_SWEEP_SECONDS', 10, 0),
    },
    tasks: {
      leaseSeconds: int(env, 'CHORUS_TASK_LEASE_SECONDS', 300, 5),
      sweepSeconds: int(env, 'CHORUS_TASK_SWEEP_SECONDS', 15, 0),
    },
    rateLimits: {
      loginPerMinute: int(env, 'CHORUS_RATE_LOGIN_PER_MINUTE', 10, 1),
      signupsPerMinute: int(env, 'CHORUS_RATE_SIGNUPS_PER_MINUTE', 10, 1),
      messagesPerMinute: int(env, 'CHORUS_RATE_MESSAGES_PER_MINUTE', 120, 1),
      hookPostsPerMinute: int(env, 'CHORUS_RATE_HOOK_POSTS_PER_MINUTE', 60, 1),
    },
    agentHost: {
      enabled: flag(env, 'CHORUS_AGENT_HOST', true),
      pollSeconds: int(env, 'CHORUS_AGENT_HOST_POLL_SECONDS', 30, 0),
    },
    outbound: { allow: outboundAllow(env) },
    webhooks: {
      retryBaseMs: int(env, 'CHORUS_WEBHOOK_RETRY_BASE_MS', 15_000, 1),
      maxAttempts: int(env, 'CHORUS_WEBHOOK_MAX_ATTEMPTS', 6, 1),
      timeoutMs: int(env, 'CHORUS_WEBHOOK_TIMEOUT_MS', 10_000, 100),
      pollMs: int(env, 'CHORUS_WEBHOOK_POLL_MS', 1000, 0),
      concurrency: int(env, 'CHORUS_WEBHOOK_CONCURRENCY', 16, 1),
    },
    retention: {
      intervalSeconds: int(env, 'CHORUS_RETENTION_INTERVAL_SECONDS', 3600, 0),
      batchSize: int(env, 'CHORUS_RETENTION_BATCH_SIZE', 200, 1),
    },
    files: {
      maxBytes: int(env, 'CHORUS_FILES_MAX_BYTES', 100 * 1024 * 1024, 1),
      linkTtlSeconds: int(env, 'CHORUS_FILES_LINK_TTL_SECONDS', 300, 1),
      unattachedSeconds: int(env, 'CHORUS_FILES_UNATTACHED_SECONDS', 24 * 3600, 1),
      sweepSeconds: int(env, 'CHORUS_FILES_SWEEP_SECONDS', 600, 0),
      signingSecret,
      dir: path.resolve(env.CHORUS_FILES_DIR ?? path.join(dataDir, 'files')),
      s3: s3Config(env),
    },
  };
}

function metricsToken(env: Source): string | null {
  const token = str(env, 'CHORUS_METRICS_TOKEN');
  if (token !== undefined && token.length < 16) throw new ConfigError('CHORUS_METRICS_TOKEN', 'must be at least 16 characters (it guards /metrics)');
  return token ?? null;
}

const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

function logLevel(env: Source): string {
  const level = str(env, 'LOG_LEVEL') ?? 'info';
  if (!logLevels.includes(level)) throw new ConfigError('LOG_LEVEL', `expected one of ${logLevels.join(', ')}, got "${level}"`);
  return level;
}
