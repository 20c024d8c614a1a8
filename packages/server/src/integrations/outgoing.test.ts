import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyWebhookSignature } from '@chorus/sdk';
import type { RunningServer } from '../server.js';
import { createWorld, type Agent, type Person, type World } from '../test/fixtures.js';
import { eventually, startReceiver } from '../test/receiver.js';
import { startTestServer } from '../test/server.js';
import { DeliveryWorker } from './delivery-worker.js';

let server: RunningServer;
const receivers: { close(): Promise<void> }[] = [];
beforeAll(async () => {
  // Fast retries and a short timeout so the tests finish quickly; they wait on the delivery log, never on a clock.
  server = await startTestServer({ webhooks: { retryBaseMs: 20, maxAttempts: 3, timeoutMs: 400, pollMs: 20, concurrency: 8 } });
});
afterAll(async () => {
  await server.close();
  for (const r of receivers) await r.close();
});

async function receiver(...args: Parameters<typeof startReceiver>) {
  const r = await startReceiver(...args);
  receivers.push(r);
  return r;
}

async function hook(by: Person, agent: Agent, url: string): Promise<string> {
  const res = await by.api.put(`/agents/${agent.memberId}/webhook`, { url });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.secret as string;
}

async function deliveries(by: Person, agent: Agent): Promise<any[]> {
  const res = await by.api.get(`/agents/${agent.memberId}/webhook/deliveries`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.deliveries;
}

/** A world with a person, an agent with a webhook, and a channel with both. */
async function setUp(answer?: Parameters<typeof startReceiver>[0]) {
  const w: World = await createWorld(server.url);
  const maya = await w.person('member', 'Maya');
  const bot = await w.agent();
  const endpoint = await receiver(answer);
  const secret = await hook(w.owner, bot, endpoint.url);
  const channel = await w.channel(w.owner, { members: [maya.memberId, bot.memberId] });
  return { w, maya, bot, endpoint, secret, channel };
}

const verify = (secret: string, r: { body: string; headers: Record<string, string | string[] | undefined> }) =>
  verifyWebhookSignature({ secret, body: r.body, signature: r.headers['x-chorus-signature'], timestamp: r.headers['x-chorus-timestamp'] });

describe('outgoing webhooks', () => {
  it('POSTs a task created by a mention to the agent’s URL, signed, with the task and the request as the agent reads it', async () => {
    const { w, maya, bot, endpoint, secret, channel } = await setUp();
    expect(secret).toMatch(/^chw_/);
    const request = await w.post(maya, channel, `@${bot.handle} what changed in the launch plan?`);

    const [got] = await eventually(() => endpoint.received.length > 0 && endpoint.received, 'the delivery');
    expect(got!.headers['content-type']).toBe('application/json');
    expect(await verify(secret, got!)).toBe(true);
    expect(await verify('chw_not-the-secret', got!)).toBe(false);
    expect(await verify(secret, { ...got!, body: got!.body.replace('launch', 'lunch') })).toBe(false);
    expect(got!.json).toMatchObject({
      id: got!.headers['x-chorus-delivery'],
      type: 'task.created',
      org_id: w.orgId,
      agent_id: bot.memberId,
      data: {
        task: { agent_id: bot.memberId, channel_id: channel, request_message_id: request.id, origin: 'mention', status: 'queued' },
        channel: { id: channel, kind: 'public' },
        request: { id: request.id, body: `@${bot.handle} what changed in the launch plan?` },
      },
    });

    const [delivery] = await eventually(async () => {
      const log = await deliveries(w.owner, bot);
      return log[0]?.status === 'delivered' && log;
    }, 'the log to show the delivery');
    expect(delivery).toMatchObject({ id: got!.json.id, event: 'task.created', task_id: got!.json.data.task.id, attempts: 1, response_status: 200, last_error: null, next_attempt_at: null });
    expect(delivery.duration_ms).toBeGreaterThanOrEqual(0);
    expect(delivery.delivered_at).toEqual(expect.any(String));

    // The secret is shown once; reading the webhook never shows it.
    const read = await w.owner.api.get(`/agents/${bot.memberId}/webhook`);
    expect(read.status).toBe(200);
    expect(JSON.stringify(read.body)).not.toContain(secret);
    expect(read.body.webhook).toMatchObject({ agent_id: bot.memberId, url: endpoint.url });
  });

  it('retries an endpoint that answers 500, and the retry succeeds', async () => {
    const { w, maya, bot, endpoint, secret, channel } = await setUp((res, i) => res.writeHead(i === 0 ? 500 : 200).end());
    await w.post(maya, channel, `@${bot.handle} please triage`);
    const [delivery] = await eventually(async () => {
      const log = await deliveries(w.owner, bot);
      return log[0]?.status === 'delivered' && log;
    }, 'the retried delivery');
    expect(delivery).toMatchObject({ attempts: 2, response_status: 200, last_error: null });
    expect(endpoint.received).toHaveLength(2);
    expect(endpoint.received[0]!.headers['x-chorus-delivery']).toBe(endpoint.received[1]!.headers['x-chorus-delivery']);
    expect(endpoint.received[0]!.json.data).toEqual(endpoint.received[1]!.json.data);
    for (const r of endpoint.received) expect(await verify(secret, r)).toBe(true);
  });

  it('gives up on an endpoint that hangs after the last attempt, and never holds back other agents’ deliveries', async () => {
    const w = await createWorld(server.url);
    const maya = await w.person('member', 'Maya');
    const [stuck, fine] = [await w.agent(), await w.agent()];
    const hanging = await receiver(() => { /* never answers */ });
    const healthy = await receiver();
    await hook(w.owner, stuck, hanging.url);
    await hook(w.owner, fine, healthy.url);
    const channel = await w.channel(w.owner, { members: [maya.memberId, stuck.memberId, fine.memberId] });

    await w.post(maya, channel, `@${stuck.handle} first`);
    await eventually(() => hanging.received.length > 0, 'the hanging endpoint to be called');
    // The hanging request is in flight; a delivery to another agent goes through meanwhile.
    await w.post(maya, channel, `@${fine.handle} second`);
    await eventually(async () => (await deliveries(w.owner, fine))[0]?.status === 'delivered', 'the other agent’s delivery');
    expect(healthy.received[0]!.json.data.request.body).toBe(`@${fine.handle} second`);

    const [failed] = await eventually(async () => {
      const log = await deliveries(w.owner, stuck);
      return log[0]?.status === 'failed' && log;
    }, 'the hanging delivery to fail');
    expect(failed).toMatchObject({ attempts: 3, max_attempts: 3, response_status: null, last_error: 'no answer within 400 ms', next_attempt_at: null });
    expect(hanging.received).toHaveLength(3);
  });

  it('redelivers a delivery as a new one with the same payload; redelivery is audited', async () => {
    const { w, maya, bot, endpoint, channel } = await setUp();
    await w.post(maya, channel, `@${bot.handle} summarise`);
    const [first] = await eventually(async () => {
      const log = await deliveries(w.owner, bot);
      return log[0]?.status === 'delivered' && log;
    }, 'the first delivery');

    const again = await w.owner.api.post(`/agents/${bot.memberId}/webhook/deliveries/${first.id}/redeliver`);
    expect(again.status, JSON.stringify(again.body)).toBe(201);
    expect(again.body.delivery).toMatchObject({ redelivery_of: first.id, task_id: first.task_id, status: 'pending', attempts: 0 });
    await eventually(async () => (await deliveries(w.owner, bot)).find((d) => d.id === again.body.delivery.id)?.status === 'delivered', 'the redelivery');
    expect(endpoint.received).toHaveLength(2);
    expect(endpoint.received[1]!.json.id).toBe(again.body.delivery.id);
    expect(endpoint.received[1]!.json.data).toEqual(endpoint.received[0]!.json.data);

    const unknown = await w.owner.api.post(`/agents/${bot.memberId}/webhook/deliveries/00000000-0000-4000-8000-000000000000/redeliver`);
    expect(unknown.status).toBe(404);
    const audit = await w.owner.api.get(`/orgs/${w.orgId}/audit?action=agent.webhook_redelivered`);
    expect(audit.body.events).toHaveLength(1);
  });

  it('rotating the secret signs later deliveries with the new one; setting and rotating are audited', async () => {
    const { w, maya, bot, endpoint, secret, channel } = await setUp();
    const rotated = await w.owner.api.post(`/agents/${bot.memberId}/webhook/secret`);
    expect(rotated.status, JSON.stringify(rotated.body)).toBe(201);
    const fresh = rotated.body.secret as string;
    expect(fresh).not.toBe(secret);
    await w.post(maya, channel, `@${bot.handle} again`);
    const [got] = await eventually(() => endpoint.received.length > 0 && endpoint.received, 'the delivery');
    expect(await verify(fresh, got!)).toBe(true);
    expect(await verify(secret, got!)).toBe(false);

    const audit = await w.owner.api.get(`/orgs/${w.orgId}/audit?actor_id=${w.owner.memberId}`);
    const actions = audit.body.events.map((e: any) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['agent.webhook_set', 'agent.webhook_secret_rotated']));
    expect(JSON.stringify(audit.body)).not.toContain(fresh);
  });

  it('sends nothing for a humans-only message, and the log shows no channel content to an admin outside the channel', async () => {
    const w = await createWorld(server.url);
    const admin = await w.person('admin', 'Ada');
    const bot = await w.agent();
    const endpoint = await receiver();
    await hook(w.owner, bot, endpoint.url);
    const secretRoom = await w.channel(w.owner, { kind: 'private', members: [bot.memberId] });
    await w.post(w.owner, secretRoom, `@${bot.handle} the humans-only salary figures`, { audience: 'humans' });
    await w.post(w.owner, secretRoom, `@${bot.handle} the private roadmap`);
    await eventually(async () => (await deliveries(w.owner, bot))[0]?.status === 'delivered', 'the delivery');
    // Only the second message asked the agent: the humans-only one created no task and no delivery.
    expect(endpoint.received.map((r) => r.json.data.request.body)).toEqual([`@${bot.handle} the private roadmap`]);
    expect(await deliveries(w.owner, bot)).toHaveLength(1);

    const log = await admin.api.get(`/agents/${bot.memberId}/webhook/deliveries`);
    expect(log.status).toBe(200);
    expect(log.body.deliveries).toHaveLength(1);
    expect(JSON.stringify(log.body)).not.toContain('roadmap');
  });

  it('hands the agent only the task’s request: nothing else from a mentions_only channel, nothing from its other channels; on the record', async () => {
    const w = await createWorld(server.url);
    const maya = await w.person('member', 'Maya');
    const bot = await w.agent();
    const endpoint = await receiver();
    await hook(w.owner, bot, endpoint.url);
    const quiet = await w.channel(w.owner, { members: [maya.memberId, bot.memberId], agent_access: 'mentions_only' });
    const other = await w.channel(w.owner, { kind: 'private', members: [bot.memberId] });
    await w.post(maya, quiet, 'the unannounced acquisition target is Globex');
    await w.post(w.owner, other, 'the other channel’s budget is 3M');
    const request = await w.post(maya, quiet, `@${bot.handle} draft the release note`);

    const [got] = await eventually(() => endpoint.received.length > 0 && endpoint.received, 'the delivery');
    expect(got!.json.data.request.id).toBe(request.id);
    expect(got!.json.data.channel.id).toBe(quiet);
    expect(got!.body).not.toContain('Globex');
    expect(got!.body).not.toContain('3M');
    expect(got!.body).not.toContain(other);

    const audit = await w.owner.api.get(`/orgs/${w.orgId}/audit?action=agent.webhook.payload`);
    expect(audit.body.events).toEqual([expect.objectContaining({ actor_id: bot.memberId, channel_id: quiet, target_id: got!.json.id, items: [request.id] })]);
  });

  it('sends each delivery once when several workers (nodes) poll the same outbox', async () => {
    const { w, maya, bot, endpoint, channel } = await setUp();
    const others = [new DeliveryWorker(server.ctx), new DeliveryWorker(server.ctx)];
    for (let i = 0; i < 12; i++) await w.post(maya, channel, `@${bot.handle} job ${i}`);
    // The server's own worker polls on its timer; two more claim from the same table as fast as they can.
    await eventually(async () => {
      await Promise.all(others.map((o) => o.poll()));
      const log = await deliveries(w.owner, bot);
      return log.length === 12 && log.every((d) => d.status === 'delivered');
    }, 'every delivery to be delivered');
    await Promise.all(others.map((o) => o.stop()));
    const ids = endpoint.received.map((r) => r.headers['x-chorus-delivery']);
    expect(ids).toHaveLength(12);
    expect(new Set(ids).size).toBe(12);
    expect((await deliveries(w.owner, bot)).map((d) => d.attempts)).toEqual(Array(12).fill(1));
  });

  it('refuses bad URLs and unknown fields with 400, and a missing webhook is 404', async () => {
    const w = await createWorld(server.url);
    const bot = await w.agent();
    for (const url of ['ftp://example.test/x', 'not a url', 'https://user:pw@example.test/x']) {
      const res = await w.owner.api.put(`/agents/${bot.memberId}/webhook`, { url });
      expect(res.status, url).toBe(400);
      expect(res.body.error.code).toBe('invalid_url');
    }
    expect((await w.owner.api.put(`/agents/${bot.memberId}/webhook`, { url: 'https://example.test/x', events: ['all'] })).status).toBe(400);
    expect((await w.owner.api.get(`/agents/${bot.memberId}/webhook`)).body.error.code).toBe('webhook_not_found');
    expect((await w.owner.api.post(`/agents/${bot.memberId}/webhook/secret`)).status).toBe(404);
    expect((await w.owner.api.delete(`/agents/${bot.memberId}/webhook`)).status).toBe(404);
  });
});
