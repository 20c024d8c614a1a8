import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { loadConfig } from '../config.js';
import { connect, type Db } from '../db/database.js';
import { DeliveryWorker } from '../integrations/delivery-worker.js';
import type { RunningServer } from '../server.js';
import { createWorld } from '../test/fixtures.js';
import { startReceiver } from '../test/receiver.js';
import { startTestServer } from '../test/server.js';

/**
 * The outbound guard in the product: a webhook or an LLM base_url that names
 * an internal address is refused when it is set, and a delivery is not sent to
 * one the server does not allow. Two servers share a database of this file's
 * own (every test server's delivery worker polls the shared one): `open`
 * allows loopback, as test servers do for their receivers; `strict` allows
 * nothing, as a server does by default.
 */
let admin: Db;
let name = '';
let open: RunningServer;
let strict: RunningServer;
beforeAll(async () => {
  admin = connect(inject('databaseUrl'), 1);
  name = `chorus_outbound_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  await sql`create database ${sql.id(name)}`.execute(admin);
  const url = new URL(inject('databaseUrl'));
  url.pathname = `/${name}`;
  // No timer: this file runs the delivery worker itself.
  const webhooks = { ...loadConfig({}).webhooks, pollMs: 0 };
  open = await startTestServer({ databaseUrl: url.toString(), webhooks, outbound: { allow: ['127.0.0.1'] } });
  strict = await startTestServer({ databaseUrl: url.toString(), webhooks, outbound: { allow: [] } });
});
afterAll(async () => {
  await strict.close();
  await open.close();
  await sql`drop database if exists ${sql.id(name)}`.execute(admin);
  await admin.destroy();
});

describe('requests to internal addresses', () => {
  it('are refused when a webhook or a model URL names one, with what the operator can do about it', async () => {
    const w = await createWorld(strict.url);
    const bot = await w.agent();
    for (const url of ['http://127.0.0.1:9/hook', 'http://[::1]/hook', 'http://localhost:8080/hook', 'http://169.254.169.254/latest/meta-data', 'https://10.1.2.3/hook', 'http://[::ffff:192.168.0.1]/hook']) {
      const res = await w.owner.api.put(`/agents/${bot.memberId}/webhook`, { url });
      expect(res.status, url).toBe(400);
      expect(res.body.error.code).toBe('internal_url');
      expect(res.body.error.message).toMatch(/is an internal address; Chorus reaches internal addresses only when the server's CHORUS_OUTBOUND_ALLOW names them\.$/);
    }
    expect((await w.owner.api.get(`/agents/${bot.memberId}/webhook`)).status).toBe(404);
    expect((await w.owner.api.put(`/agents/${bot.memberId}/webhook`, { url: 'https://hooks.example.test/chorus' })).status).toBe(200);

    const llm = { provider: 'openai', model: 'm', base_url: 'http://192.168.1.20:11434/v1', api_key_env: 'CHORUS_LLM_LOCAL' };
    const refused = await w.owner.api.post(`/orgs/${w.orgId}/builtin-agents`, { kind: 'llm', handle: 'local', display_name: 'Local', llm });
    expect(refused.status).toBe(400);
    expect(refused.body.error).toMatchObject({ code: 'internal_url', message: expect.stringContaining('192.168.1.20 is an internal address') });

    // The operator allowed loopback on the other server: the same kind of URL is accepted there.
    const allowed = await createWorld(open.url);
    const hers = await allowed.agent();
    expect((await allowed.owner.api.put(`/agents/${hers.memberId}/webhook`, { url: 'http://127.0.0.1:9/hook' })).status).toBe(200);
  });

  it('are not sent by a server that does not allow the address, whoever accepted the URL; the delivery log says why', async () => {
    const endpoint = await startReceiver();
    try {
      const w = await createWorld(open.url);
      const bot = await w.agent();
      expect((await w.owner.api.put(`/agents/${bot.memberId}/webhook`, { url: endpoint.url })).status).toBe(200);
      const channel = await w.channel(w.owner, { members: [bot.memberId] });
      await w.post(w.owner, channel, `@${bot.handle} what changed?`);

      const worker = new DeliveryWorker(strict.ctx);
      expect(await worker.poll()).toBe(1);
      await worker.stop();
      const log = await w.owner.api.get(`/agents/${bot.memberId}/webhook/deliveries`);
      expect(log.body.deliveries).toHaveLength(1);
      expect(log.body.deliveries[0]).toMatchObject({
        status: 'pending',
        attempts: 1,
        response_status: null,
        last_error: "the request failed: 127.0.0.1 is an internal address; Chorus reaches internal addresses only when the server's CHORUS_OUTBOUND_ALLOW names them.",
      });
      expect(endpoint.received).toEqual([]);
    } finally {
      await endpoint.close();
    }
  });
});
