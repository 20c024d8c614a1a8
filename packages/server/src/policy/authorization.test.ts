import { afterAll, beforeAll, it } from 'vitest';
import type { RunningServer } from '../server.js';
import { createWorld } from '../test/fixtures.js';
import { startTestServer } from '../test/server.js';

let server: RunningServer;
beforeAll(async () => { server = await startTestServer(); });
afterAll(() => server.close());

it('probe', async () => {
  console.log(server.app.printRoutes({ commonPrefix: false }));
  let t = Date.now();
  const w = await createWorld(server.url);
  console.log('world', Date.now() - t); t = Date.now();
  await w.person('admin'); await w.person('member'); await w.person('guest');
  console.log('3 persons', Date.now() - t); t = Date.now();
  await Promise.all([w.person('admin'), w.person('member'), w.person('guest')]);
  console.log('3 persons parallel', Date.now() - t); t = Date.now();
  await w.agent();
  console.log('agent', Date.now() - t); t = Date.now();
  await w.channel(w.owner);
  console.log('channel', Date.now() - t);
});
