import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { inject } from 'vitest';

const cli = fileURLToPath(new URL('../cli.ts', import.meta.url));
export const dataDir = mkdtempSync(path.join(tmpdir(), 'chorus-cli-'));

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  json: any;
}

/** The real `chorus` command, from the sources, against the test run's database. */
export function chorus(args: string[], env: Record<string, string> = {}): Promise<Run> {
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', cli, ...args], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', DATABASE_URL: inject('databaseUrl'), CHORUS_DATA_DIR: dataDir, CHORUS_PUBLIC_URL: 'https://chat.example.test', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => {
    child.once('close', (code) => {
      let json: unknown = null;
      try {
        json = JSON.parse(stdout);
      } catch {
        // not JSON
      }
      resolve({ code, stdout, stderr, json });
    });
  });
}

