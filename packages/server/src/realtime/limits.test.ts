import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloseCode } from '@chorus/protocol/frames';
import type { RunningServer } from '../server.js';
import { createWorld, type World } from '../test/fixtures.js';
import { startTestServer } from '../test/server.js';
import { openSocket } from '../test/sockets.js';

/** Raw sockets, below the SDK: what a misbehaving or slow client gets. */
let server: RunningServer;
let world: World;
beforeAll(async () => {
  server = await startTestServer({}, { helloTimeoutMs: 300, frameBurst: 20, framesPerSecond: 1, maxBufferedBytes: 64 * 1024, maxFrameBytes: 8 * 1024, maxReplayEvents: 3 });
  world = await createWorld(server.url);
});
afterAll(() => server.close());

interface Raw {
  ws: WebSocket;
  frames: any[];
  closed: Promise<{ code: number; reason: string }>;
  next(type: string): Promise<any>;
}

function raw(): Promise<Raw> {
  const ws = new WebSocket(`${server.url.replace('http', 'ws')}/api/v1/ws`);
  const frames: any[] = [];
  const waiters: (() => void)[] = [];
  ws.on('message', (data: Buffer) => {
    frames.push(JSON.parse(data.toString()));
    for (const w of waiters.splice(0)) w();
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.on('close', (code, reason) => { resolve({ code, reason: reason.toString() }); }));
  const next = (type: string) =>
    new Promise<any>((resolve) => {
      const look = () => {
        const found = frames.find((f) => f.type === type);
        if (found) resolve(found);
        else waiters.push(look);
      };
      look();
    });
  return new Promise((resolve, reject) => {
    ws.on('open', () => { resolve({ ws, frames, closed, next }); });
    ws.on('error', reject);
  });
}

const hello2 = (token: string, orgId: string) => JSON.stringify({ type: 'hello', token, org_id: orgId });
const hello = (token: string, extra: object = {}) => JSON.stringify({ type: 'hello', token, org_id: world.orgId, ...extra });

describe('gateway limits and failures', () => {
  it('closes with Unauthorized for a bad token, after saying why', async () => {
    const c = await raw();
    c.ws.send(hello('chs_not-a-token'));
    expect((await c.next('error')).error.code).toBe('unauthorized');
    expect((await c.closed).code).toBe(CloseCode.Unauthorized);
  });

  it('closes with HelloTimeout when no hello comes', async () => {
    const c = await raw();
    expect((await c.closed).code).toBe(CloseCode.HelloTimeout);
  });

  it('closes with ProtocolError when the first frame is not a hello', async () => {
    const c = await raw();
    c.ws.send(JSON.stringify({ type: 'ping' }));
    expect((await c.closed).code).toBe(CloseCode.ProtocolError);
  });

  it('answers an invalid frame after hello with an error and keeps the connection', async () => {
    const c = await raw();
    c.ws.send(hello(world.owner.token));
    await c.next('ready');
    c.ws.send('{not json');
    expect((await c.next('error')).error.code).toBe('invalid_frame');
    c.ws.send(JSON.stringify({ type: 'ping', nonce: 'still here' }));
    expect((await c.next('pong')).nonce).toBe('still here');
  });

  it('refuses an org the token does not belong to', async () => {
    const stranger = await createWorld(server.url);
    const c = await raw();
    c.ws.send(hello(stranger.owner.token));
    expect((await c.next('error')).error.code).toBe('org_not_found');
    expect((await c.closed).code).toBe(CloseCode.Forbidden);
  });

  it('closes a connection that sends frames faster than allowed', async () => {
    const c = await raw();
    c.ws.send(hello(world.owner.token));
    await c.next('ready');
    for (let i = 0; i < 40; i++) c.ws.send(JSON.stringify({ type: 'ping' }));
    expect((await c.closed).code).toBe(CloseCode.RateLimited);
  });

  it('closes a connection that sends a frame over the size limit', async () => {
    const c = await raw();
    c.ws.send(hello(world.owner.token));
    await c.next('ready');
    c.ws.send(JSON.stringify({ type: 'ping', nonce: 'x'.repeat(10 * 1024) }));
    expect((await c.closed).code).toBe(1009); // the WebSocket standard's "message too big"
  });

  it('closes a client that stops reading with SlowConsumer, so it reconnects and resumes', async () => {
    const w = await createWorld(server.url);
    const bob = await w.person('member', 'Bob');
    const watcher = await openSocket(server.url, w.owner.token, w.orgId);
    const c = await raw();
    c.ws.send(JSON.stringify({ type: 'hello', token: bob.token, org_id: w.orgId }));
    await c.next('ready');
    await watcher.until(() => watcher.frames.some((f) => f.type === 'presence' && f.member_id === bob.memberId && f.status === 'online'));
    // Bob stops reading: the kernel buffers fill, then the server's bounded send buffer.
    const tcp = (c.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket;
    tcp.pause();
    const bobGone = () => watcher.frames.some((f) => f.type === 'presence' && f.member_id === bob.memberId && f.status === 'offline');
    const body = 'y'.repeat(30_000);
    for (let i = 0; i < 2000 && !bobGone(); i++) await w.owner.api.post(`/channels/${w.generalId}/messages`, { body });
    expect(bobGone()).toBe(true);
    // When Bob reads again, he finds the events that fitted in the buffer, then the close that tells him to resume.
    tcp.resume();
    expect((await c.closed).code).toBe(CloseCode.SlowConsumer);
    expect(c.frames.filter((f) => f.type === 'event').length).toBeGreaterThan(0);
    watcher.close();
  }, 120_000);

  it('sends a resync instead of a replay when the gap is larger than the replay window', async () => {
    const w = await createWorld(server.url);
    const first = await w.post(w.owner, w.generalId, 'seen');
    for (let i = 0; i < 5; i++) await w.post(w.owner, w.generalId, `missed ${i}`);
    const c = await raw();
    c.ws.send(JSON.stringify({ type: 'hello', token: w.owner.token, org_id: w.orgId, cursors: { [w.generalId]: first.seq } }));
    const resync = await c.next('resync');
    expect(resync).toMatchObject({ channel_id: w.generalId, reason: 'gap_too_old' });
    expect(c.frames.filter((f) => f.type === 'event')).toHaveLength(0);
  });

  it('drops the connections of a member who is deactivated', async () => {
    const w = await createWorld(server.url);
    const bob = await w.person('member', 'Bob');
    const c = await raw();
    c.ws.send(JSON.stringify({ type: 'hello', token: bob.token, org_id: w.orgId }));
    await c.next('ready');
    expect((await w.owner.api.post(`/orgs/${w.orgId}/members/${bob.memberId}/deactivate`)).status).toBe(200);
    expect((await c.closed).code).toBe(CloseCode.Unauthorized);
  });

  it('drops the connection of a session that logs out, and of a revoked agent token, but no other', async () => {
    const w = await createWorld(server.url);
    const laptop = await raw();
    laptop.ws.send(hello2(w.owner.token, w.orgId));
    await laptop.next('ready');
    const phoneLogin = await w.api.post('/auth/login', { email: w.owner.email, password: 'correct horse battery' });
    const phone = await raw();
    phone.ws.send(hello2(phoneLogin.body.session.token, w.orgId));
    await phone.next('ready');
    expect((await w.owner.api.post('/auth/logout')).status).toBe(204);
    expect((await laptop.closed).code).toBe(CloseCode.Unauthorized);

    const bot = await w.agent({ sponsor: { ...w.owner, api: w.owner.api.as(phoneLogin.body.session.token) } });
    const agentSocket = await raw();
    agentSocket.ws.send(hello2(bot.token, w.orgId));
    await agentSocket.next('ready');
    const tokens = await w.owner.api.as(phoneLogin.body.session.token).get(`/agents/${bot.memberId}/tokens`);
    expect((await w.owner.api.as(phoneLogin.body.session.token).delete(`/agents/${bot.memberId}/tokens/${tokens.body.tokens[0].id}`)).status).toBe(204);
    expect((await agentSocket.closed).code).toBe(CloseCode.Unauthorized);
    phone.ws.send(JSON.stringify({ type: 'ping', nonce: 'phone still here' }));
    expect((await phone.next('pong')).nonce).toBe('phone still here');
  });
});
