import pg from 'pg';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { CloseCode } from '@chorus/protocol/frames';
import type { RunningServer } from '../server.js';
import { sendQueue } from '../messages/send-queue.js';
import { Api } from '../test/client.js';
import { createWorld } from '../test/fixtures.js';
import { startTestServer } from '../test/server.js';

const metricsToken = 'metrics-secret-for-tests';

async function scrape(server: RunningServer, token: string | null): Promise<{ status: number; text: string }> {
  const res = await fetch(`${server.url}/metrics`, token ? { headers: { authorization: `Bearer ${token}` } } : {});
  return { status: res.status, text: await res.text() };
}

/** A metric's value from the Prometheus text, by its name with labels exactly as exposed. */
function value(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('metrics, readiness and liveness', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startTestServer({ metricsToken });
  });
  afterAll(() => server.close());

  it('serves /metrics only with the configured bearer token', async () => {
    expect((await scrape(server, null)).status).toBe(401);
    expect((await scrape(server, 'metrics-secret-for-tests-but-wrong')).status).toBe(401);
    const plain = await startTestServer();
    try {
      expect((await scrape(plain, metricsToken)).status).toBe(404);
    } finally {
      await plain.close();
    }
  });

  it('counts what happens: sends, events, HTTP requests by route, connections, the pool and queue lag', async () => {
    const world = await createWorld(server.url);
    const before = await scrape(server, metricsToken);
    expect(before.status).toBe(200);
    const sendsBefore = value(before.text, 'chorus_send_duration_seconds_count{outcome="stored"}') ?? 0;
    const eventsBefore = value(before.text, 'chorus_events_published_total') ?? 0;

    const ws = new WebSocket(`${server.url.replace('http', 'ws')}/api/v1/ws`);
    await new Promise((resolve) => ws.once('open', resolve));
    ws.send(JSON.stringify({ type: 'hello', token: world.owner.token, org_id: world.orgId }));
    await new Promise((resolve) => ws.once('message', resolve));
    const sent = await world.owner.api.post(`/channels/${world.generalId}/messages`, { body: 'counted' });
    expect(sent.status).toBe(201);

    const after = await scrape(server, metricsToken);
    expect(value(after.text, 'chorus_send_duration_seconds_count{outcome="stored"}')).toBe(sendsBefore + 1);
    expect(value(after.text, 'chorus_events_published_total')).toBeGreaterThan(eventsBefore);
    expect(value(after.text, 'chorus_http_request_duration_seconds_count{method="POST",route="/api/v1/channels/:channelId/messages",status="201"}')).toBeGreaterThanOrEqual(1);
    expect(value(after.text, 'chorus_ws_connections')).toBe(1);
    expect(value(after.text, 'chorus_db_pool_connections{state="total"}')).toBeGreaterThanOrEqual(1);
    expect(value(after.text, 'chorus_queue_lag_seconds{queue="webhooks"}')).toBeGreaterThanOrEqual(0);
    expect(value(after.text, 'chorus_queue_lag_seconds{queue="tasks"}')).toBeGreaterThanOrEqual(0);
    expect(value(after.text, 'chorus_audience_denials_total')).toBeGreaterThanOrEqual(0);
    expect(after.text).toContain('chorus_process_resident_memory_bytes');
    ws.close();
  });

  it('answers liveness and readiness, and readiness turns 503 when shutting down', async () => {
    const api = new Api(server.url);
    expect(await api.get('/live')).toMatchObject({ status: 200, body: { status: 'ok' } });
    expect(await api.get('/ready')).toMatchObject({ status: 200, body: { status: 'ready', reasons: [] } });
    server.lifecycle.stopping = true;
    try {
      expect(await api.get('/ready')).toMatchObject({ status: 503, body: { status: 'not_ready', reasons: ['shutting down'] } });
    } finally {
      server.lifecycle.stopping = false;
    }
  });
});

describe('graceful shutdown', { timeout: 120_000 }, () => {
  it('closes sockets with going-away and still writes the sends in flight, from the socket and from REST', async () => {
    const server = await startTestServer();
    const world = await createWorld(server.url);
    const ws = new WebSocket(`${server.url.replace('http', 'ws')}/api/v1/ws`);
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => { resolve(code); }));
    await new Promise((resolve) => ws.once('open', resolve));
    ws.send(JSON.stringify({ type: 'hello', token: world.owner.token, org_id: world.orgId }));
    await new Promise((resolve) => ws.once('message', resolve));

    // Hold the channel's row: the sends reach the send queue and wait there, in flight, while the server shuts down.
    const holder = new pg.Client({ connectionString: inject('databaseUrl') });
    await holder.connect();
    await holder.query('begin');
    await holder.query('select id from channels where id = $1 for update', [world.generalId]);
    const holderPid = (await holder.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!.pid;
    const watcher = new pg.Client({ connectionString: inject('databaseUrl') });
    await watcher.connect();
    ws.send(JSON.stringify({ type: 'send', request_id: 'r1', channel_id: world.generalId, body: 'sent over the socket', client_msg_id: 'shutdown-socket' }));
    const rest = world.owner.api.post(`/channels/${world.generalId}/messages`, { body: 'sent over REST', client_msg_id: 'shutdown-rest' });
    // Both sends are in the send queue, and its batch waits for that row.
    await vi.waitFor(async () => {
      expect(sendQueue(server.ctx).depth).toBe(2);
      const { rows } = await watcher.query<{ n: number }>('select count(*)::int as n from pg_stat_activity where $1 = any(pg_blocking_pids(pid))', [holderPid]);
      expect(rows[0]!.n).toBeGreaterThanOrEqual(1);
    }, { timeout: 20_000, interval: 50 });
    await watcher.end();

    const closing = server.close();
    expect(await closed).toBe(CloseCode.GoingAway);
    expect(server.lifecycle.stopping).toBe(true);
    await holder.query('commit');
    await closing;
    await holder.end();

    expect((await rest).status).toBe(201);
    const db = new pg.Client({ connectionString: inject('databaseUrl') });
    await db.connect();
    try {
      const { rows } = await db.query<{ body: string }>('select body from messages where channel_id = $1 order by seq', [world.generalId]);
      expect(rows.map((r) => r.body)).toEqual(expect.arrayContaining(['sent over the socket', 'sent over REST']));
    } finally {
      await db.end();
    }
  });
});
