/** Starting the two servers as child processes, and reading their memory and CPU from /proc. */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';

const root = fileURLToPath(new URL('../..', import.meta.url));
export const chorusMain = path.join(root, 'packages/server/src/main.ts');
export const bareMain = fileURLToPath(new URL('./bare-server.ts', import.meta.url));

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => {
        resolve(port);
      });
    });
    server.on('error', reject);
  });
}

export interface Child {
  name: string;
  process: ChildProcess;
  pid: number;
  port: number;
  /** The V8 inspector's WebSocket (the child runs with --inspect on a free loopback port), used only to ask for a full GC. */
  inspector: string | null;
  /** The last 64 KB the child printed, for diagnostics. */
  output(): string;
  stop(): Promise<void>;
}

/** Spawns `node --conditions=source --import tsx <main>` and waits for `readyText` on its output. */
export async function startChild(name: string, main: string, env: Record<string, string>, port: number, readyText: string, nodeArgs: string[] = []): Promise<Child> {
  const child = spawn(process.execPath, ['--inspect=127.0.0.1:0', ...nodeArgs, '--conditions=source', '--import', 'tsx', main], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let inspector: string | null = null;
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-65_536);
  };
  const exited = new Promise<void>((resolve) => child.once('exit', () => { resolve(); }));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`${name} did not start within 120 s:\n${output}`));
    }, 120_000);
    child.stdout.on('data', (chunk: Buffer) => {
      keep(chunk);
      if (output.includes(readyText)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.stderr.on('data', (chunk: Buffer) => {
      keep(chunk);
      inspector ??= /Debugger listening on (ws:\/\/\S+)/.exec(output)?.[1] ?? null;
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${String(code)} before it was ready:\n${output}`));
    });
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${name} has no pid`);
  return {
    name,
    process: child,
    pid,
    port,
    get inspector() {
      return inspector;
    },
    output: () => output,
    async stop() {
      // Chorus's embedded PostgreSQL runs as its child: it must be gone too before its data directory is removed.
      const family = descendants(pid);
      const direct = new Set(processTree().get(pid) ?? []);
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
        await exited;
        clearTimeout(timer);
      }
      // Normally the child stopped them itself; after a SIGKILL, ask the orphans for a fast shutdown, then insist.
      const until = Date.now() + 30_000;
      let asked = false;
      while (family.some(alive) && Date.now() < until) {
        if (!asked && Date.now() > until - 25_000) {
          for (const pid of family) if (direct.has(pid) && alive(pid)) process.kill(pid, 'SIGINT');
          asked = true;
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      for (const pid of family) if (alive(pid)) process.kill(pid, 'SIGKILL');
    },
  };
}

/** Calls the V8 inspector protocol of a child (it runs with --inspect on a free loopback port). */
async function inspect(child: Child, calls: { method: string; params?: unknown }[]): Promise<unknown[]> {
  if (!child.inspector) throw new Error(`${child.name} has no inspector`);
  const ws = new WebSocket(child.inspector, { perMessageDeflate: false });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => { resolve(); });
    ws.once('error', reject);
  });
  const out: unknown[] = [];
  try {
    for (const [i, call] of calls.entries()) {
      const id = i + 1;
      out.push(
        await new Promise<unknown>((resolve, reject) => {
          const onMessage = (data: WebSocket.RawData) => {
            const reply = JSON.parse((data as Buffer).toString('utf8')) as { id?: number; result?: unknown; error?: { message: string } };
            if (reply.id !== id) return;
            ws.off('message', onMessage);
            if (reply.error) reject(new Error(reply.error.message));
            else resolve(reply.result);
          };
          ws.on('message', onMessage);
          ws.send(JSON.stringify({ id, ...call }));
        }),
      );
    }
  } finally {
    ws.close();
  }
  return out;
}

/**
 * A full garbage collection in the child (HeapProfiler.collectGarbage, twice),
 * so that memory is read without the garbage of whatever ran before. Nothing
 * in the server is changed for it.
 */
export async function collectGarbage(child: Child): Promise<void> {
  await inspect(child, [{ method: 'HeapProfiler.collectGarbage' }, { method: 'HeapProfiler.collectGarbage' }]);
}

export interface HeapUse {
  heapUsed: number;
  external: number;
}

/** The child's own account of its JavaScript heap and of the memory its objects hold outside it (process.memoryUsage()). */
export async function heapUse(child: Child): Promise<HeapUse> {
  const [result] = await inspect(child, [{ method: 'Runtime.evaluate', params: { expression: 'JSON.stringify(process.memoryUsage())', returnByValue: true } }]);
  const value = (result as { result?: { value?: string } }).result?.value;
  if (!value) throw new Error(`no memoryUsage from ${child.name}`);
  const usage = JSON.parse(value) as HeapUse;
  return { heapUsed: usage.heapUsed, external: usage.external };
}

/** Resident memory of a process, in bytes (VmRSS of /proc/<pid>/status). */
export function rssBytes(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  if (!match?.[1]) throw new Error(`no VmRSS for ${pid}`);
  return Number(match[1]) * 1024;
}

const clockTicks = 100; // USER_HZ on Linux

/** CPU seconds (user + system) a process has used so far, or 0 when it is gone. */
export function cpuSeconds(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // After the command name: state is field 3, utime field 14, stime field 15 (1-based, over the whole line).
    return (Number(fields[11]) + Number(fields[12])) / clockTicks;
  } catch {
    return 0;
  }
}

/** The whole machine's CPU time from /proc/stat, in seconds: busy (user, system, irq, softirq, steal), of which softirq, and idle. */
export function machineCpu(): { busy: number; softirq: number; idle: number } {
  const line = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = line.trim().split(/\s+/).slice(1).map(Number);
  return { busy: (user + nice + system + irq + softirq + steal) / clockTicks, softirq: softirq / clockTicks, idle: (idle + iowait) / clockTicks };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Children of every process, from /proc. */
function processTree(): Map<number, number[]> {
  const children = new Map<number, number[]>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = children.get(ppid) ?? [];
      list.push(Number(entry));
      children.set(ppid, list);
    } catch {
      // gone meanwhile
    }
  }
  return children;
}

/** Every descendant of a process (the embedded PostgreSQL's server processes, for Chorus). */
export function descendants(pid: number): number[] {
  const children = processTree();
  const out: number[] = [];
  const walk = (p: number) => {
    for (const c of children.get(p) ?? []) {
      out.push(c);
      walk(c);
    }
  };
  walk(pid);
  return out;
}
