/**
 * The reference: a bare `ws` broadcast server with no auth and no storage.
 * A client names its rooms in the URL (`/?rooms=a,b`); a `send` frame is
 * framed once as an `event` (shaped like Chorus's message.created, a per-room
 * seq included), written to every member of the room, the sender included, and
 * answered with an `ack`. This is the ws README's broadcast loop: one encoded
 * buffer handed to `send` of each socket.
 *
 * With BARE_DATABASE_URL set it is the durable reference instead: each send is
 * stored as one row of one table and is delivered and acknowledged only after
 * its transaction commits. Sends are grouped into transactions as Chorus's send
 * queue groups them under this load (two writers, as Chorus's queue has once 64
 * sends wait; a free writer takes everything waiting, up to 500), so the pair
 * measures what Chorus adds to the floor cost of a durable ack
 * on the same machine and the same PostgreSQL: its auth, policy, event log,
 * audit record and indexes.
 *
 * Run as its own process by run.ts: PORT=… node --import tsx bench/fanout/bare-server.ts
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { WebSocketServer, type WebSocket } from 'ws';

const port = Number(process.env.PORT ?? '0');
// Variants for finding where a server's fan-out time goes (not used by the benchmark's own figures):
// BARE_SEND_AS=string hands ws the JSON string for every socket (as Chorus does) instead of one encoded buffer;
// BARE_PAD_BYTES=n adds n bytes to every event frame (Chorus's message.created frames are about 2× the bare ones).
const sendAsString = process.env.BARE_SEND_AS === 'string';
const pad = 'x'.repeat(Number(process.env.BARE_PAD_BYTES ?? '0'));
const rooms = new Map<string, Set<WebSocket>>();
const seqs = new Map<string, number>();

interface SendFrame {
  type: 'send';
  request_id: string;
  channel_id: string;
  body: string;
}

/** A send that has its id and seq and waits for its row to commit. */
interface Stored {
  ws: WebSocket;
  frame: SendFrame;
  id: string;
  seq: number;
  members: Set<WebSocket>;
}

/** Group commit into one table, the least a durable ack can cost: no auth, no event log, one index. */
class DurableStore {
  readonly #pool: pg.Pool;
  readonly #ready: Promise<unknown>;
  #waiting: Stored[] = [];
  #writers = 0;

  constructor(
    url: string,
    private readonly onStored: (sends: Stored[], at: Date) => void,
  ) {
    this.#pool = new pg.Pool({ connectionString: url, max: WRITERS });
    this.#ready = this.#pool.query(
      'create table if not exists bare_messages (id uuid primary key, room text not null, seq bigint not null, body text not null, created_at timestamptz not null)',
    );
  }

  submit(send: Stored): void {
    this.#waiting.push(send);
    this.#next();
  }

  #next(): void {
    while (this.#writers < WRITERS && this.#waiting.length > 0) {
      const batch = this.#waiting.splice(0, MAX_BATCH);
      this.#writers += 1;
      this.#write(batch)
        .catch((error: unknown) => {
          const message = error instanceof Error ? error.message : String(error);
          for (const s of batch) s.ws.send(JSON.stringify({ type: 'error', request_id: s.frame.request_id, error: { code: 'store_failed', message } }));
        })
        .finally(() => {
          this.#writers -= 1;
          this.#next();
        });
    }
  }

  async #write(batch: Stored[]): Promise<void> {
    await this.#ready;
    const at = new Date();
    const client = await this.#pool.connect();
    try {
      await client.query('begin');
      await client.query('insert into bare_messages (id, room, seq, body, created_at) select * from unnest($1::uuid[], $2::text[], $3::bigint[], $4::text[], $5::timestamptz[])', [
        batch.map((s) => s.id),
        batch.map((s) => s.frame.channel_id),
        batch.map((s) => s.seq),
        batch.map((s) => s.frame.body),
        batch.map(() => at),
      ]);
      await client.query('commit');
    } catch (error) {
      await client.query('rollback').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
    this.onStored(batch, at);
  }
}

const WRITERS = 2;
const MAX_BATCH = 500;

function isSend(value: unknown): value is SendFrame {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return v.type === 'send' && typeof v.request_id === 'string' && typeof v.channel_id === 'string' && typeof v.body === 'string';
}

/** The message to the room, the sender included, then the ack to the sender. */
function deliver({ ws, frame, id, seq, members }: Stored, at: Date): void {
  const now = at.toISOString();
  const text = JSON.stringify({
    type: 'event',
    event: {
      channel_id: frame.channel_id,
      seq,
      type: 'message.created',
      created_at: now,
      payload: { message: { id, channel_id: frame.channel_id, seq, body: frame.body, created_at: now, ...(pad ? { pad } : {}) } },
    },
  });
  const event = sendAsString ? text : Buffer.from(text);
  for (const peer of members) if (peer.readyState === peer.OPEN) peer.send(event);
  ws.send(JSON.stringify({ type: 'ack', request_id: frame.request_id, message: { id, seq } }));
}

const databaseUrl = process.env.BARE_DATABASE_URL ?? '';
const store = databaseUrl
  ? new DurableStore(databaseUrl, (sends, at) => {
      for (const s of sends) deliver(s, at);
    })
  : null;

const wss = new WebSocketServer({ host: '127.0.0.1', port, perMessageDeflate: false, maxPayload: 256 * 1024 });

wss.on('connection', (ws, request) => {
  const query = new URL(request.url ?? '/', 'http://bare').searchParams.get('rooms') ?? '';
  const mine = query.split(',').filter((r) => r.length > 0);
  for (const room of mine) {
    let members = rooms.get(room);
    if (!members) {
      members = new Set();
      rooms.set(room, members);
    }
    members.add(ws);
  }
  ws.on('message', (data) => {
    let frame: unknown;
    try {
      frame = JSON.parse((data as Buffer).toString('utf8'));
    } catch {
      return;
    }
    if (!isSend(frame)) return;
    const members = rooms.get(frame.channel_id);
    if (!members?.has(ws)) {
      ws.send(JSON.stringify({ type: 'error', request_id: frame.request_id, error: { code: 'not_a_member', message: 'Not in that room.' } }));
      return;
    }
    const seq = (seqs.get(frame.channel_id) ?? 0) + 1;
    seqs.set(frame.channel_id, seq);
    const send: Stored = { ws, frame, id: randomUUID(), seq, members };
    if (store) store.submit(send);
    else deliver(send, new Date());
  });
  ws.on('close', () => {
    for (const room of mine) rooms.get(room)?.delete(ws);
  });
});

wss.on('listening', () => {
  const address = wss.address();
  const bound = typeof address === 'object' && address !== null ? address.port : port;
  console.log(`bare ws listening on ${bound}`);
});

const stop = () => {
  for (const ws of wss.clients) ws.terminate();
  wss.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 1_000).unref();
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
