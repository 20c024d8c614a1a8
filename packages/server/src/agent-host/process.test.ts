import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { RunningServer } from '../server.js';
import { createWorld } from '../test/fixtures.js';
import { startTestServer } from '../test/server.js';

let server: RunningServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

describe('chorus agent-host', () => {
  it('runs the built-in agents as its own process, against the server URL and the database', async () => {
    const w = await createWorld(server.url);
    const added = await w.owner.api.post(`/orgs/${w.orgId}/builtin-agents`, { kind: 'digest', handle: 'digest', display_name: 'Digest' });
    expect(added.status).toBe(201);
    const channel = await w.channel(w.owner, { name: 'ops', members: [added.body.agent.id] });
    await w.post(w.owner, channel, 'We agreed to rotate the on-call weekly.');

    const cli = fileURLToPath(new URL('../cli.ts', import.meta.url));
    const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', cli, 'agent-host'], {
      env: { ...process.env, CHORUS_URL: server.url, DATABASE_URL: inject('databaseUrl'), CHORUS_AGENT_HOST_ORGS: w.orgId, CHORUS_PUBLIC_URL: 'https://chorus.example' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          if (output.includes('running the built-in agents')) resolve();
        });
        child.once('exit', (code) => { reject(new Error(`the agent host exited with ${String(code)}:\n${output}`)); });
      });
      const request = await w.post(w.owner, channel, '/digest');
      for (;;) {
        const detail = (await w.owner.api.get(`/channels/${channel}/tasks`)).body.tasks.find((t: any) => t.task.request_message_id === request.id);
        if (detail?.task.status === 'done') {
          expect(detail.result.body).toContain('We agreed to rotate the on-call weekly.');
          expect(detail.result.body).toContain('https://chorus.example/api/v1/messages/');
          break;
        }
        await new Promise((r) => setTimeout(r, 25));
      }
    } finally {
      child.kill('SIGTERM');
    }
  });
});
