import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { freePort } from './global-setup.js';

const main = fileURLToPath(new URL('../main.ts', import.meta.url));

export interface ChildServer {
  url: string;
  port: number;
  process: ChildProcess;
  /** Kills the process (SIGKILL by default) and waits until it is gone. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  output(): string;
}

/**
 * Runs Chorus as its own process, exactly as `npm start` does but from the
 * TypeScript sources, so a test can kill it the way an operator or the OOM
 * killer would.
 */
export async function startChildServer(env: Record<string, string>, port?: number): Promise<ChildServer> {
  const chosen = port ?? (await freePort());
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', main], {
    env: { ...process.env, HOST: '127.0.0.1', PORT: String(chosen), LOG_LEVEL: 'warn', CHORUS_RATE_MESSAGES_PER_MINUTE: '100000', CHORUS_RATE_SIGNUPS_PER_MINUTE: '100000', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => { resolve(); }));
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Chorus is running')) resolve();
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once('exit', (code) => {
      reject(new Error(`server exited with ${String(code)} before it was ready:\n${output}`));
    });
  });
  return {
    url: `http://127.0.0.1:${chosen}`,
    port: chosen,
    process: child,
    async kill(signal = 'SIGKILL') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
    output: () => output,
  };
}
