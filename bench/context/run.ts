/**
 * `npm run bench:context` — p50/p99 of search and of context-bundle assembly
 * on the embedded defaults, on a generated org: 50 channels, one of them with
 * 100,000 messages, 1,000 docs and 5,000 experience entries across the
 * channels, 200 pins (seed.ts says how it is seeded). Chorus runs as a child
 * process exactly as `npm start` runs it (as bench:fanout starts it), on a
 * temporary data directory removed at the end. One client sends one request
 * at a time: the figures are single-request latencies, not throughput.
 *
 * Prints a table and writes bench/results/context-<time>.json. See docs/PERFORMANCE.md.
 *
 * Env: BENCH_CONTEXT_REQUESTS (default 300) requests per scenario after 30 of warm-up;
 * BENCH_CONTEXT_ONLY=bundle|search to measure one kind of scenario only.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chorusMain, freePort, startChild, type Child } from '../fanout/servers.js';
import { Samples } from '../fanout/stats.js';
import { Rest, seed, type Seeded } from './seed.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const resultsDir = path.join(root, 'bench/results');
const requests = Number(process.env.BENCH_CONTEXT_REQUESTS ?? '300');
const warmup = 30;
const targets = { search: 50, context: 25 } as const;

const log = (line: string) => {
  process.stdout.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
};

interface Scenario {
  name: string;
  kind: keyof typeof targets;
  /** The request paths, used in turn. */
  paths: string[];
  token: string;
}

interface Measured {
  name: string;
  requests: number;
  p50: number;
  p99: number;
  max: number;
  target: number;
  hits: number;
}

async function measure(baseUrl: string, s: Scenario): Promise<Measured> {
  const samples = new Samples();
  let hits = 0;
  for (let i = 0; i < warmup + requests; i++) {
    const path = s.paths[i % s.paths.length] ?? '';
    const t0 = performance.now();
    const res = await fetch(`${baseUrl}/api/v1${path}`, { headers: { authorization: `Bearer ${s.token}` } });
    const body = (await res.json()) as { hits?: unknown[]; budget?: { messages: number }; docs?: { items: unknown[] }; experience?: unknown[] };
    const ms = performance.now() - t0;
    if (!res.ok) throw new Error(`${s.name}: GET ${path} → ${res.status}: ${JSON.stringify(body)}`);
    if (i < warmup) continue;
    samples.push(ms);
    // Search: hits; a bundle: its messages (thread, pins, history), docs and experience entries.
    hits += body.hits?.length ?? (body.budget?.messages ?? 0) + (body.docs?.items.length ?? 0) + (body.experience?.length ?? 0);
  }
  const [p50 = NaN, p99 = NaN, max = NaN] = samples.percentiles([50, 99, 100]);
  return { name: s.name, requests, p50, p99, max, target: targets[s.kind], hits: Math.round(hits / requests) };
}

function table(rows: Measured[]): string {
  const header = ['scenario', 'p50 ms', 'p99 ms', 'max ms', 'items/answer', 'target p99', 'result'];
  const cells = rows.map((r) => [r.name, r.p50.toFixed(1), r.p99.toFixed(1), r.max.toFixed(1), String(r.hits), `≤ ${r.target} ms`, r.p99 <= r.target ? 'PASS' : 'MISS']);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? '').length)));
  const line = (c: string[]) => `| ${c.map((v, i) => (i === 0 ? v.padEnd(widths[i] ?? 0) : v.padStart(widths[i] ?? 0))).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...cells.map(line)].join('\n');
}

/**
 * The searches measured: a rare word, a medium one, a common one (10% of
 * sentences), two words, one channel — every kind at once, as by default —
 * then each kind alone and `has:pin`.
 */
function searchPaths(s: Seeded): { name: string; paths: string[] }[] {
  const q = (query: string, extra = '') => `/orgs/${s.orgId}/search?q=${encodeURIComponent(query)}${extra}`;
  return [
    { name: 'rare word (0.05%)', paths: [q('zanzibar')] },
    { name: 'medium word (1%)', paths: [q('billing')] },
    { name: 'common word (10%)', paths: [q('deploy')] },
    { name: 'two words', paths: [q('rollback deploy')] },
    { name: 'one channel, medium word', paths: [q('billing', `&channel_id=${s.bigChannelId}`)] },
    { name: 'messages only, medium word', paths: [q('billing', '&kinds=message')] },
    { name: 'docs only, common word', paths: [q('deploy', '&kinds=doc')] },
    { name: 'experience only, medium word', paths: [q('billing', '&kinds=experience')] },
    { name: 'has:pin, common word', paths: [q('deploy', '&pinned=true')] },
  ];
}

async function main(): Promise<void> {
  const started = new Date();
  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'chorus-bench-context-'));
  const [port, pgPort] = [await freePort(), await freePort()];
  let chorus: Child | null = null;
  try {
    log(`starting Chorus (embedded PostgreSQL in ${tmp})`);
    chorus = await startChild(
      'chorus',
      chorusMain,
      // A lease longer than the run: on a busy machine the run can outlast the default 5 minutes.
      { HOST: '127.0.0.1', LOG_LEVEL: 'warn', DATABASE_URL: '', REDIS_URL: '', PORT: String(port), CHORUS_DATA_DIR: tmp, CHORUS_EMBEDDED_PG_PORT: String(pgPort), CHORUS_TASK_LEASE_SECONDS: '3600' },
      port,
      'Chorus is running',
    );
    const baseUrl = `http://127.0.0.1:${port}`;
    const password = (await fs.readFile(path.join(tmp, 'pg-password'), 'utf8')).trim();
    log('seeding: 50 channels through the REST API, then 100,000 + 49 × 400 messages through SQL');
    const s = await seed(baseUrl, `postgres://chorus:${encodeURIComponent(password)}@127.0.0.1:${pgPort}/chorus`);
    log(`seeded ${s.messages.toLocaleString('en-US')} messages, ${s.knowledge.docs} docs, ${s.knowledge.experience} experience entries, ${s.knowledge.pins} pins (${Object.entries(s.ms).map(([k, v]) => `${k} ${(v / 1000).toFixed(1)} s`).join(', ')})`);

    // A task for the agent in the big channel, claimed: its task token is what an agent at work holds.
    const owner = new Rest(baseUrl, s.ownerToken);
    const assigned = await owner.send<{ task: { id: string } }>('POST', `/channels/${s.bigChannelId}/tasks`, { agent_id: s.agentId, body: 'Summarise the billing and deploy discussion, please.' });
    const claimed = await new Rest(baseUrl, s.agentToken).send<{ token: string }>('POST', `/tasks/${assigned.task.id}/claim`);

    const scenarios: Scenario[] = [
      { name: 'context bundle (task token, 100k channel)', kind: 'context', paths: [`/channels/${s.bigChannelId}/context`], token: claimed.token },
      ...searchPaths(s).flatMap((p): Scenario[] => [
        { name: `search, person: ${p.name}`, kind: 'search', paths: p.paths, token: s.ownerToken },
        { name: `search, task token: ${p.name}`, kind: 'search', paths: p.paths, token: claimed.token },
      ]),
    ];
    const only = process.env.BENCH_CONTEXT_ONLY;
    const rows: Measured[] = [];
    for (const scenario of scenarios.filter((sc) => !only || (only === 'bundle' ? sc.kind === 'context' : sc.kind === only))) {
      log(`measuring ${scenario.name}`);
      rows.push(await measure(baseUrl, scenario));
    }
    console.log(`\n${table(rows)}\n`);
    await fs.mkdir(resultsDir, { recursive: true });
    const file = path.join(resultsDir, `context-${started.toISOString().replace(/[:.]/g, '-')}.json`);
    const report = {
      started: started.toISOString(),
      machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model ?? 'unknown', node: process.version },
      seeded: { channels: s.channelIds.length, messages: s.messages, bigChannel: 100_000, knowledge: s.knowledge, ms: s.ms },
      requestsPerScenario: requests,
      warmup,
      rows,
    };
    await fs.writeFile(file, `${JSON.stringify(report, null, 2)}\n`);
    console.log(`results: ${path.relative(root, file)}`);
  } finally {
    await chorus?.stop();
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
