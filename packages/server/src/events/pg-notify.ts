import pg from 'pg';
import { sql } from 'kysely';
import type { ChannelEvent } from '@chorus/protocol/events';
import type { FastifyBaseLogger } from 'fastify';
import type { Db } from '../db/database.js';
import { readEvents } from '../realtime/event-log.js';
import { LocalFanout, type EventBus, type EventListener, type SignalListener } from './bus.js';
import type { Signal } from './signals.js';

/**
 * Without Redis, the link between a running server and the `chorus` commands
 * run beside it on the same database: what a command commits (a revoked token,
 * a new agent in a channel) reaches the server's sockets as it would through
 * the API. A command notifies (PostgreSQL NOTIFY, sent to every listener when
 * it commits); the server listens. With REDIS_URL both sides use the Redis bus
 * instead and none of this runs.
 *
 * A NOTIFY payload holds at most 8,000 bytes and a message may be larger, so an
 * event travels as its place in its channel's log and the server reads it from
 * there; a signal travels whole (an `access` signal for many members in parts).
 */
const eventsChannel = 'chorus_events';
const signalsChannel = 'chorus_signals';
const maxPayload = 7_900;

/** Where an event is in the log: enough for the server to read it. */
type EventRef = [orgId: string, channelId: string, seq: number];

/** The bus of a command: listeners in this process, and a NOTIFY for the server after each commit. */
export class NotifyBus implements EventBus {
  readonly #local = new LocalFanout();
  readonly #sent = new Set<Promise<void>>();

  constructor(
    private readonly db: Db,
    private readonly log: FastifyBaseLogger,
  ) {}

  publish(events: readonly ChannelEvent[]): void {
    this.#local.deliverEvents(events);
    const refs: EventRef[] = events.map((e) => [e.org_id, e.channel_id, e.seq]);
    // About 90 bytes a reference: parts of 80 stay under the limit.
    for (let i = 0; i < refs.length; i += 80) this.#notify(eventsChannel, JSON.stringify(refs.slice(i, i + 80)));
  }

  signal(signal: Signal): void {
    this.#local.deliverSignal(signal);
    for (const part of parts(signal)) {
      const text = JSON.stringify(part);
      if (text.length <= maxPayload) this.#notify(signalsChannel, text);
      else this.log.warn({ kind: signal.kind, bytes: text.length }, 'a signal too large to notify was not sent to the server');
    }
  }

  subscribe(listener: EventListener): () => void {
    return this.#local.subscribe(listener);
  }

  onSignal(listener: SignalListener): () => void {
    return this.#local.onSignal(listener);
  }

  /** Waits for the notifications sent so far: a command exits only once the server has been told. */
  async close(): Promise<void> {
    await Promise.all(this.#sent);
    this.#local.clear();
  }

  #notify(channel: string, payload: string): void {
    const sent = sql`select pg_notify(${channel}, ${payload})`
      .execute(this.db)
      .then(
        () => undefined,
        (err: unknown) => {
          this.log.warn({ err, channel }, 'could not notify the server');
        },
      );
    this.#sent.add(sent);
    void sent.finally(() => this.#sent.delete(sent));
  }
}

/** An `access` signal for many members, in parts that each fit a NOTIFY. */
function parts(signal: Signal): Signal[] {
  if (signal.kind !== 'access' || signal.member_ids.length <= 100) return [signal];
  const out: Signal[] = [];
  for (let i = 0; i < signal.member_ids.length; i += 100) out.push({ ...signal, member_ids: signal.member_ids.slice(i, i + 100) });
  return out;
}

export interface Listening {
  /** The PostgreSQL backend of the listening connection; null while it is being opened again. */
  readonly backend: number | null;
  close(): Promise<void>;
}

/**
 * The server's side: one connection that LISTENs, and hands what commands
 * notify to this node's bus — events read from the log, signals as they came.
 * A dropped connection is opened again (a second later, then up to every 30 s);
 * an event notified meanwhile still arrives with the channel's next one, since
 * the gateway fills any gap from the log.
 */
export async function listenForCommands(url: string, db: Db, bus: EventBus, log: FastifyBaseLogger): Promise<Listening> {
  let client: pg.Client | null = null;
  let backend: number | null = null;
  let closed = false;
  let retry: NodeJS.Timeout | null = null;
  let backoffMs = 1_000;

  const receive = (message: pg.Notification) => {
    void (async () => {
      if (!message.payload) return;
      if (message.channel === signalsChannel) bus.signal(JSON.parse(message.payload) as Signal);
      else if (message.channel === eventsChannel) bus.publish(await eventsAt(db, JSON.parse(message.payload) as EventRef[]));
    })().catch((err: unknown) => {
      log.warn({ err, channel: message.channel }, 'an undeliverable notification from a command');
    });
  };

  const open = async (): Promise<void> => {
    const next = new pg.Client({ connectionString: url });
    next.on('notification', receive);
    const lost = (err?: Error) => {
      if (client !== next) return;
      log.warn({ err }, 'the connection listening for commands was lost; opening another');
      reopen();
    };
    next.on('error', lost);
    next.on('end', lost);
    await next.connect();
    await next.query(`listen ${eventsChannel}; listen ${signalsChannel}`);
    const { rows } = await next.query<{ pid: number }>('select pg_backend_pid() as pid');
    if (closed) {
      await next.end();
      return;
    }
    client = next;
    backend = rows[0]?.pid ?? null;
    backoffMs = 1_000;
  };

  const reopen = () => {
    if (closed || retry) return;
    client = null;
    backend = null;
    retry = setTimeout(() => {
      retry = null;
      open().catch((err: unknown) => {
        log.warn({ err }, 'cannot listen for commands yet');
        backoffMs = Math.min(backoffMs * 2, 30_000);
        reopen();
      });
    }, backoffMs);
    retry.unref();
  };

  await open();
  return {
    get backend() {
      return backend;
    },
    async close() {
      closed = true;
      if (retry) clearTimeout(retry);
      const last = client;
      client = null;
      await last?.end().catch(() => undefined);
    },
  };
}

/** The events at these places of their channels' logs, in seq order per channel. */
async function eventsAt(db: Db, refs: EventRef[]): Promise<ChannelEvent[]> {
  const byChannel = new Map<string, { orgId: string; seqs: Set<number> }>();
  for (const [orgId, channelId, seq] of refs) {
    const entry = byChannel.get(channelId) ?? { orgId, seqs: new Set<number>() };
    entry.seqs.add(seq);
    byChannel.set(channelId, entry);
  }
  const read = await Promise.all(
    [...byChannel].map(async ([channelId, { orgId, seqs }]) => {
      const events = await readEvents(db, orgId, channelId, Math.min(...seqs) - 1, Math.max(...seqs));
      return events.filter((e) => seqs.has(e.seq));
    }),
  );
  return read.flat();
}
