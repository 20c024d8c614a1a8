import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import pino from 'pino';
import { loadConfig, type Config } from '../config.js';
import type { AppContext } from '../context.js';
import { connect, type Db } from '../db/database.js';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../db/embedded.js';
import type { Org, User } from '../db/schema.js';
import type { EventBus } from '../events/bus.js';
import { NotifyBus } from '../events/pg-notify.js';
import { RedisBus } from '../events/redis-bus.js';
import type { Actor } from '../policy/actor.js';
import { LocalPresence } from '../realtime/presence.js';
import { CliError, ExitCode } from './command.js';

/** The configuration a command runs with: the environment over --config or CHORUS_CONFIG. */
export function commandConfig(input: { env: NodeJS.ProcessEnv; configFile: string | undefined }): Config {
  return loadConfig(input.env, input.configFile ?? input.env.CHORUS_CONFIG);
}

/** The URL of the embedded PostgreSQL under `dataDir`, when it has been initialised there. */
export function embeddedUrl(config: Config): string | null {
  const secretFile = path.join(config.dataDir, 'pg-password');
  if (!existsSync(secretFile)) return null;
  const password = readFileSync(secretFile, 'utf8').trim();
  return `postgres://chorus:${encodeURIComponent(password)}@127.0.0.1:${config.embeddedPgPort}/chorus`;
}

export async function reachable(db: Db): Promise<void> {
  await sql`select 1`.execute(db);
}

/**
 * The database a command works on: DATABASE_URL; without it the embedded PostgreSQL under the data
 * directory — the running server's when it is up, or started here (and stopped on close) when not.
 */
export async function openDatabase(config: Config): Promise<{ db: Db; embedded: EmbeddedDatabase | null }> {
  if (config.databaseUrl) return { db: connect(config.databaseUrl, 4), embedded: null };
  const running = embeddedUrl(config);
  if (running) {
    const db = connect(running, 4);
    try {
      await reachable(db);
      return { db, embedded: null };
    } catch {
      await db.destroy();
    }
  }
  const embedded = await startEmbeddedPostgres({ dataDir: config.dataDir, port: config.embeddedPgPort });
  return { db: connect(embedded.url, 4), embedded };
}

/** A context for commands that act through the services: the same rules, transactions and audit as the API. */
export interface CliRuntime {
  ctx: AppContext;
  close(): Promise<void>;
}

/**
 * Opens the database and the bus through which what a command changes — a revoked token, a new
 * agent — reaches the running server's sockets as it would from the API: with REDIS_URL the cluster
 * bus, to every node; without it, PostgreSQL's NOTIFY, to the server on the same database.
 */
export async function openRuntime(input: { env: NodeJS.ProcessEnv; configFile: string | undefined }): Promise<CliRuntime> {
  const config = commandConfig(input);
  const log = pino({ level: input.env.LOG_LEVEL ?? 'warn' }, pino.destination(2));
  const { db, embedded } = await openDatabase(config);
  try {
    await reachable(db);
  } catch (error) {
    await db.destroy();
    throw new CliError(`cannot reach the database: ${error instanceof Error ? error.message : String(error)}`, ExitCode.failure, 'Check DATABASE_URL, or run chorus doctor.');
  }
  const bus: EventBus = config.redisUrl ? await RedisBus.connect(config.redisUrl, log) : new NotifyBus(db, log);
  const ctx: AppContext = { config, db, bus, presence: new LocalPresence(), log };
  return {
    ctx,
    async close() {
      await bus.close();
      await db.destroy();
      await embedded?.stop();
    },
  };
}

/** Runs `fn` with a runtime, closing it afterwards whatever happens. */
export async function withRuntime<T>(input: { env: NodeJS.ProcessEnv; configFile: string | undefined }, fn: (ctx: AppContext) => Promise<T>): Promise<T> {
  const runtime = await openRuntime(input);
  try {
    return await fn(runtime.ctx);
  } finally {
    await runtime.close();
  }
}

/** An org by id or address (slug). */
export async function findOrg(ctx: AppContext, ref: string): Promise<Org> {
  const isId = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(ref);
  const org = await ctx.db
    .selectFrom('orgs')
    .selectAll()
    .where((eb) => (isId ? eb('id', '=', ref) : eb(eb.fn('lower', [eb.ref('slug')]), '=', ref.toLowerCase())))
    .executeTakeFirst();
  if (!org) throw new CliError(`no org "${ref}"`, ExitCode.failure, 'Give the org by its address (slug) or id.');
  return org;
}

export async function findUser(ctx: AppContext, email: string): Promise<User | undefined> {
  return ctx.db
    .selectFrom('users')
    .selectAll()
    .where((eb) => eb(eb.fn('lower', [eb.ref('email')]), '=', email.trim().toLowerCase()))
    .executeTakeFirst();
}

/**
 * The person a command acts as, as a member of the org: `--as <email>`, or the org's first owner.
 * The services then apply that member's permissions and record the action under their name.
 */
export async function personIn(ctx: AppContext, orgRef: string, asEmail: string | undefined): Promise<{ org: Org; actor: Actor }> {
  const org = await findOrg(ctx, orgRef);
  let query = ctx.db
    .selectFrom('members')
    .innerJoin('users', 'users.id', 'members.user_id')
    .selectAll('members')
    .where('members.org_id', '=', org.id)
    .where('members.kind', '=', 'human');
  query = asEmail
    ? query.where((eb) => eb(eb.fn('lower', [eb.ref('users.email')]), '=', asEmail.trim().toLowerCase()))
    : query.where('members.role', '=', 'owner').where('members.status', '=', 'active').orderBy('members.created_at').limit(1);
  const member = await query.executeTakeFirst();
  if (!member) {
    throw new CliError(asEmail ? `${asEmail} is not a member of ${org.slug}` : `${org.slug} has no active owner`, ExitCode.failure, asEmail ? 'Give --as the email of a member of the org.' : 'Name the person to act as with --as <email>.');
  }
  return { org, actor: { member, scopes: 'all' } };
}

/** The `--org` and `--as` options of commands that act in an org as a person. */
export const orgOptions = {
  org: { type: 'string', placeholder: '<slug|id>', help: 'the org (its address or id)', required: true },
  as: { type: 'string', placeholder: '<email>', help: "the person to act as (default: the org's first owner); their permissions apply and the audit log names them" },
} as const;
