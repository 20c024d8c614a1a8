/**
 * Summarises a V8 CPU profile (from `node --cpu-prof`), optionally cut to a
 * window of CLOCK_MONOTONIC microseconds (the `monotonicUs` pairs that the
 * benchmark's JSON records for each scenario):
 *
 *   node --import tsx bench/fanout/profile.ts CPU.….cpuprofile [fromUs toUs] [--top=30]
 *
 * Prints self time by function and by package (node_modules/<pkg>, the
 * project's own source folders, node: internals, GC and idle).
 */
import fs from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

const args = process.argv.slice(2);
const file = args[0];
if (!file) {
  console.error('usage: profile.ts <file.cpuprofile> [fromUs toUs] [--top=N]');
  process.exit(2);
}
const numbers = args.slice(1).filter((a) => /^\d+$/.test(a)).map(Number);
const top = Number(args.find((a) => a.startsWith('--top='))?.slice(6) ?? '30');
const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as Profile;
const [from = profile.startTime, to = profile.endTime] = numbers;

const byId = new Map(profile.nodes.map((n) => [n.id, n]));

function where(url: string, name: string): string {
  if (name === '(garbage collector)' || name === '(idle)' || name === '(program)') return name;
  if (url === '') return '(native)';
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm?.[1]) return nm[1];
  const own = /packages\/([^/]+)\/src\/([^/]+)/.exec(url);
  if (own) return `${own[1]}/${own[2]}`;
  if (url.startsWith('node:')) return url.split('/')[0] ?? url;
  return url;
}

const selfByFn = new Map<string, number>();
const selfByWhere = new Map<string, number>();
let t = profile.startTime;
let total = 0;
for (let i = 0; i < profile.samples.length; i++) {
  const delta = profile.timeDeltas[i] ?? 0;
  t += delta;
  if (t < from || t > to) continue;
  const node = byId.get(profile.samples[i] ?? -1);
  if (!node) continue;
  const { functionName, url, lineNumber } = node.callFrame;
  const name = functionName || '(anonymous)';
  const short = url.replace(/^.*\/(node_modules|packages)\//, '$1/');
  const fnKey = `${name}  ${short}:${lineNumber + 1}`;
  selfByFn.set(fnKey, (selfByFn.get(fnKey) ?? 0) + delta);
  const w = where(url, name);
  selfByWhere.set(w, (selfByWhere.get(w) ?? 0) + delta);
  total += delta;
}

const print = (title: string, m: Map<string, number>) => {
  console.log(`\n${title}`);
  for (const [k, v] of [...m].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${((v / total) * 100).toFixed(1).padStart(6)}%  ${(v / 1000).toFixed(0).padStart(7)} ms  ${k}`);
};
console.log(`window ${((to - from) / 1e6).toFixed(1)} s, sampled ${(total / 1e6).toFixed(1)} s`);
print('self time by package / folder', selfByWhere);
print('self time by function', selfByFn);
