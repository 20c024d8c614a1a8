/**
 * The load process. It holds every client socket of the benchmark, for Chorus
 * and for the bare server alike, and runs one scenario at a time when the
 * orchestrator asks over IPC. Both servers see exactly the same clients and
 * the same send pattern: a `send` frame into a channel (or room), an `event`
 * frame to every member of it, an `ack` to the sender.
 *
 * The receive path stays cheap (the driver shares the two cores with the
 * servers): an event frame is recognised by two bytes of its `type`, and only
 * the frames whose timestamp or author matters are scanned for the body's
 * marker `bench|<sender>|<n>|<sent at, ms>|`.
 */
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import type {
  CloseCmd,
  CloseResult,
  Closes,
  ConnSpec,
  DriverCmd,
  DriverMessage,
  DurableCmd,
  DurableResult,
  LatencyCmd,
  LatencyResult,
  OpenCmd,
  OpenResult,
  Request,
  SaturateCmd,
  SaturateResult,
  Sender,
  WindowStats,
} from './ipc.js';
import { Bucket, Samples, mapLimit, sleep } from './stats.js';

// Every server frame starts with {"type":" (9 bytes); the next bytes tell the kind.
const TYPE_AT = 9;
const ch = (c: string) => c.charCodeAt(0);
const MARK = Buffer.from('bench|');
const PIPE = ch('|');
const QUOTE = ch('"');
/** `{"type":"ack","request_id":"` — both servers put request_id first after type. */
const ACK_ID_AT = '{"type":"ack","request_id":"'.length;
/** Client-side burst: well inside the gateway's 200-frame burst, so no sender is ever closed for flooding. */
const SENDER_BURST = 20;

interface SenderState {
  sid: number;
  client: Client;
  channel: string;
  window: number;
  inflight: number;
  bucket: Bucket;
  n: number;
  completed: number;
  sentAt: Map<string, number>;
}

interface Client {
  ws: WebSocket;
  closed: boolean;
  /** Closed by the driver itself (not counted as a server close). */
  closing: boolean;
  sender: SenderState | null;
}

type Mode = 'idle' | 'saturate' | 'latency' | 'durable';

const sets = new Map<string, Client[]>();
let mode: Mode = 'idle';
let sending = false;
const counters = { deliveries: 0, bytes: 0, errors: 0, firstError: null as string | null, closes: {} as Closes, acked: 0 };
let latency: { samples: Samples; from: number; to: number } | null = null;
let ackLatency: { samples: Samples; from: number; to: number } | null = null;

function resetCounters(): void {
  counters.deliveries = 0;
  counters.bytes = 0;
  counters.errors = 0;
  counters.firstError = null;
  counters.closes = {};
  counters.acked = 0;
}

function send(message: DriverMessage): void {
  process.send?.(message);
}

// ── receive path ────────────────────────────────────────────────────────────

function onFrame(c: Client, data: Buffer): void {
  const kind = data[TYPE_AT];
  if (kind === ch('e') && data[TYPE_AT + 1] === ch('v')) {
    counters.deliveries++;
    counters.bytes += data.length;
    if (mode === 'latency' || (mode === 'saturate' && c.sender)) onEvent(c, data);
    return;
  }
  if (kind === ch('a') && data[TYPE_AT + 1] === ch('c')) {
    if (mode === 'durable' && c.sender) onAck(c.sender, data);
    else if (mode === 'latency' && c.sender && c.sender.inflight > 0) c.sender.inflight--;
    return;
  }
  if (kind === ch('p')) return; // presence / pong
  let frame: { type?: string; request_id?: string; error?: { code?: string; message?: string } };
  try {
    frame = JSON.parse(data.toString('utf8')) as typeof frame;
  } catch {
    return;
  }
  if (frame.type === 'error') {
    counters.errors++;
    counters.firstError ??= `${frame.error?.code ?? '?'}: ${frame.error?.message ?? ''}`;
    const s = c.sender;
    if (s && frame.request_id !== undefined && s.inflight > 0) {
      s.sentAt.delete(frame.request_id);
      s.inflight--;
      pump(s);
    }
  }
}

function onEvent(c: Client, data: Buffer): void {
  const at = data.indexOf(MARK);
  if (at < 0) return;
  const sidEnd = data.indexOf(PIPE, at + MARK.length);
  const nEnd = data.indexOf(PIPE, sidEnd + 1);
  const tEnd = data.indexOf(PIPE, nEnd + 1);
  if (sidEnd < 0 || nEnd < 0 || tEnd < 0) return;
  if (mode === 'latency' && latency) {
    const sentAt = Number(data.toString('latin1', nEnd + 1, tEnd));
    if (sentAt >= latency.from && sentAt < latency.to) latency.samples.push(performance.now() - sentAt);
    return;
  }
  const s = c.sender;
  if (!s) return;
  const sid = Number(data.toString('latin1', at + MARK.length, sidEnd));
  if (sid !== s.sid) return;
  // The sender received its own message: the fan-out of that message has reached it.
  s.completed++;
  if (s.inflight > 0) s.inflight--;
  pump(s);
}

function onAck(s: SenderState, data: Buffer): void {
  const end = data.indexOf(QUOTE, ACK_ID_AT);
  const id = data.toString('latin1', ACK_ID_AT, end);
  const at = s.sentAt.get(id);
  if (at === undefined) return;
  s.sentAt.delete(id);
  const now = performance.now();
  counters.acked++;
  if (ackLatency && now >= ackLatency.from && now < ackLatency.to) ackLatency.samples.push(now - at);
  s.completed++;
  s.inflight--;
  pump(s);
}

// ── send path ───────────────────────────────────────────────────────────────

function sendOne(s: SenderState): void {
  const n = ++s.n;
  const id = String(n);
  const now = performance.now();
  if (mode === 'durable') s.sentAt.set(id, now);
  s.inflight++;
  s.client.ws.send(`{"type":"send","request_id":"${id}","channel_id":"${s.channel}","body":"bench|${s.sid}|${n}|${now.toFixed(3)}|"}`);
}

function pump(s: SenderState): void {
  if (mode === 'latency') return; // paced by the schedule, never by completions
  while (sending && !s.client.closed && s.inflight < s.window && s.bucket.take()) sendOne(s);
}

function sendersOf(setName: string, senders: Sender[], window: number, rate: number): SenderState[] {
  const clients = clientsOf(setName);
  return senders.map((spec, sid) => {
    const client = clients[spec.conn];
    if (!client) throw new Error(`no connection ${spec.conn} in set ${setName}`);
    if (client.sender) throw new Error(`connection ${spec.conn} is already a sender`);
    const s: SenderState = { sid, client, channel: spec.channel, window, inflight: 0, bucket: new Bucket(rate, SENDER_BURST), n: 0, completed: 0, sentAt: new Map() };
    client.sender = s;
    return s;
  });
}

function release(senders: SenderState[]): void {
  for (const s of senders) s.client.sender = null;
}

/** Waits until every sender's messages came back (or `maxMs`), then until deliveries stop arriving. */
async function drain(senders: SenderState[], maxMs = 15_000): Promise<void> {
  const until = performance.now() + maxMs;
  while (performance.now() < until && senders.some((s) => s.inflight > 0 && !s.client.closed)) await sleep(20);
  let last = -1;
  while (performance.now() < until && counters.deliveries !== last) {
    last = counters.deliveries;
    await sleep(300);
  }
}

function clientsOf(name: string): Client[] {
  const set = sets.get(name);
  if (!set) throw new Error(`no connection set ${name}`);
  return set;
}

function windowStats(elu: number): WindowStats {
  return { driverElu: round(elu, 3), closes: { ...counters.closes }, errors: counters.errors, firstError: counters.firstError };
}

const round = (x: number, digits = 1) => {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
};

/** Runs the warm-up, then the measured window (marked for the orchestrator), and returns what changed in it. */
async function measure(warmupMs: number, measureMs: number, sample: () => number[]): Promise<{ ms: number; delta: number[]; elu: number }> {
  await sleep(warmupMs);
  send({ kind: 'window', phase: 'start' });
  const before = sample();
  const t0 = performance.now();
  const elu0 = performance.eventLoopUtilization();
  await sleep(measureMs);
  const after = sample();
  const ms = performance.now() - t0;
  const elu = performance.eventLoopUtilization(elu0).utilization;
  send({ kind: 'window', phase: 'end' });
  return { ms, delta: after.map((v, i) => v - (before[i] ?? 0)), elu };
}

// ── commands ────────────────────────────────────────────────────────────────

function openOne(url: string, spec: ConnSpec): Promise<Client> {
  const target = 'rooms' in spec ? `${url}?rooms=${spec.rooms.join(',')}` : url;
  const ws = new WebSocket(target, { perMessageDeflate: false });
  const client: Client = { ws, closed: false, closing: false, sender: null };
  return new Promise<Client>((resolve, reject) => {
    let settled = false;
    const timer = setTimeout(() => {
      fail(new Error('no ready within 60 s'));
    }, 60_000);
    const done = () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(client);
    };
    const fail = (error: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      ws.terminate();
      reject(error);
    };
    ws.on('message', (raw: WebSocket.RawData) => {
      const data = raw as Buffer;
      if (!settled && data[TYPE_AT] === ch('r') && data.toString('latin1', 0, 16) === '{"type":"ready",') done();
      else if (!settled && data[TYPE_AT] === ch('e') && data[TYPE_AT + 1] === ch('r')) fail(new Error(data.toString('utf8')));
      else onFrame(client, data);
    });
    ws.on('open', () => {
      if ('token' in spec) ws.send(JSON.stringify({ type: 'hello', token: spec.token }));
      else done();
    });
    ws.on('error', (error) => {
      fail(error);
    });
    ws.on('close', (code) => {
      client.closed = true;
      if (!client.closing && settled) counters.closes[String(code)] = (counters.closes[String(code)] ?? 0) + 1;
      fail(new Error(`closed with ${code} before ready`));
    });
  });
}

async function open(cmd: OpenCmd): Promise<OpenResult> {
  const t0 = performance.now();
  let failed = 0;
  let firstError: string | null = null;
  const opened = await mapLimit(cmd.conns, cmd.concurrency, async (spec) => {
    try {
      return await openOne(cmd.url, spec);
    } catch (error) {
      failed++;
      firstError ??= error instanceof Error ? error.message : String(error);
      return null;
    }
  });
  const clients = opened.filter((c): c is Client => c !== null);
  sets.set(cmd.set, [...(sets.get(cmd.set) ?? []), ...clients]);
  return { opened: clients.length, failed, firstError, ms: Math.round(performance.now() - t0) };
}

async function close(cmd: CloseCmd): Promise<CloseResult> {
  const clients = sets.get(cmd.set) ?? [];
  sets.delete(cmd.set);
  await mapLimit(clients, 200, (c) => {
    if (c.closed) return Promise.resolve();
    c.closing = true;
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        c.ws.terminate();
        resolve();
      }, 5_000);
      c.ws.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      c.ws.close(1000, 'bench done');
    });
  });
  return { closed: clients.length };
}

async function saturate(cmd: SaturateCmd): Promise<SaturateResult> {
  resetCounters();
  const senders = sendersOf(cmd.set, cmd.senders, cmd.window, cmd.ratePerSender);
  mode = 'saturate';
  sending = true;
  const timer = setInterval(() => {
    for (const s of senders) pump(s);
  }, 5);
  for (const s of senders) pump(s);
  const completed = () => senders.reduce((sum, s) => sum + s.completed, 0);
  const { ms, delta, elu } = await measure(cmd.warmupMs, cmd.measureMs, () => [counters.deliveries, counters.bytes, completed()]);
  sending = false;
  clearInterval(timer);
  await drain(senders);
  release(senders);
  mode = 'idle';
  const [deliveries = 0, bytes = 0, messages = 0] = delta;
  return {
    measuredMs: Math.round(ms),
    deliveries,
    deliveriesPerSec: Math.round((deliveries / ms) * 1000),
    messagesPerSec: Math.round((messages / ms) * 1000),
    avgFrameBytes: deliveries > 0 ? Math.round(bytes / deliveries) : 0,
    ...windowStats(elu),
  };
}

async function runLatency(cmd: LatencyCmd): Promise<LatencyResult> {
  resetCounters();
  const senders = sendersOf(cmd.set, cmd.senders, Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY);
  const t0 = performance.now();
  const from = t0 + cmd.warmupMs;
  const to = from + cmd.measureMs;
  latency = { samples: new Samples(), from, to };
  mode = 'latency';
  sending = true;
  // Open loop: message k is due at t0 + k / rate, from sender k mod S, whatever the server's pace.
  // Only a server more than 0.5 s of sends behind (unacknowledged) makes the driver skip sends, so that an
  // overloaded server's backlog stays bounded and does not spill into the next scenario; skips lower the achieved rate.
  const maxOutstanding = Math.max(1, Math.round(cmd.totalRate / 2));
  let outstanding = 0;
  let k = 0;
  let sentInWindow = 0;
  let skippedInWindow = 0;
  const tick = () => {
    const now = performance.now();
    const due = Math.floor(((now - t0) * cmd.totalRate) / 1000);
    if (k < due) outstanding = senders.reduce((sum, x) => sum + x.inflight, 0);
    while (k < due) {
      const s = senders[k % senders.length];
      k++;
      if (!s || s.client.closed) continue;
      const at = performance.now();
      const inWindow = at >= from && at < to;
      if (outstanding >= maxOutstanding) {
        if (inWindow) skippedInWindow++;
        continue;
      }
      if (inWindow) sentInWindow++;
      outstanding++;
      sendOne(s);
    }
  };
  const timer = setInterval(tick, 1);
  const { ms, delta, elu } = await measure(cmd.warmupMs, cmd.measureMs, () => [counters.deliveries]);
  sending = false;
  clearInterval(timer);
  await drain(senders, 60_000);
  release(senders);
  mode = 'idle';
  const samples = latency.samples;
  latency = null;
  const [p50 = 0, p90 = 0, p99 = 0, max = 0] = samples.percentiles([50, 90, 99, 100]);
  return {
    measuredMs: Math.round(ms),
    sent: sentInWindow,
    skipped: skippedInWindow,
    samples: samples.count,
    deliveredRatio: round(samples.count / Math.max(1, sentInWindow * cmd.fanout), 4),
    p50Ms: round(p50, 2),
    p90Ms: round(p90, 2),
    p99Ms: round(p99, 2),
    maxMs: round(max, 2),
    achievedRate: Math.round((sentInWindow / ms) * 1000),
    deliveriesPerSec: Math.round(((delta[0] ?? 0) / ms) * 1000),
    ...windowStats(elu),
  };
}

async function durable(cmd: DurableCmd): Promise<DurableResult> {
  resetCounters();
  const senders = sendersOf(cmd.set, cmd.senders, 1, cmd.ratePerSender);
  const from = performance.now() + cmd.warmupMs;
  ackLatency = { samples: new Samples(), from, to: from + cmd.measureMs };
  mode = 'durable';
  sending = true;
  const timer = setInterval(() => {
    for (const s of senders) pump(s);
  }, 5);
  for (const s of senders) pump(s);
  const { ms, delta, elu } = await measure(cmd.warmupMs, cmd.measureMs, () => [counters.acked]);
  sending = false;
  clearInterval(timer);
  const until = performance.now() + 15_000;
  while (performance.now() < until && senders.some((s) => s.inflight > 0 && !s.client.closed)) await sleep(20);
  release(senders);
  mode = 'idle';
  const samples = ackLatency.samples;
  ackLatency = null;
  const [p50 = 0, p99 = 0] = samples.percentiles([50, 99]);
  const acked = delta[0] ?? 0;
  return {
    measuredMs: Math.round(ms),
    acked,
    ackedPerSec: Math.round((acked / ms) * 1000),
    ackP50Ms: round(p50, 2),
    ackP99Ms: round(p99, 2),
    capPerSec: Math.round(cmd.senders.length * cmd.ratePerSender),
    ...windowStats(elu),
  };
}

function handle(cmd: DriverCmd): Promise<unknown> {
  switch (cmd.cmd) {
    case 'open':
      return open(cmd);
    case 'close':
      return close(cmd);
    case 'saturate':
      return saturate(cmd);
    case 'latency':
      return runLatency(cmd);
    case 'durable':
      return durable(cmd);
  }
}

process.on('message', (request: Request) => {
  handle(request.body).then(
    (result) => {
      send({ kind: 'reply', id: request.id, ok: true, result });
    },
    (error: unknown) => {
      send({ kind: 'reply', id: request.id, ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
    },
  );
});
process.on('disconnect', () => {
  process.exit(0);
});
