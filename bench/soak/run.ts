/**
 * `npm run soak -- --duration=60` — a mixed load against a two-node cluster, for a chosen time (not in CI).
 *
 * Starts two Chorus server processes on the PostgreSQL at DATABASE_URL and the Redis at REDIS_URL
 * (defaults: 127.0.0.1:5432 database `test` and 127.0.0.1:6379; use a database of its own: it adds
 * orgs and messages), seeds an org of people and agents through the API, then for the duration:
 * people send over their sockets (each connected to one node), agents post over REST to the other,
 * people read history, and every few seconds a socket is dropped and resumes. A watcher socket on
 * each node checks that every committed message arrives there. Reports errors, memory growth per node
 * (resident set, from /metrics) and latency percentiles; writes bench/results/soak-<time>.json.
 *
 * Options: --duration=<seconds> (default 60), --people=<n> (default 40), --agents=<n> (default 8),
 * --rate=<sends per person per second> (default 1).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { ChorusSocket, type WebSocketFactory } from '@chorus/sdk';

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=') as [string, string]));
const durationS = Number(args.duration ?? 60);
const PEOPLE = Number(args.people ?? 40);
const AGENTS = Number(args.agents ?? 8);
const RATE = Number(args.rate ?? 1);
const CHANNELS = 4;
const databaseUrl = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
const redisUrl = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
const metricsToken = `soak-${randomUUID()}`;
const root = fileURLToPath(new URL('../..', import.meta.url));

// ── the cluster ─────────────────────────────────────────────────────────────

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => { resolve(port); });
    });
    s.on('error', reject);
  });
}

interface Node {
  url: string;
  child: ChildProcess;
}

async function startNode(name: string): Promise<Node> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', 'packages/server/src/main.ts'], {
    cwd: root,
    env: {
      ...process.env,
      HOST: '127.0.0.1',
      PORT: String(port),
      DATABASE_URL: databaseUrl,
      REDIS_URL: redisUrl,
      CHORUS_METRICS_TOKEN: metricsToken,
      LOG_LEVEL: 'warn',
      CHORUS_RATE_MESSAGES_PER_MINUTE: '1000000',
      CHORUS_RATE_SIGNUPS_PER_MINUTE: '100000',
      CHORUS_RATE_LOGIN_PER_MINUTE: '100000',
      CHORUS_AGENT_HOST: '0',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Chorus is running')) resolve();
    });
    child.stderr?.on('data', (chunk: Buffer) => { output += chunk.toString(); });
    child.once('exit', (code) => { reject(new Error(`${name} exited with ${String(code)}:\n${output}`)); });
  });
  child.stderr?.on('data', (chunk: Buffer) => { process.stderr.write(`[${name}] ${chunk.toString()}`); });
  return { url: `http://127.0.0.1:${port}`, child };
}

async function residentBytes(node: Node): Promise<number> {
  const text = await (await fetch(`${node.url}/metrics`, { headers: { authorization: `Bearer ${metricsToken}` } })).text();
  const line = text.split('\n').find((l) => l.startsWith('chorus_process_resident_memory_bytes '));
  return Number(line?.split(' ')[1] ?? Number.NaN);
}

// ── the API ─────────────────────────────────────────────────────────────────

const errors = new Map<string, number>();
const fail = (what: string) => errors.set(what, (errors.get(what) ?? 0) + 1);

async function call<T = unknown>(base: string, token: string | null, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${base}/api/v1${path}`, {
    method,
    headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return (text ? JSON.parse(text) : null) as T;
}

interface Seeded {
  orgId: string;
  channels: string[];
  people: { token: string; memberId: string }[];
  agents: { token: string }[];
}

async function seed(base: string): Promise<Seeded> {
  const signup = async (name: string) => {
    const email = `${name}-${randomUUID().slice(0, 8)}@soak.test`;
    const res = await call<{ session: { token: string } }>(base, null, 'POST', '/auth/signup', { email, password: 'soak passphrase', display_name: name });
    return res.session.token;
  };
  const ownerToken = await signup('owner');
  const org = await call<{ org: { id: string }; member: { id: string } }>(base, ownerToken, 'POST', '/orgs', { name: `Soak ${new Date().toISOString()}` });
  const orgId = org.org.id;
  const people = [{ token: ownerToken, memberId: org.member.id }];
  for (let i = 1; i < PEOPLE; i++) {
    const token = await signup(`person${i}`);
    const invite = await call<{ token: string }>(base, ownerToken, 'POST', `/orgs/${orgId}/invites`, { role: 'member' });
    const accepted = await call<{ member: { id: string } }>(base, token, 'POST', `/invites/${invite.token}/accept`, {});
    people.push({ token, memberId: accepted.member.id });
  }
  const agents: { token: string; memberId: string }[] = [];
  for (let i = 0; i < AGENTS; i++) {
    const agent = await call<{ agent: { id: string } }>(base, ownerToken, 'POST', `/orgs/${orgId}/agents`, { handle: `soak-bot-${i}`, display_name: `Bot ${i}` });
    const token = await call<{ secret: string }>(base, ownerToken, 'POST', `/agents/${agent.agent.id}/tokens`, { name: 'soak', scopes: ['messages:read', 'messages:write', 'channels:read', 'context:read'] });
    agents.push({ token: token.secret, memberId: agent.agent.id });
  }
  const channels: string[] = [];
  for (let c = 0; c < CHANNELS; c++) {
    const channel = await call<{ channel: { id: string } }>(base, ownerToken, 'POST', `/orgs/${orgId}/channels`, { name: `soak-${c}`, kind: 'public' });
    channels.push(channel.channel.id);
    for (const m of [...people.slice(1), ...agents]) await call(base, ownerToken, 'POST', `/channels/${channel.channel.id}/members`, { member_id: m.memberId });
  }
  return { orgId, channels, people, agents };
}

// ── measuring ───────────────────────────────────────────────────────────────

const latency = { socketSend: [] as number[], restSend: [] as number[], history: [] as number[], crossNode: [] as number[] };
function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return at(sorted, Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length)));
}
function summary(values: number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  return { count: sorted.length, p50: percentile(sorted, 50), p95: percentile(sorted, 95), p99: percentile(sorted, 99), max: sorted.at(-1) ?? Number.NaN };
}

function socket(url: string, token: string, orgId: string): ChorusSocket {
  const s = new ChorusSocket({ url, token, orgId, WebSocket: WebSocket as unknown as WebSocketFactory, backoff: { initialMs: 50, maxMs: 1000 } });
  s.on('error', () => { fail('socket error frame'); });
  return s;
}

/** list[i], which the caller knows is there. */
function at<T>(list: readonly T[], i: number): T {
  const value = list[i];
  if (value === undefined) throw new Error(`no item ${i}`);
  return value;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// ── the run ─────────────────────────────────────────────────────────────────

async function main(): Promise<void> {
  process.stdout.write(`soak: two nodes on ${databaseUrl.replace(/:[^:@/]*@/, '@')} and ${redisUrl}, ${durationS} s, ${PEOPLE} people, ${AGENTS} agents, ${CHANNELS} channels\n`);
  const nodes = [await startNode('node-a'), await startNode('node-b')];
  try {
    const world = await seed(at(nodes, 0).url);
    // A watcher on each node: every committed message must reach it (sent at → received at).
    const sentAt = new Map<string, number>();
    const committed = new Set<string>();
    const seenBy = nodes.map(() => new Set<string>());
    const watchers = nodes.map((node, i) => {
      const w = socket(node.url, at(world.people, 0).token, world.orgId);
      w.on('event', (event) => {
        if (event.type !== 'message.created') return;
        const id = event.payload.message.body.split(' ').at(-1) ?? '';
        at(seenBy, i).add(id);
        const sent = sentAt.get(id);
        if (sent !== undefined && i === 1) latency.crossNode.push(performance.now() - sent);
      });
      return w;
    });
    await Promise.all(watchers.map((w) => w.connect()));
    const people = world.people.slice(1).map((p, i) => ({ ...p, socket: socket(at(nodes, i % 2).url, p.token, world.orgId), node: i % 2 }));
    await Promise.all(people.map((p) => p.socket.connect()));

    const rss0 = await Promise.all(nodes.map(residentBytes));
    const start = performance.now();
    const until = start + durationS * 1000;
    let sends = 0;
    let reconnects = 0;

    const personLoop = async (p: (typeof people)[number], index: number) => {
      let n = 0;
      while (performance.now() < until) {
        await sleep((1000 / RATE) * (0.5 + Math.random()));
        const channel = at(world.channels, (index + n++) % CHANNELS);
        const id = randomUUID();
        const t = performance.now();
        sentAt.set(id, t);
        try {
          await p.socket.send(channel, `soak ${id}`, { clientMsgId: id });
          latency.socketSend.push(performance.now() - t);
          committed.add(id);
          sends += 1;
        } catch {
          fail('socket send refused');
        }
        if (n % 5 === 0) {
          const h = performance.now();
          try {
            await call(at(nodes, 1 - p.node).url, p.token, 'GET', `/channels/${channel}/messages?limit=50`);
            latency.history.push(performance.now() - h);
          } catch {
            fail('history read failed');
          }
        }
      }
    };
    const agentLoop = async (a: { token: string }, index: number) => {
      let n = 0;
      while (performance.now() < until) {
        await sleep((1000 / RATE) * (0.5 + Math.random()));
        const channel = at(world.channels, (index + n++) % CHANNELS);
        const id = randomUUID();
        const t = performance.now();
        sentAt.set(id, t);
        try {
          await call(at(nodes, n % 2).url, a.token, 'POST', `/channels/${channel}/messages`, { body: `agent soak ${id}`, client_msg_id: id });
          latency.restSend.push(performance.now() - t);
          committed.add(id);
          sends += 1;
        } catch {
          fail('REST send failed');
        }
      }
    };
    const reconnectLoop = async () => {
      while (performance.now() < until) {
        await sleep(2000);
        const p = at(people, Math.floor(Math.random() * people.length));
        p.socket.drop(); // resumes by cursor; sends in flight are resent with the same client_msg_id
        reconnects += 1;
      }
    };
    const progress = setInterval(() => { process.stdout.write(`  ${Math.round((performance.now() - start) / 1000)} s: ${sends} sends\n`); }, 10_000);
    await Promise.all([...people.map(personLoop), ...world.agents.map(agentLoop), reconnectLoop()]);
    clearInterval(progress);
    const elapsed = (performance.now() - start) / 1000;

    // Every committed message reaches both watchers (wait for stragglers, bounded).
    const deadline = performance.now() + 15_000;
    const written = [...committed];
    while (performance.now() < deadline && seenBy.some((seen) => written.some((id) => !seen.has(id)))) await sleep(200);
    const missed = seenBy.map((seen) => written.filter((id) => !seen.has(id)).length);
    if (missed.some((m) => m > 0)) errors.set('messages not delivered to a watcher', missed.reduce((a, b) => a + b, 0));
    const rss1 = await Promise.all(nodes.map(residentBytes));

    for (const p of people) p.socket.close();
    for (const w of watchers) w.close();

    const report = {
      at: new Date().toISOString(),
      duration_s: Math.round(elapsed),
      people: PEOPLE,
      agents: AGENTS,
      channels: CHANNELS,
      sends,
      sends_per_s: Math.round(sends / elapsed),
      reconnects,
      errors: Object.fromEntries(errors),
      memory_mb: nodes.map((_, i) => ({ node: i === 0 ? 'a' : 'b', start: Math.round(at(rss0, i) / 1e6), end: Math.round(at(rss1, i) / 1e6), growth: Math.round((at(rss1, i) - at(rss0, i)) / 1e6) })),
      latency_ms: Object.fromEntries(Object.entries(latency).map(([k, v]) => [k, Object.fromEntries(Object.entries(summary(v)).map(([s, x]) => [s, s === 'count' ? x : Math.round(x * 10) / 10]))])),
    };
    process.stdout.write(`\n${JSON.stringify(report, null, 2)}\n`);
    await fs.mkdir(`${root}/bench/results`, { recursive: true });
    const file = `${root}/bench/results/soak-${report.at.replace(/[:.]/g, '-')}.json`;
    await fs.writeFile(file, JSON.stringify(report, null, 2));
    process.stdout.write(`written to ${file}\n`);
    process.exitCode = Object.keys(report.errors).length === 0 ? 0 : 1;
  } finally {
    for (const node of nodes) node.child.kill('SIGTERM');
  }
}

await main();
