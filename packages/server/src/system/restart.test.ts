import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfig, type Config } from '../config.js';
import { startServer } from '../server.js';
import { Api } from '../test/client.js';
import { createWorld } from '../test/fixtures.js';
import { freePort } from '../test/global-setup.js';

/** The embedded defaults, as `npm start` runs them, on a data directory of the test's own. */
let dataDir: string;
let config: Config;
beforeAll(async () => {
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'chorus-restart-'));
  config = { ...loadConfig({}), host: '127.0.0.1', port: 0, databaseUrl: null, dataDir, embeddedPgPort: await freePort(), logLevel: 'silent' };
});
afterAll(() => fs.rm(dataDir, { recursive: true, force: true }));

it('keeps everything across a restart on the same data directory', async () => {
  const first = await startServer(config);
  const world = await createWorld(first.url);
  const bob = await world.person('member', 'Bob');
  const channel = await world.channel(world.owner, { kind: 'private', members: [bob.memberId] });
  const posted = await world.post(bob, channel, 'remember me');
  await first.close();

  const second = await startServer(config);
  try {
    const api = new Api(second.url, bob.token);
    const history = await api.get(`/channels/${channel}/messages`);
    expect(history.status).toBe(200);
    expect(history.body.messages.map((m: any) => [m.id, m.body])).toEqual([[posted.id, 'remember me']]);
    const me = await api.get('/me');
    expect(me.body.memberships[0].org.id).toBe(world.orgId);
  } finally {
    await second.close();
  }
});

it('starts again when the previous process died and left its PostgreSQL running', async () => {
  const crashed = await startServer(config);
  const world = await createWorld(crashed.url);
  // What a SIGKILL of Chorus leaves behind: the HTTP server and pool are gone, PostgreSQL still runs on the cluster.
  await crashed.app.close();
  await crashed.ctx.db.destroy();

  const next = await startServer(config);
  try {
    const org = await new Api(next.url, world.owner.token).get(`/orgs/${world.orgId}`);
    expect(org.status).toBe(200);
    expect(org.body.org.name).toBe('Acme');
  } finally {
    await next.close();
  }
});
