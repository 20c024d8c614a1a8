import { createHash, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../server.js';
import { Api } from '../test/client.js';
import { createWorld, signUp, unique, type Person, type World } from '../test/fixtures.js';
import { startTestServer } from '../test/server.js';

let server: RunningServer;
let api: Api;
beforeAll(async () => {
  server = await startTestServer();
  api = new Api(server.url);
});
afterAll(() => server.close());

const world = () => createWorld(server.url);

const card = { skills: ['summarise', 'triage'], model: 'gpt-test', version: '2.1' };

async function createAgent(w: World, sponsor: Person, body: Record<string, unknown> = {}) {
  const res = await sponsor.api.post(`/orgs/${w.orgId}/agents`, { handle: unique('bot'), display_name: 'Scribe', description: 'Takes notes.', card, ...body });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.agent;
}

async function issue(by: Person, agentId: string, body: Record<string, unknown> = {}) {
  const res = await by.api.post(`/agents/${agentId}/tokens`, { name: 'ci', scopes: ['channels:read', 'messages:read'], ...body });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { token: any; secret: string };
}

describe('creating agents', () => {
  it('makes the person who creates an agent its sponsor, with its capability card', async () => {
    const w = await world();
    const maya = await w.person('member', 'Maya');
    const handle = unique('scribe');
    const created = await maya.api.post(`/orgs/${w.orgId}/agents`, { handle, display_name: 'Scribe', description: 'Takes notes.', card });
    expect(created.status).toBe(201);
    const agent = created.body.agent;
    expect(agent).toMatchObject({ org_id: w.orgId, kind: 'agent', handle, display_name: 'Scribe', status: 'active', sponsor_id: maya.memberId, description: 'Takes notes.', card });

    const fetched = await w.owner.api.get(`/agents/${agent.id}`);
    expect(fetched.status).toBe(200);
    expect(fetched.body.agent).toEqual(agent);
    const listed = await w.owner.api.get(`/orgs/${w.orgId}/agents`);
    expect(listed.body.agents).toEqual([agent]);
    const directory = await w.owner.api.get(`/orgs/${w.orgId}/members?kind=agent`);
    expect(directory.body.members).toEqual([expect.objectContaining({ id: agent.id, kind: 'agent', handle, role: 'member', status: 'active' })]);
  });

  it('accepts an agent without a description or card', async () => {
    const w = await world();
    const res = await w.owner.api.post(`/orgs/${w.orgId}/agents`, { handle: unique('bare'), display_name: 'Bare' });
    expect(res.status).toBe(201);
    expect(res.body.agent).toMatchObject({ description: '', card: {} });
  });

  it('validates the handle and the card', async () => {
    const w = await world();
    const badCard = await w.owner.api.post(`/orgs/${w.orgId}/agents`, { handle: unique('bot'), display_name: 'X', card: { skills: ['a'], secret_sauce: true } });
    expect(badCard.status).toBe(400);
    expect(badCard.body.error.code).toBe('validation_failed');
    const badHandle = await w.owner.api.post(`/orgs/${w.orgId}/agents`, { handle: 'Has Spaces', display_name: 'X' });
    expect(badHandle.status).toBe(400);
  });

  it('refuses a handle that a person or another agent already has', async () => {
    const w = await world();
    const agent = await createAgent(w, w.owner);
    for (const handle of [agent.handle, w.owner.handle]) {
      const res = await w.owner.api.post(`/orgs/${w.orgId}/agents`, { handle, display_name: 'Copy' });
      expect(res.status).toBe(409);
      expect(res.body.error.code).toBe('handle_taken');
    }
    // Handles are per org.
    const other = await world();
    expect((await other.owner.api.post(`/orgs/${other.orgId}/agents`, { handle: agent.handle, display_name: 'Same name' })).status).toBe(201);
  });

  it('does not let guests create agents', async () => {
    const w = await world();
    const guest = await w.person('guest');
    const res = await guest.api.post(`/orgs/${w.orgId}/agents`, { handle: unique('bot'), display_name: 'Sneaky' });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('guests_cannot_create_agents');
    expect((await w.owner.api.get(`/orgs/${w.orgId}/agents`)).body.agents).toEqual([]);
  });

  it('hides agents from people outside their org', async () => {
    const w = await world();
    const bot = await w.agent();
    const outsider = api.as((await signUp(api)).token);
    const res = await outsider.get(`/agents/${bot.memberId}`);
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('agent_not_found');
    expect((await outsider.post(`/agents/${bot.memberId}/tokens`, { name: 'mine', scopes: ['messages:read'] })).status).toBe(404);
    expect((await w.owner.api.get(`/agents/${randomUUID()}`)).status).toBe(404);
    // A person is not an agent.
    expect((await w.owner.api.get(`/agents/${w.owner.memberId}`)).status).toBe(404);
  });
});

describe('what agents may not do', () => {
  it('keeps agents from creating agents, inviting, changing roles or creating orgs', async () => {
    const w = await world();
    const ada = await w.person('member');
    const bot = await w.agent();
    const refusals = [
      await bot.api.post(`/orgs/${w.orgId}/agents`, { handle: unique('child'), display_name: 'Child' }),
      await bot.api.post(`/orgs/${w.orgId}/invites`, { role: 'member' }),
      await bot.api.get(`/orgs/${w.orgId}/invites`),
      await bot.api.patch(`/orgs/${w.orgId}/members/${ada.memberId}`, { role: 'admin' }),
      await bot.api.patch(`/orgs/${w.orgId}/members/${bot.memberId}`, { role: 'admin' }),
      await bot.api.post(`/orgs/${w.orgId}/members/${ada.memberId}/deactivate`),
      await bot.api.post('/orgs', { name: 'Bot Inc' }),
      await bot.api.patch(`/orgs/${w.orgId}`, { name: 'Bot Inc' }),
    ];
    for (const res of refusals) {
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('agents_not_allowed');
    }
    const members = (await w.owner.api.get(`/orgs/${w.orgId}/members`)).body.members;
    expect(members).toHaveLength(3);
    expect(members.find((m: any) => m.id === ada.memberId)).toMatchObject({ role: 'member', status: 'active' });
    expect(members.find((m: any) => m.id === bot.memberId).role).toBe('member');
  });

  it('keeps an agent from managing itself or other agents', async () => {
    const w = await world();
    const bot = await w.agent();
    const peer = await w.agent();
    for (const id of [bot.memberId, peer.memberId]) {
      const update = await bot.api.patch(`/agents/${id}`, { description: 'I do as I please.' });
      expect(update.status).toBe(403);
      expect(update.body.error.code).toBe('agents_not_allowed');
      const token = await bot.api.post(`/agents/${id}/tokens`, { name: 'more', scopes: ['messages:write'] });
      expect(token.status).toBe(403);
      expect(token.body.error.code).toBe('agents_not_allowed');
    }
  });
});

describe('managing an agent', () => {
  it('lets its sponsor and org admins update it, and no other member', async () => {
    const w = await world();
    const sponsor = await w.person('member');
    const admin = await w.person('admin');
    const other = await w.person('member');
    const agent = await createAgent(w, sponsor);

    const bySponsor = await sponsor.api.patch(`/agents/${agent.id}`, { display_name: 'Scribe 2', description: 'Takes better notes.', card: { skills: ['minutes'], model: 'm2', version: '3' } });
    expect(bySponsor.status).toBe(200);
    expect(bySponsor.body.agent).toMatchObject({ display_name: 'Scribe 2', description: 'Takes better notes.', card: { skills: ['minutes'], model: 'm2', version: '3' }, sponsor_id: sponsor.memberId });

    const byAdmin = await admin.api.patch(`/agents/${agent.id}`, { description: 'Reviewed by an admin.' });
    expect(byAdmin.status).toBe(200);
    expect(byAdmin.body.agent).toMatchObject({ description: 'Reviewed by an admin.', display_name: 'Scribe 2' });

    const byOther = await other.api.patch(`/agents/${agent.id}`, { description: 'Mine now.' });
    expect(byOther.status).toBe(403);
    expect(byOther.body.error.code).toBe('not_sponsor');
    const suspendByOther = await other.api.patch(`/agents/${agent.id}`, { status: 'suspended' });
    expect(suspendByOther.body.error.code).toBe('not_sponsor');
    const retireByOther = await other.api.patch(`/agents/${agent.id}`, { status: 'retired' });
    expect(retireByOther.body.error.code).toBe('not_sponsor');

    // Anyone in the org may look at it.
    const seen = await other.api.get(`/agents/${agent.id}`);
    expect(seen.status).toBe(200);
    expect(seen.body.agent).toMatchObject({ description: 'Reviewed by an admin.', status: 'active' });
  });

  it('lets only its sponsor and admins manage its tokens', async () => {
    const w = await world();
    const sponsor = await w.person('member');
    const other = await w.person('member');
    const agent = await createAgent(w, sponsor);
    const { token } = await issue(sponsor, agent.id);

    const issueRes = await other.api.post(`/agents/${agent.id}/tokens`, { name: 'stolen', scopes: ['messages:read'] });
    expect(issueRes.status).toBe(403);
    expect(issueRes.body.error.code).toBe('not_sponsor');
    const list = await other.api.get(`/agents/${agent.id}/tokens`);
    expect(list.status).toBe(403);
    expect(list.body.error.code).toBe('not_sponsor');
    const revoke = await other.api.delete(`/agents/${agent.id}/tokens/${token.id}`);
    expect(revoke.status).toBe(403);
    expect(revoke.body.error.code).toBe('not_sponsor');

    const byOwner = await w.owner.api.get(`/agents/${agent.id}/tokens`);
    expect(byOwner.status).toBe(200);
    expect(byOwner.body.tokens.map((t: any) => [t.id, t.revoked_at])).toEqual([[token.id, null]]);
  });

  it('suspends an agent, whose tokens then stop working until it is reactivated', async () => {
    const w = await world();
    const bot = await w.agent();
    expect((await bot.api.get(`/orgs/${w.orgId}/channels`)).status).toBe(200);

    const suspended = await w.owner.api.patch(`/agents/${bot.memberId}`, { status: 'suspended' });
    expect(suspended.status).toBe(200);
    expect(suspended.body.agent.status).toBe('suspended');
    const denied = await bot.api.get(`/orgs/${w.orgId}/channels`);
    expect(denied.status).toBe(403);
    expect(denied.body.error.code).toBe('agent_inactive');

    expect((await w.owner.api.patch(`/agents/${bot.memberId}`, { status: 'active' })).body.agent.status).toBe('active');
    expect((await bot.api.get(`/orgs/${w.orgId}/channels`)).status).toBe(200);
  });

  it('retires an agent for good: its tokens are revoked and it cannot come back', async () => {
    const w = await world();
    const sponsor = await w.person('member');
    const agent = await createAgent(w, sponsor);
    const first = await issue(sponsor, agent.id);
    const second = await issue(sponsor, agent.id, { scopes: ['messages:write'] });
    expect((await api.as(first.secret).get('/me')).status).toBe(200);

    const retired = await sponsor.api.patch(`/agents/${agent.id}`, { status: 'retired' });
    expect(retired.status).toBe(200);
    expect(retired.body.agent.status).toBe('retired');
    for (const secret of [first.secret, second.secret]) {
      const res = await api.as(secret).get('/me');
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('unauthorized');
    }
    const tokens = (await sponsor.api.get(`/agents/${agent.id}/tokens`)).body.tokens;
    expect(tokens).toHaveLength(2);
    for (const t of tokens) expect(t.revoked_at).toEqual(expect.any(String));

    for (const status of ['active', 'suspended']) {
      const back = await w.owner.api.patch(`/agents/${agent.id}`, { status });
      expect(back.status).toBe(409);
      expect(back.body.error.code).toBe('agent_retired');
    }
    const newToken = await sponsor.api.post(`/agents/${agent.id}/tokens`, { name: 'again', scopes: ['messages:read'] });
    expect(newToken.status).toBe(409);
    expect(newToken.body.error.code).toBe('agent_retired');
    expect((await w.owner.api.get(`/agents/${agent.id}`)).body.agent.status).toBe('retired');
  });

  it('keeps an agent suspended while its sponsor is deactivated', async () => {
    const w = await world();
    const sponsor = await w.person('member');
    const bot = await w.agent({ sponsor });
    expect((await w.owner.api.post(`/orgs/${w.orgId}/members/${sponsor.memberId}/deactivate`)).body.suspended_agents).toEqual([bot.memberId]);

    const refused = await w.owner.api.patch(`/agents/${bot.memberId}`, { status: 'active' });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('sponsor_inactive');
    expect((await w.owner.api.get(`/agents/${bot.memberId}`)).body.agent.status).toBe('suspended');
    expect((await bot.api.get(`/orgs/${w.orgId}/channels`)).status).toBe(403);

    // The deactivated sponsor cannot manage it either; an admin still can, short of waking it.
    expect((await sponsor.api.patch(`/agents/${bot.memberId}`, { status: 'active' })).body.error.code).toBe('member_deactivated');
    expect((await w.owner.api.patch(`/agents/${bot.memberId}`, { description: 'Waiting for its sponsor.' })).status).toBe(200);

    expect((await w.owner.api.post(`/orgs/${w.orgId}/members/${sponsor.memberId}/reactivate`)).status).toBe(200);
    const woken = await w.owner.api.patch(`/agents/${bot.memberId}`, { status: 'active' });
    expect(woken.status).toBe(200);
    expect((await bot.api.get(`/orgs/${w.orgId}/channels`)).status).toBe(200);
  });
});

describe('agents and their sponsors at the same moment', () => {
  it('leaves no working token behind when a token is issued while the agent is retired', async () => {
    const w = await world();
    const agent = await createAgent(w, w.owner);
    const [retired, issued] = await Promise.all([
      w.owner.api.patch(`/agents/${agent.id}`, { status: 'retired' }),
      w.owner.api.post(`/agents/${agent.id}/tokens`, { name: 'late', scopes: ['messages:read'] }),
    ]);
    expect(retired.status).toBe(200);
    if (issued.status === 201) {
      expect((await api.as(issued.body.secret).get('/me')).status).toBe(401);
    } else {
      expect(issued.status).toBe(409);
      expect(issued.body.error.code).toBe('agent_retired');
    }
    const tokens = (await w.owner.api.get(`/agents/${agent.id}/tokens`)).body.tokens;
    expect(tokens.filter((t: any) => t.revoked_at === null)).toEqual([]);
  });

  it('does not bring an agent back while its sponsor is being deactivated', async () => {
    const w = await world();
    const sponsor = await w.person('member');
    const agent = await createAgent(w, sponsor);
    expect((await sponsor.api.patch(`/agents/${agent.id}`, { status: 'suspended' })).status).toBe(200);
    const [deactivated, reactivated] = await Promise.all([
      w.owner.api.post(`/orgs/${w.orgId}/members/${sponsor.memberId}/deactivate`),
      w.owner.api.patch(`/agents/${agent.id}`, { status: 'active' }),
    ]);
    expect(deactivated.status).toBe(200);
    expect([200, 409]).toContain(reactivated.status);
    expect((await w.owner.api.get(`/agents/${agent.id}`)).body.agent.status).toBe('suspended');
  });

  it('does not leave an active agent behind when its sponsor is deactivated while creating it', async () => {
    const w = await world();
    const sponsor = await w.person('member');
    const [deactivated, created] = await Promise.all([
      w.owner.api.post(`/orgs/${w.orgId}/members/${sponsor.memberId}/deactivate`),
      sponsor.api.post(`/orgs/${w.orgId}/agents`, { handle: unique('bot'), display_name: 'Racer' }),
    ]);
    expect(deactivated.status).toBe(200);
    expect([201, 403]).toContain(created.status);
    const agents = (await w.owner.api.get(`/orgs/${w.orgId}/agents`)).body.agents;
    expect(agents.filter((a: any) => a.status === 'active')).toEqual([]);
  });
});

describe('agent tokens', () => {
  it('shows the secret once and keeps only its SHA-256 hash', async () => {
    const w = await world();
    const agent = await createAgent(w, w.owner);
    const issued = await w.owner.api.post(`/agents/${agent.id}/tokens`, { name: 'ci', scopes: ['messages:read', 'context:read'] });
    expect(issued.status).toBe(201);
    const { token, secret } = issued.body;
    expect(secret).toMatch(/^cha_[A-Za-z0-9_-]{40,}$/);
    expect(token).toMatchObject({ agent_id: agent.id, name: 'ci', scopes: ['messages:read', 'context:read'], created_by: w.owner.memberId, expires_at: null, revoked_at: null });
    expect(JSON.stringify(token)).not.toContain(secret);

    const listed = await w.owner.api.get(`/agents/${agent.id}/tokens`);
    expect(listed.status).toBe(200);
    expect(listed.body.tokens).toEqual([token]);
    expect(JSON.stringify(listed.body)).not.toContain(secret);
    expect(JSON.stringify(listed.body)).not.toMatch(/cha_|secret|hash/);

    const row = await server.ctx.db.selectFrom('agent_tokens').selectAll().where('id', '=', token.id).executeTakeFirstOrThrow();
    expect(row.token_hash).toBe(createHash('sha256').update(secret).digest('hex'));
    expect(JSON.stringify(row)).not.toContain(secret);
    expect(JSON.stringify(row)).not.toContain(secret.slice(4));
  });

  it('accepts only known scopes', async () => {
    const w = await world();
    const agent = await createAgent(w, w.owner);
    for (const scopes of [['messages:read', 'admin:all'], ['everything'], [], ['messages:read', 'messages:read']]) {
      const res = await w.owner.api.post(`/agents/${agent.id}/tokens`, { name: 'ci', scopes });
      expect(res.status, JSON.stringify(scopes)).toBe(400);
      expect(res.body.error.code).toBe('validation_failed');
    }
    expect((await w.owner.api.get(`/agents/${agent.id}/tokens`)).body.tokens).toEqual([]);
  });

  it('lets a token do only what its scopes allow', async () => {
    const w = await world();
    const reader = await w.agent({ scopes: ['messages:read'] });
    const denied = await reader.api.get(`/orgs/${w.orgId}/channels`);
    expect(denied.status).toBe(403);
    expect(denied.body.error.code).toBe('insufficient_scope');
    const directory = await reader.api.get(`/orgs/${w.orgId}/members`);
    expect(directory.status).toBe(403);
    expect(directory.body.error.code).toBe('insufficient_scope');

    const browser = await w.agent({ scopes: ['channels:read'] });
    const allowed = await browser.api.get(`/orgs/${w.orgId}/channels`);
    expect(allowed.status).toBe(200);
    expect(allowed.body.channels).toEqual([]);
  });

  it('expires a token at its expiry date', async () => {
    const w = await world();
    const agent = await createAgent(w, w.owner);
    const before = Date.now();
    const { token, secret } = await issue(w.owner, agent.id, { expires_in_days: 30 });
    const lifetime = Date.parse(token.expires_at) - before;
    expect(lifetime).toBeGreaterThan(29.9 * 86400_000);
    expect(lifetime).toBeLessThanOrEqual(30.1 * 86400_000);
    expect((await api.as(secret).get(`/orgs/${w.orgId}/channels`)).status).toBe(200);

    await server.ctx.db.updateTable('agent_tokens').set({ expires_at: new Date(Date.now() - 1000) }).where('id', '=', token.id).execute();
    const expired = await api.as(secret).get(`/orgs/${w.orgId}/channels`);
    expect(expired.status).toBe(401);
    expect(expired.body.error.code).toBe('unauthorized');
  });

  it('revokes one token and leaves the others working', async () => {
    const w = await world();
    const sponsor = await w.person('member');
    const agent = await createAgent(w, sponsor);
    const doomed = await issue(sponsor, agent.id);
    const kept = await issue(sponsor, agent.id);

    expect((await sponsor.api.delete(`/agents/${agent.id}/tokens/${doomed.token.id}`)).status).toBe(204);
    expect((await api.as(doomed.secret).get(`/orgs/${w.orgId}/channels`)).status).toBe(401);
    expect((await api.as(kept.secret).get(`/orgs/${w.orgId}/channels`)).status).toBe(200);
    // Revoking twice is harmless; an unknown token or another agent's is not found.
    expect((await sponsor.api.delete(`/agents/${agent.id}/tokens/${doomed.token.id}`)).status).toBe(204);
    const unknown = await sponsor.api.delete(`/agents/${agent.id}/tokens/${randomUUID()}`);
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('token_not_found');
    const otherAgent = await createAgent(w, sponsor);
    expect((await sponsor.api.delete(`/agents/${otherAgent.id}/tokens/${kept.token.id}`)).status).toBe(404);
    expect((await api.as(kept.secret).get(`/orgs/${w.orgId}/channels`)).status).toBe(200);

    const tokens = (await sponsor.api.get(`/agents/${agent.id}/tokens`)).body.tokens;
    expect(tokens.find((t: any) => t.id === doomed.token.id).revoked_at).toEqual(expect.any(String));
    expect(tokens.find((t: any) => t.id === kept.token.id).revoked_at).toBeNull();
  });

  it('answers GET /me as the agent', async () => {
    const w = await world();
    const bot = await w.agent();
    const me = await bot.api.get('/me');
    expect(me.status).toBe(200);
    expect(me.body).toEqual({
      kind: 'agent',
      user: null,
      memberships: [{ org: { id: w.orgId, name: 'Acme', slug: expect.any(String) }, member: expect.objectContaining({ id: bot.memberId, kind: 'agent', handle: bot.handle }) }],
    });
  });

  it('keeps a token inside its own org', async () => {
    const w = await world();
    const bot = await w.agent();
    const other = await world();
    const res = await bot.api.get(`/orgs/${other.orgId}/channels`);
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('org_not_found');
    expect((await bot.api.get(`/channels/${other.generalId}/messages`)).status).toBe(404);
  });
});
