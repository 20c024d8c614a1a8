/**
 * `npm run bench:fanout` — Chorus (embedded defaults, as a child process) against
 * a bare `ws` broadcast server (no auth, no storage), both driven by the same
 * load from a separate process (driver.ts). Prints a table and writes
 * bench/results/fanout-<time>.json. See docs/PERFORMANCE.md.
 *
 * Options: --quick (short windows, for checking the harness), --only=memory,sat10,sat1,latency,durable
 * Env: BENCH_CHORUS_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" adds node flags to the Chorus process,
 * BENCH_BARE_NODE_ARGS the same for the bare server (profiles are written when the servers stop).
 */
import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import type {
  ConnSpec,
  DriverCmd,
  DriverMessage,
  DurableResult,
  LatencyResult,
  OpenResult,
  ResultOf,
  SaturateResult,
  Sender,
} from './ipc.js';
import { renderTable, row, type Row } from './report.js';
import { bareMain, chorusMain, collectGarbage, cpuSeconds, descendants, freePort, heapUse, machineCpu, rssBytes, startChild, type Child, type HeapUse } from './servers.js';
import { seed, type Seeded } from './setup.js';
import { sleep } from './stats.js';

// ── shape of the run ────────────────────────────────────────────────────────

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const only = args.find((a) => a.startsWith('--only='))?.slice('--only='.length).split(',');
type Scenario = 'memory' | 'sat10' | 'sat1' | 'latency' | 'durable';
const enabled = (s: Scenario) => !only || only.includes(s);

const AGENTS = 1_000;
const PER_CHANNEL_A = 100;
const DURABLE_SENDERS = 200;
const IDLE_PER_AGENT = 5; // 1,000 agents × 5 sockets = 5,000 idle connections
/** Chorus closes a socket that sends more than 50 frames/s (burst 200); every sender stays under it, for both servers. */
const RATE_PER_SENDER = 45;
const windows = quick
  ? { warmupMs: 1_000, measureMs: 2_000, latencyMs: 4_000, settleMs: 2_000 }
  : { warmupMs: 2_000, measureMs: 5_000, latencyMs: 10_000, settleMs: 4_000 };

const chorusEnv = {
  HOST: '127.0.0.1',
  LOG_LEVEL: 'warn',
  DATABASE_URL: '',
  REDIS_URL: '',
  // Raised for the benchmark (the defaults protect a real deployment from one noisy client):
  CHORUS_RATE_MESSAGES_PER_MINUTE: '1000000',
  CHORUS_WS_MAX_CONNECTIONS_PER_MEMBER: '100',
};

const root = fileURLToPath(new URL('../..', import.meta.url));
const resultsDir = path.join(root, 'bench/results');
const log = (line: string) => {
  process.stdout.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
};

// ── the driver, over IPC ────────────────────────────────────────────────────

type CpuSnapshot = Map<string, Map<number, number>>;

class Driver {
  readonly #child: ChildProcess;
  readonly #pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  #next = 1;
  onWindow: (phase: 'start' | 'end') => void = () => undefined;

  constructor() {
    this.#child = fork(fileURLToPath(new URL('./driver.ts', import.meta.url)), [], {
      execArgv: ['--conditions=source', '--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.#child.on('message', (message: DriverMessage) => {
      if (message.kind === 'window') {
        this.onWindow(message.phase);
        return;
      }
      const waiter = this.#pending.get(message.id);
      if (!waiter) return;
      this.#pending.delete(message.id);
      if (message.ok) waiter.resolve(message.result);
      else waiter.reject(new Error(`driver: ${message.error}`));
    });
    this.#child.once('exit', (code) => {
      for (const w of this.#pending.values()) w.reject(new Error(`driver exited with ${String(code)}`));
      this.#pending.clear();
    });
  }

  get pid(): number {
    return this.#child.pid ?? 0;
  }

  call<C extends DriverCmd>(body: C): Promise<ResultOf[C['cmd']]> {
    const id = this.#next++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.#child.send({ id, body });
    });
  }

  async stop(): Promise<void> {
    if (this.#child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => this.#child.once('exit', () => { resolve(); }));
    this.#child.disconnect();
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
}

// ── measurements ────────────────────────────────────────────────────────────

interface Processes {
  chorus: Child;
  bare: Child;
  driver: Driver;
}

/** CPU seconds of every process group at this instant: Chorus's node process, its PostgreSQL, the bare server, the driver. */
function cpuSnapshot(p: Processes): CpuSnapshot {
  const groups: Record<string, number[]> = {
    chorus: [p.chorus.pid],
    postgres: descendants(p.chorus.pid),
    bare: [p.bare.pid],
    driver: [p.driver.pid],
  };
  const snap: CpuSnapshot = new Map();
  for (const [name, pids] of Object.entries(groups)) snap.set(name, new Map(pids.map((pid) => [pid, cpuSeconds(pid)])));
  // The whole machine, busy; and its softirq share: the loopback TCP work, which no process is charged for.
  const machine = machineCpu();
  snap.set('machine', new Map([[0, machine.busy]]));
  snap.set('softirq', new Map([[0, machine.softirq]]));
  return snap;
}

/**
 * Cores used by each group over the window (1.0 = one core busy the whole time). `machine` is every core's
 * busy time, `softirq` the part of it spent on loopback TCP, and `others` what is left once the benchmark's processes
 * are counted: other work on the shared machine.
 */
function cpuUse(start: CpuSnapshot, end: CpuSnapshot, seconds: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, pids] of end) {
    let used = 0;
    // A process that started during the window counts from 0; a pid reused by a new process cannot go negative.
    for (const [pid, cpu] of pids) used += Math.max(0, cpu - (start.get(name)?.get(pid) ?? 0));
    out[name] = Math.round((used / seconds) * 100) / 100;
  }
  // Softirq time is also charged to the processes that were running (it is not accounted apart on these machines).
  const ours = ['chorus', 'postgres', 'bare', 'driver'].reduce((sum, k) => sum + (out[k] ?? 0), 0);
  out.others = Math.max(0, Math.round(((out.machine ?? 0) - ours) * 100) / 100);
  return out;
}

/** Runs one driver command and records the servers' CPU over the window the driver marks. */
async function withCpu<C extends DriverCmd>(
  p: Processes,
  body: C,
): Promise<Measured<ResultOf[C['cmd']]>> {
  let start: CpuSnapshot | null = null;
  let startAt = 0;
  let use: Record<string, number> = {};
  // CLOCK_MONOTONIC in µs, the clock of V8's --cpu-prof timestamps: lets a profile be cut to the window.
  const monotonicUs: [number, number] = [0, 0];
  const nowUs = () => Number(process.hrtime.bigint() / 1000n);
  p.driver.onWindow = (phase) => {
    if (phase === 'start') {
      start = cpuSnapshot(p);
      startAt = performance.now();
      monotonicUs[0] = nowUs();
    } else if (start) {
      use = cpuUse(start, cpuSnapshot(p), (performance.now() - startAt) / 1000);
      monotonicUs[1] = nowUs();
    }
  };
  const result = await p.driver.call(body);
  p.driver.onWindow = () => undefined;
  return { ...result, cpuCores: use, monotonicUs };
}

interface MemoryResult {
  connections: number;
  failed: number;
  firstError: string | null;
  openMs: number;
  /** RSS after a full GC, before and after opening the connections. */
  baselineBytes: number;
  loadedBytes: number;
  perConnectionBytes: number;
  /** The same read without asking for a GC first (garbage of the connection storm included). */
  perConnectionNoGcBytes: number;
  /** Live JavaScript heap plus external memory after the GC: what the connections retain, as V8 counts it. */
  perConnectionHeapBytes: number;
  heap: { before: HeapUse; after: HeapUse };
  samples: { baselineNoGc: number[]; baseline: number[]; loadedNoGc: number[]; loaded: number[] };
}

/** RSS samples every 500 ms over `ms`; the median is what is reported (steadier than one reading). */
async function rssSeries(pid: number, ms: number): Promise<number[]> {
  const out: number[] = [];
  for (let t = 0; t < ms; t += 500) {
    out.push(rssBytes(pid));
    await sleep(500);
  }
  return out;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
};

/** Settles, reads RSS, asks for a full GC (twice, through the inspector), reads RSS again. */
async function settledRss(child: Child): Promise<{ noGc: number[]; gc: number[]; heap: HeapUse }> {
  await sleep(windows.settleMs);
  const noGc = await rssSeries(child.pid, 1_500);
  await collectGarbage(child);
  await sleep(500);
  const gc = await rssSeries(child.pid, 2_000);
  return { noGc, gc, heap: await heapUse(child) };
}

async function memory(p: Processes, child: Child, url: string, conns: ConnSpec[]): Promise<MemoryResult> {
  const before = await settledRss(child);
  const set = `idle-${child.name}`;
  const opened = await p.driver.call({ cmd: 'open', set, url, conns, concurrency: 100 });
  const after = await settledRss(child);
  await p.driver.call({ cmd: 'close', set });
  const baselineBytes = median(before.gc);
  const loadedBytes = median(after.gc);
  const per = (delta: number) => (opened.opened > 0 ? Math.round(delta / opened.opened) : Number.NaN);
  return {
    connections: opened.opened,
    failed: opened.failed,
    firstError: opened.firstError,
    openMs: opened.ms,
    baselineBytes,
    loadedBytes,
    perConnectionBytes: per(loadedBytes - baselineBytes),
    perConnectionNoGcBytes: per(median(after.noGc) - median(before.noGc)),
    perConnectionHeapBytes: per(after.heap.heapUsed + after.heap.external - before.heap.heapUsed - before.heap.external),
    heap: { before: before.heap, after: after.heap },
    samples: { baselineNoGc: before.noGc, baseline: before.gc, loadedNoGc: after.noGc, loaded: after.gc },
  };
}

// ── the run ─────────────────────────────────────────────────────────────────

type Measured<T> = T & { cpuCores: Record<string, number>; monotonicUs: [number, number] };

/**
 * Saturation figures of a target: the mean over its rounds (errors and closes summed); every round is kept.
 * `perServerCore` is deliveries per second of CPU used by the server's own processes (Chorus: its node process
 * and its PostgreSQL): a figure that other work on the shared machine disturbs much less than deliveries/s.
 */
interface SatPair {
  chorus: SaturateResult;
  bare: SaturateResult;
  perServerCore: { chorus: number; bare: number; ratio: number };
  rounds: { target: 'chorus' | 'bare'; result: Measured<SaturateResult> }[];
}

function perServerCore(rounds: { target: 'chorus' | 'bare'; result: Measured<SaturateResult> }[], target: 'chorus' | 'bare'): number {
  let deliveries = 0;
  let coreSeconds = 0;
  for (const { result } of rounds.filter((x) => x.target === target)) {
    const cores = target === 'chorus' ? (result.cpuCores.chorus ?? 0) + (result.cpuCores.postgres ?? 0) : (result.cpuCores.bare ?? 0);
    deliveries += result.deliveries;
    coreSeconds += (cores * result.measuredMs) / 1000;
  }
  return coreSeconds > 0 ? Math.round(deliveries / coreSeconds) : 0;
}

function combine(rounds: SaturateResult[]): SaturateResult {
  const [first] = rounds;
  if (!first) throw new Error('no rounds');
  const mean = (f: (r: SaturateResult) => number) => Math.round(rounds.reduce((sum, r) => sum + f(r), 0) / rounds.length);
  const closes: Record<string, number> = {};
  for (const r of rounds) for (const [code, n] of Object.entries(r.closes)) closes[code] = (closes[code] ?? 0) + n;
  return {
    ...first,
    measuredMs: rounds.reduce((sum, r) => sum + r.measuredMs, 0),
    deliveries: rounds.reduce((sum, r) => sum + r.deliveries, 0),
    deliveriesPerSec: mean((r) => r.deliveriesPerSec),
    messagesPerSec: mean((r) => r.messagesPerSec),
    driverElu: mean((r) => r.driverElu * 1000) / 1000,
    closes,
    errors: rounds.reduce((sum, r) => sum + r.errors, 0),
    firstError: rounds.find((r) => r.firstError)?.firstError ?? null,
  };
}

interface Results {
  memory?: { chorus: MemoryResult; bare: MemoryResult };
  /** Opening the 1,000 member connections (hello → ready for Chorus). */
  open?: { chorus: OpenResult; bare: OpenResult };
  sat10?: SatPair;
  sat1?: SatPair;
  latency?: { chorus: LatencyResult; bare: LatencyResult };
  /** The same at 100 msg/s, well below Chorus's saturation: the latency of the path itself, without queueing. */
  latencyLow?: { chorus: LatencyResult; bare: LatencyResult };
  /**
   * Chorus against the bare server storing each send as one row (BARE_DATABASE_URL) in the same PostgreSQL.
   * perServerCore: acked sends per second of CPU used by the server and its PostgreSQL.
   */
  durable?: { chorus: Measured<DurableResult>; bare: Measured<DurableResult>; perServerCore: { chorus: number; bare: number } };
}

function tableOf(r: Results): Row[] {
  const rows: Row[] = [];
  if (r.sat10) {
    const c = r.sat10.chorus.deliveriesPerSec;
    const b = r.sat10.bare.deliveriesPerSec;
    rows.push(row('deliveries/s at saturation, 10 channels × 100 members', '/s', c, b, '≥ 0.8 × bare', c >= 0.8 * b));
    rows.push(row('  same, per core-second of the server processes', '', r.sat10.perServerCore.chorus, r.sat10.perServerCore.bare, '—', null));
  }
  if (r.sat1) {
    const c = r.sat1.chorus.deliveriesPerSec;
    const b = r.sat1.bare.deliveriesPerSec;
    rows.push(row('deliveries/s at saturation, 1 channel × 1,000 members', '/s', c, b, '≥ 0.8 × bare', c >= 0.8 * b));
    rows.push(row('  same, per core-second of the server processes', '', r.sat1.perServerCore.chorus, r.sat1.perServerCore.bare, '—', null));
  }
  if (r.latency) {
    const { chorus: c, bare: b } = r.latency;
    rows.push(row('send→receive p50 at 500 msg/s, 10 × 100', 'ms', c.p50Ms, b.p50Ms, '—', null));
    rows.push(row('send→receive p99 at 500 msg/s, 10 × 100', 'ms', c.p99Ms, b.p99Ms, '≤ 50 ms', c.p99Ms <= 50 && c.deliveredRatio >= 0.999 && c.achievedRate >= 475));
    rows.push(row('messages/s sustained of the 500 offered', '/s', c.achievedRate, b.achievedRate, '—', null));
  }
  if (r.latencyLow) {
    const { chorus: c, bare: b } = r.latencyLow;
    rows.push(row('send→receive p50 at 100 msg/s, 10 × 100', 'ms', c.p50Ms, b.p50Ms, '—', null));
    rows.push(row('send→receive p99 at 100 msg/s, 10 × 100', 'ms', c.p99Ms, b.p99Ms, '—', null));
  }
  if (r.memory) {
    const kib = (x: number) => Math.round((x / 1024) * 10) / 10;
    const c = kib(r.memory.chorus.perConnectionBytes);
    rows.push(row('server memory per idle connection, 5,000 connections', 'KiB', c, kib(r.memory.bare.perConnectionBytes), '≤ 12 KiB', c <= 12));
  }
  if (r.durable) {
    const c = r.durable.chorus.ackedPerSec;
    rows.push(row('durable sends/s (ack after commit), 200 senders', '/s', c, r.durable.bare.ackedPerSec, '≥ 5,000/s', c >= 5_000));
    rows.push(row('  same, per core-second of the server + PostgreSQL', '', r.durable.perServerCore.chorus, r.durable.perServerCore.bare, '—', null));
  }
  return rows;
}

/** Problems that make a figure suspect: closed sockets, error frames, deliveries lost. */
function warnings(r: Results): string[] {
  const out: string[] = [];
  const check = (name: string, w: { closes: Record<string, number>; errors: number; firstError: string | null }) => {
    const closes = Object.entries(w.closes);
    if (closes.length > 0) out.push(`${name}: server closed sockets ${closes.map(([code, n]) => `${n}× ${code}`).join(', ')}`);
    if (w.errors > 0) out.push(`${name}: ${w.errors} error frames, first: ${w.firstError ?? '?'}`);
  };
  for (const key of ['sat10', 'sat1', 'latency', 'latencyLow'] as const) {
    const pair = r[key];
    if (!pair) continue;
    check(`${key} chorus`, pair.chorus);
    check(`${key} bare`, pair.bare);
  }
  for (const [key, rate] of [['latency', 500], ['latencyLow', 100]] as const) {
    for (const [name, l] of Object.entries(r[key] ?? {})) {
      if (l.deliveredRatio < 0.999) out.push(`${key} ${name}: only ${(l.deliveredRatio * 100).toFixed(1)}% of the expected deliveries arrived`);
      if (l.achievedRate < 0.95 * rate) out.push(`${key} ${name}: ${l.achievedRate} msg/s sent, not ${rate} (${l.skipped} sends skipped: the server was over 0.5 s of sends behind)`);
    }
  }
  if (r.durable) {
    for (const [name, d] of [['chorus', r.durable.chorus], ['bare', r.durable.bare]] as const) {
      check(`durable ${name}`, d);
      if (d.ackedPerSec >= 0.9 * d.capPerSec) out.push(`durable ${name}: ${d.ackedPerSec}/s is near the client-side cap of ${d.capPerSec}/s (the driver's rate per socket, under the gateway's 50 frames/s): the figure is a lower bound`);
    }
  }
  if (r.memory) {
    for (const [name, m] of Object.entries(r.memory)) if (m.failed > 0) out.push(`memory ${name}: ${m.failed} connections failed: ${m.firstError ?? '?'}`);
  }
  return out;
}

async function main(): Promise<void> {
  const started = new Date();
  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'chorus-bench-'));
  const [chorusPort, pgPort, barePort, bareDurablePort] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const argsOf = (name: string) => (process.env[name] ?? '').split(' ').filter((a) => a.length > 0);
  const nodeArgs = argsOf('BENCH_CHORUS_NODE_ARGS');
  const bareNodeArgs = argsOf('BENCH_BARE_NODE_ARGS');
  let chorus: Child | null = null;
  let bare: Child | null = null;
  let bareDurable: Child | null = null;
  let driver: Driver | null = null;
  try {
    log(`starting Chorus (embedded PostgreSQL in ${tmp}) and the bare ws server`);
    const startChorus = () =>
      startChild('chorus', chorusMain, { ...chorusEnv, PORT: String(chorusPort), CHORUS_DATA_DIR: tmp, CHORUS_EMBEDDED_PG_PORT: String(pgPort) }, chorusPort, 'Chorus is running', nodeArgs);
    const launched = await Promise.allSettled([
      startChorus(),
      startChild('bare', bareMain, { PORT: String(barePort), BARE_SEND_AS: process.env.BARE_SEND_AS ?? '', BARE_PAD_BYTES: process.env.BARE_PAD_BYTES ?? '' }, barePort, 'bare ws listening', bareNodeArgs),
    ]);
    if (launched[0].status === 'fulfilled') chorus = launched[0].value;
    if (launched[1].status === 'fulfilled') bare = launched[1].value;
    const failed = launched.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
    if (!chorus || !bare) throw new Error('unreachable');
    log(`seeding ${AGENTS} agents, ${AGENTS / PER_CHANNEL_A + 1 + DURABLE_SENDERS} channels through the REST API`);
    const s: Seeded = await seed(`http://127.0.0.1:${chorusPort}`, { agents: AGENTS, perChannelA: PER_CHANNEL_A, durable: DURABLE_SENDERS, concurrency: 16 });
    log(`seeded in ${(s.ms / 1000).toFixed(1)} s (${Object.entries(s.phases).map(([k, v]) => `${k} ${(v / 1000).toFixed(1)} s`).join(', ')}); restarting Chorus on the same data so that it starts measured as fresh as the bare server`);
    // A fresh process: the heap the seeding grew would otherwise absorb the connections' memory and hide it from RSS.
    await chorus.stop();
    chorus = await startChorus();
    driver = new Driver();
    const p: Processes = { chorus, bare, driver };
    const chorusUrl = `ws://127.0.0.1:${chorusPort}/api/v1/ws`;
    const bareUrl = `ws://127.0.0.1:${barePort}/`;
    // Each agent's rooms, for the bare server: the same membership as in Chorus.
    const roomsOf = (i: number) => [s.channelsA[Math.floor(i / PER_CHANNEL_A)], s.channelB, s.dur[i]].filter((r): r is string => r !== undefined);
    const fanChorus: ConnSpec[] = s.agents.map((a) => ({ token: a.token }));
    const fanBare: ConnSpec[] = s.agents.map((_, i) => ({ rooms: roomsOf(i) }));
    const results: Results = {};

    if (enabled('memory')) {
      // Round by round (every agent's first socket, then every second one, …): Chorus announces presence on a member's first socket only.
      const idleChorus: ConnSpec[] = [];
      const idleBare: ConnSpec[] = [];
      for (let r = 0; r < IDLE_PER_AGENT; r++) {
        idleChorus.push(...fanChorus);
        idleBare.push(...fanBare);
      }
      log(`memory: ${idleChorus.length} idle connections to Chorus`);
      const mc = await memory(p, chorus, chorusUrl, idleChorus);
      log(`  ${(mc.perConnectionBytes / 1024).toFixed(1)} KiB per connection after GC, ${(mc.perConnectionNoGcBytes / 1024).toFixed(1)} KiB without, heap ${(mc.perConnectionHeapBytes / 1024).toFixed(1)} KiB (${mc.connections} opened in ${mc.openMs} ms)`);
      log(`memory: ${idleBare.length} idle connections to the bare server`);
      const mb = await memory(p, bare, bareUrl, idleBare);
      log(`  ${(mb.perConnectionBytes / 1024).toFixed(1)} KiB per connection after GC, ${(mb.perConnectionNoGcBytes / 1024).toFixed(1)} KiB without, heap ${(mb.perConnectionHeapBytes / 1024).toFixed(1)} KiB (${mb.connections} opened in ${mb.openMs} ms)`);
      results.memory = { chorus: mc, bare: mb };
    }

    const fanScenarios = enabled('sat10') || enabled('sat1') || enabled('latency');
    if (fanScenarios || enabled('durable')) {
      log(`opening ${AGENTS} member connections to each server`);
      const oc = await driver.call({ cmd: 'open', set: 'fan-chorus', url: chorusUrl, conns: fanChorus, concurrency: 50 });
      const ob = await driver.call({ cmd: 'open', set: 'fan-bare', url: bareUrl, conns: fanBare, concurrency: 50 });
      if (oc.failed > 0 || ob.failed > 0) throw new Error(`connections failed: chorus ${oc.failed} (${oc.firstError ?? ''}), bare ${ob.failed} (${ob.firstError ?? ''})`);
      log(`  opened in ${(oc.ms / 1000).toFixed(1)} s (Chorus) and ${(ob.ms / 1000).toFixed(1)} s (bare)`);
      results.open = { chorus: oc, bare: ob };
      await sleep(windows.settleMs);
    }

    // 10 senders per channel, spread over its members; every socket stays under the gateway's frame rate.
    const senders10: Sender[] = [];
    for (let k = 0; k < s.channelsA.length; k++) {
      for (let j = 0; j < 10; j++) senders10.push({ conn: k * PER_CHANNEL_A + j * 10, channel: s.channelsA[k] ?? '' });
    }
    const senders1: Sender[] = Array.from({ length: 20 }, (_, j) => ({ conn: j * 50, channel: s.channelB }));
    // Chorus, bare, bare, Chorus: a drift in the machine's speed (it is shared) weighs on both alike.
    const sat = async (name: string, senders: Sender[], window: number): Promise<SatPair> => {
      const rounds: { target: 'chorus' | 'bare'; result: Measured<SaturateResult> }[] = [];
      for (const target of ['chorus', 'bare', 'bare', 'chorus'] as const) {
        log(`${name} on ${target}: ${senders.length} senders, window ${window}, ${windows.measureMs / 1000} s`);
        const r = await withCpu(p, { cmd: 'saturate', set: `fan-${target}`, senders, window, ratePerSender: RATE_PER_SENDER, warmupMs: windows.warmupMs, measureMs: windows.measureMs });
        log(`  ${r.deliveriesPerSec.toLocaleString('en-US')} deliveries/s (${r.messagesPerSec} msg/s, ${r.avgFrameBytes} B/frame, cores ${JSON.stringify(r.cpuCores)})`);
        rounds.push({ target, result: r });
        await sleep(1_000);
      }
      const efficiency = { chorus: perServerCore(rounds, 'chorus'), bare: perServerCore(rounds, 'bare') };
      log(`  per core-second of the server's own processes: Chorus ${efficiency.chorus.toLocaleString('en-US')}, bare ${efficiency.bare.toLocaleString('en-US')} deliveries`);
      return {
        chorus: combine(rounds.filter((x) => x.target === 'chorus').map((x) => x.result)),
        bare: combine(rounds.filter((x) => x.target === 'bare').map((x) => x.result)),
        perServerCore: { ...efficiency, ratio: efficiency.bare > 0 ? Math.round((efficiency.chorus / efficiency.bare) * 100) / 100 : 0 },
        rounds,
      };
    };
    if (enabled('sat10')) results.sat10 = await sat('saturation 10 × 100', senders10, 4);
    if (enabled('sat1')) results.sat1 = await sat('saturation 1 × 1,000', senders1, 2);

    const latency = async (rate: number) => {
      const out: { chorus?: LatencyResult; bare?: LatencyResult } = {};
      for (const target of ['chorus', 'bare'] as const) {
        log(`latency on ${target}: ${rate} msg/s into 10 × 100 for ${windows.latencyMs / 1000} s`);
        const r = await withCpu(p, { cmd: 'latency', set: `fan-${target}`, senders: senders10, totalRate: rate, fanout: PER_CHANNEL_A, warmupMs: windows.warmupMs, measureMs: windows.latencyMs });
        log(`  p50 ${r.p50Ms} ms, p99 ${r.p99Ms} ms, max ${r.maxMs} ms (${r.samples} samples, delivered ${(r.deliveredRatio * 100).toFixed(2)}%, cores ${JSON.stringify(r.cpuCores)})`);
        out[target] = r;
        await sleep(1_000);
      }
      if (!out.chorus || !out.bare) throw new Error('unreachable');
      return { chorus: out.chorus, bare: out.bare };
    };
    if (enabled('latency')) {
      results.latency = await latency(500);
      results.latencyLow = await latency(100);
    }

    if (enabled('durable')) {
      // The durable reference: the bare server storing every send, in its own database of Chorus's PostgreSQL.
      const password = (await fs.readFile(path.join(tmp, 'pg-password'), 'utf8')).trim();
      const admin = new pg.Client({ connectionString: `postgres://chorus:${encodeURIComponent(password)}@127.0.0.1:${pgPort}/chorus` });
      await admin.connect();
      await admin.query('create database bare_durable');
      await admin.end();
      bareDurable = await startChild(
        'bare-durable',
        bareMain,
        { PORT: String(bareDurablePort), BARE_DATABASE_URL: `postgres://chorus:${encodeURIComponent(password)}@127.0.0.1:${pgPort}/bare_durable` },
        bareDurablePort,
        'bare ws listening',
        bareNodeArgs,
      );
      const od = await driver.call({ cmd: 'open', set: 'dur-bare', url: `ws://127.0.0.1:${bareDurablePort}/`, conns: s.dur.map((room) => ({ rooms: [room] })), concurrency: 50 });
      if (od.failed > 0) throw new Error(`connections failed: bare durable ${od.failed} (${od.firstError ?? ''})`);
      const senders: Sender[] = s.dur.map((channel, i) => ({ conn: i, channel }));
      const durableOn = async (target: 'chorus' | 'bare', set: string, processes: Processes) => {
        log(`durable sends on ${target}: ${senders.length} senders, each in its own channel, ack awaited`);
        const r = await withCpu(processes, { cmd: 'durable', set, senders, ratePerSender: RATE_PER_SENDER, warmupMs: windows.warmupMs, measureMs: windows.measureMs });
        log(`  ${r.ackedPerSec.toLocaleString('en-US')} acked sends/s (ack p50 ${r.ackP50Ms} ms, p99 ${r.ackP99Ms} ms, cores ${JSON.stringify(r.cpuCores)})`);
        const serverCores = (r.cpuCores[target] ?? 0) + (r.cpuCores.postgres ?? 0);
        const perCore = serverCores > 0 ? Math.round(r.ackedPerSec / serverCores) : 0;
        log(`  per core-second of the server and its PostgreSQL: ${perCore.toLocaleString('en-US')} acked sends`);
        await sleep(1_000);
        return { r, perCore };
      };
      const c = await durableOn('chorus', 'fan-chorus', p);
      const b = await durableOn('bare', 'dur-bare', { ...p, bare: bareDurable });
      await driver.call({ cmd: 'close', set: 'dur-bare' });
      results.durable = { chorus: c.r, bare: b.r, perServerCore: { chorus: c.perCore, bare: b.perCore } };
    }

    await driver.call({ cmd: 'close', set: 'fan-chorus' });
    await driver.call({ cmd: 'close', set: 'fan-bare' });

    const rows = tableOf(results);
    const warned = warnings(results);
    const cpus = os.cpus();
    const machine = { cores: cpus.length, cpu: cpus[0]?.model ?? '?', node: process.version, memoryGiB: Math.round(os.totalmem() / 2 ** 30), platform: `${os.type()} ${os.release()}` };
    console.log(`\nChorus fan-out benchmark — ${machine.cores} cores (${machine.cpu}), Node ${machine.node}${quick ? ' — QUICK run, not for the record' : ''}\n`);
    console.log(renderTable(rows));
    if (warned.length > 0) console.log(`\nwarnings:\n${warned.map((w) => `  - ${w}`).join('\n')}`);
    await fs.mkdir(resultsDir, { recursive: true });
    const file = path.join(resultsDir, `fanout-${started.toISOString().replace(/[:.]/g, '-')}.json`);
    const git = (...a: string[]) => {
      try {
        return execFileSync('git', a, { cwd: root, encoding: 'utf8' }).trim();
      } catch {
        return '?';
      }
    };
    const report = {
      started: started.toISOString(),
      commit: git('rev-parse', 'HEAD'),
      uncommittedServerFiles: git('status', '--porcelain', '--', 'packages').split('\n').filter((l) => l.length > 0).length,
      quick,
      machine,
      bareVariant: { sendAs: process.env.BARE_SEND_AS ?? 'buffer', padBytes: Number(process.env.BARE_PAD_BYTES ?? '0') },
      settings: { agents: AGENTS, perChannelA: PER_CHANNEL_A, durableSenders: DURABLE_SENDERS, idleConnections: AGENTS * IDLE_PER_AGENT, ratePerSender: RATE_PER_SENDER, windows, chorusEnv, chorusNodeArgs: nodeArgs, bareNodeArgs },
      seedMs: s.ms,
      seedPhasesMs: s.phases,
      table: rows,
      warnings: warned,
      results,
    };
    await fs.writeFile(file, `${JSON.stringify(report, null, 2)}\n`);
    console.log(`\nresults: ${path.relative(root, file)}`);
  } finally {
    await driver?.stop();
    await Promise.all([chorus?.stop(), bare?.stop(), bareDurable?.stop()]);
    await fs.rm(tmp, { recursive: true, force: true, maxRetries: 5, retryDelay: 500 }).catch((error: unknown) => {
      log(`could not remove ${tmp}: ${error instanceof Error ? error.message : String(error)}`);
    });
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
