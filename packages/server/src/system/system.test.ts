import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../server.js';
import { Api } from '../test/client.js';
import { createWorld, signUp } from '../test/fixtures.js';
import { startTestServer } from '../test/server.js';

let server: RunningServer;
let api: Api;
beforeAll(async () => {
  server = await startTestServer({ bodyLimitBytes: 64 * 1024, rateLimits: { loginPerMinute: 3, messagesPerMinute: 5 } });
  api = new Api(server.url);
});
afterAll(() => server.close());

describe('system', () => {
  it('reports health without credentials', async () => {
    const health = await api.get('/health');
    expect(health.status).toBe(200);
    expect(health.body).toEqual({ status: 'ok', database: 'ok' });
    expect(health.headers.get('x-request-id')).toBeTruthy();
  });

  it('publishes an OpenAPI document generated from the route schemas', async () => {
    const doc = await api.get('/openapi.json');
    expect(doc.status).toBe(200);
    expect(doc.body.openapi).toBe('3.1.0');
    expect(Object.keys(doc.body.paths)).toEqual(expect.arrayContaining(['/api/v1/channels/{channelId}/messages', '/api/v1/orgs', '/api/v1/auth/login']));
    const post = doc.body.paths['/api/v1/channels/{channelId}/messages'].post;
    expect(post.requestBody.content['application/json'].schema.properties.body.maxLength).toBe(40_000);
  });

  it('answers unknown routes with the error shape', async () => {
    const res = await api.get('/no/such/thing');
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('route_not_found');
  });

  it('refuses bodies over the limit with 413', async () => {
    const world = await createWorld(server.url);
    const res = await world.owner.api.post(`/channels/${world.generalId}/messages`, { body: 'x'.repeat(70 * 1024) });
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('payload_too_large');
  });

  it('rate-limits logins per account with Retry-After', async () => {
    const { email } = await signUp(api);
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await api.post('/auth/login', { email, password: 'wrong password' })).status);
    expect(statuses).toEqual([401, 401, 401, 429]);
    const limited = await api.post('/auth/login', { email, password: 'correct horse battery' });
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe('rate_limited');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    // Another account from the same address is not locked out.
    const other = await signUp(api);
    expect((await api.post('/auth/login', { email: other.email, password: 'correct horse battery' })).status).toBe(200);
  });

  it('rate-limits posting per member, and the refused message is not stored', async () => {
    const world = await createWorld(server.url);
    const bob = await world.person('member', 'Bob');
    for (let i = 0; i < 5; i++) await world.post(bob, world.generalId, `message ${i}`);
    const refused = await bob.api.post(`/channels/${world.generalId}/messages`, { body: 'one too many' });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBeTruthy();
    const history = await world.owner.api.get(`/channels/${world.generalId}/messages`);
    expect(history.body.messages.map((m: any) => m.body)).not.toContain('one too many');
    // The limit is per member: the owner can still post.
    await world.post(world.owner, world.generalId, 'still fine');
  });
});
