import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../server.js';
import { Api } from '../test/client.js';
import { signUp, unique } from '../test/fixtures.js';
import { startTestServer } from '../test/server.js';

let server: RunningServer;
let api: Api;
beforeAll(async () => {
  server = await startTestServer();
  api = new Api(server.url);
});
afterAll(() => server.close());

describe('accounts', () => {
  it('signs up, logs in, and tells who I am', async () => {
    const email = `${unique('ana')}@example.test`;
    const signup = await api.post('/auth/signup', { email, password: 'a long passphrase', display_name: 'Ana' });
    expect(signup.status).toBe(201);
    expect(signup.body.user).toMatchObject({ email, display_name: 'Ana' });
    expect(signup.body.user).not.toHaveProperty('password_hash');
    expect(signup.body.session.token).toMatch(/^chs_/);

    const login = await api.post('/auth/login', { email: email.toUpperCase(), password: 'a long passphrase' });
    expect(login.status).toBe(200);
    const me = await api.as(login.body.session.token).get('/me');
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ kind: 'user', user: { email }, memberships: [] });
  });

  it('refuses a wrong password and an unknown email alike', async () => {
    const { email } = await signUp(api);
    const wrong = await api.post('/auth/login', { email, password: 'not the password' });
    const unknown = await api.post('/auth/login', { email: `${unique('x')}@example.test`, password: 'whatever1' });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body.error.code).toBe('invalid_credentials');
    expect(unknown.body.error).toEqual(wrong.body.error);
  });

  it('refuses a second account with the same email, whatever its case', async () => {
    const { email } = await signUp(api);
    const again = await api.post('/auth/signup', { email: email.toUpperCase(), password: 'another passphrase', display_name: 'Copy' });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('email_taken');
  });

  it('stores password and session token only as hashes', async () => {
    const { token, userId } = await signUp(api);
    const user = await server.ctx.db.selectFrom('users').selectAll().where('id', '=', userId).executeTakeFirstOrThrow();
    expect(user.password_hash).toMatch(/^scrypt\$/);
    expect(user.password_hash).not.toContain('correct horse battery');
    const sessions = await server.ctx.db.selectFrom('sessions').select('token_hash').where('user_id', '=', userId).execute();
    expect(sessions.map((s) => s.token_hash)).not.toContain(token);
  });

  it('logs out one session, or every session', async () => {
    const { token, email } = await signUp(api);
    const second = (await api.post('/auth/login', { email, password: 'correct horse battery' })).body.session.token;
    const third = (await api.post('/auth/login', { email, password: 'correct horse battery' })).body.session.token;

    expect((await api.as(token).post('/auth/logout')).status).toBe(204);
    expect((await api.as(token).get('/me')).status).toBe(401);
    expect((await api.as(second).get('/me')).status).toBe(200);

    const all = await api.as(second).post('/auth/logout-all');
    expect(all.body).toEqual({ revoked: 2 });
    expect((await api.as(second).get('/me')).status).toBe(401);
    expect((await api.as(third).get('/me')).status).toBe(401);
  });

  it('expires sessions', async () => {
    const { token, userId } = await signUp(api);
    await server.ctx.db.updateTable('sessions').set({ expires_at: new Date(Date.now() - 1000) }).where('user_id', '=', userId).execute();
    const me = await api.as(token).get('/me');
    expect(me.status).toBe(401);
    expect(me.body.error.code).toBe('unauthorized');
  });

  it('validates the signup body and rejects unknown fields', async () => {
    const short = await api.post('/auth/signup', { email: 'a@b.test', password: 'short', display_name: 'A' });
    expect(short.status).toBe(400);
    expect(short.body.error.code).toBe('validation_failed');
    const extra = await api.post('/auth/signup', { email: 'a@b.test', password: 'long enough', display_name: 'A', admin: true });
    expect(extra.status).toBe(400);
    expect(extra.body.error.details[0]).toMatchObject({ field: 'admin' });
    const badEmail = await api.post('/auth/signup', { email: 'nope', password: 'long enough', display_name: 'A' });
    expect(badEmail.status).toBe(400);
  });

  it('answers malformed JSON and missing credentials with the error shape', async () => {
    const malformed = await api.request('POST', '/auth/login', '{"email":', { 'content-type': 'application/json' });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.code).toBe('invalid_json');
    const anonymous = await api.get('/me');
    expect(anonymous.status).toBe(401);
    expect(anonymous.body).toEqual({ error: { code: 'unauthorized', message: expect.any(String) } });
    const garbage = await api.as('chs_nonsense').get('/me');
    expect(garbage.status).toBe(401);
  });
});
