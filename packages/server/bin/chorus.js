#!/usr/bin/env node
// The `chorus` command's launcher (package.json "bin"). npm links a bin only when its file exists at
// install time, and dist/ does not exist until `npm run build`; this committed file always does. It runs
// the built CLI when there is one, and otherwise the TypeScript sources through tsx (a checkout with
// its dev dependencies), so `npx chorus …` works right after `npm install`.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const built = new URL('../dist/cli.js', import.meta.url);
if (existsSync(built)) {
  await import(built.href);
} else {
  let tsx;
  try {
    tsx = import.meta.resolve('tsx');
  } catch {
    process.stderr.write('chorus: not built yet. Run npm run build (or npm install with dev dependencies).\n');
    process.exit(2);
  }
  const source = fileURLToPath(new URL('../src/cli.ts', import.meta.url));
  const child = spawn(process.execPath, ['--conditions=source', '--import', tsx, source, ...process.argv.slice(2)], { stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => {
    process.exitCode = code ?? (signal ? 1 : 0);
  });
}
