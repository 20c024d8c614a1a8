import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../server.js';
import { Api } from '../test/client.js';
import { createWorld, signUp, unique, type World } from '../test/fixtures.js';
import { startTestServer } from '../test/server.js';

let server: RunningServer;
let api: Api;
beforeAll(async () => {
  server = await startTestServer();
  api = new Api(server.url);
});
afterAll(() => server.close());

const world = () => createWorld(server.url);

async function newUser(name = 'Person'): Promise<Api> {
  return api.as((await signUp(api, name)).token);
}

/** An account with a chosen email, since the handle a newcomer gets comes from it. */
async function userWithEmail(email: string, name = 'Person'): Promise<Api> {
  const res = await api.post('/auth/signup', { email, password: 'correct horse battery', display_name: name });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return api.as(res.body.session.token);
}

async function invite(w: World, body: Record<string, unknown> = {}, by: Api = w.owner.api) {
  const res = await by.post(`/orgs/${w.orgId}/invites`, body);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { invite: any; token: string; url: string };
}

async function channelNames(person: Api, orgId: string): Promise<string[]> {
  const res = await person.get(`/orgs/${orgId}/channels`);
  expect(res.status).toBe(200);
  return res.body.channels.map((c: any) => c.channel.name);
}

describe('creating invites', () => {
  it('creates a link with a role, an expiry and a number of uses', async () => {
    const w = await world();
    const before = Date.now();
    const { invite: inv, token, url } = await invite(w, { role: 'guest', expires_in_hours: 48, max_uses: 3 });
    expect(token).toMatch(/^chi_[A-Za-z0-9_-]{20,}$/);
    expect(url).toContain(token);
    expect(inv).toMatchObject({ org_id: w.orgId, role: 'guest', max_uses: 3, uses: 0, created_by: w.owner.memberId, revoked_at: null });
    const expiresIn = Date.parse(inv.expires_at) - before;
    expect(expiresIn).toBeGreaterThan(47 * 3600_000);
    expect(expiresIn).toBeLessThanOrEqual(49 * 3600_000);
  });

  it('defaults to one member, for a week', async () => {
    const w = await world();
    const before = Date.now();
    const { invite: inv } = await invite(w);
    expect(inv).toMatchObject({ role: 'member', max_uses: 1, uses: 0 });
    const expiresIn = Date.parse(inv.expires_at) - before;
    expect(expiresIn).toBeGreaterThan(6.9 * 24 * 3600_000);
    expect(expiresIn).toBeLessThanOrEqual(7.1 * 24 * 3600_000);
  });

  it('stores only a hash of the link', async () => {
    const w = await world();
    const { invite: inv, token } = await invite(w);
    const row = await server.ctx.db.selectFrom('invites').selectAll().where('id', '=', inv.id).executeTakeFirstOrThrow();
    expect(row.token_hash).not.toContain(token.slice(4));
    expect(JSON.stringify(row)).not.toContain(token);
  });

  it('refuses guests, and lets only admins invite admins', async () => {
    const w = await world();
    const admin = await w.person('admin');
    const member = await w.person('member');
    const guest = await w.person('guest');

    const byGuest = await guest.api.post(`/orgs/${w.orgId}/invites`, { role: 'guest' });
    expect(byGuest.status).toBe(403);
    expect(byGuest.body.error.code).toBe('guests_cannot_invite');

    const adminByMember = await member.api.post(`/orgs/${w.orgId}/invites`, { role: 'admin' });
    expect(adminByMember.status).toBe(403);
    expect(adminByMember.body.error.code).toBe('admin_required');

    expect((await member.api.post(`/orgs/${w.orgId}/invites`, { role: 'member' })).status).toBe(201);
    expect((await member.api.post(`/orgs/${w.orgId}/invites`, { role: 'guest' })).status).toBe(201);
    expect((await admin.api.post(`/orgs/${w.orgId}/invites`, { role: 'admin' })).status).toBe(201);

    const owner = await w.owner.api.post(`/orgs/${w.orgId}/invites`, { role: 'owner' });
    expect(owner.status).toBe(400);
    expect(owner.body.error.code).toBe('validation_failed');
  });

  it('validates the expiry and the number of uses', async () => {
    const w = await world();
    for (const body of [{ max_uses: 0 }, { max_uses: 1001 }, { expires_in_hours: 0 }, { expires_in_hours: 24 * 31 }, { uses: 5 }]) {
      const res = await w.owner.api.post(`/orgs/${w.orgId}/invites`, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
    }
  });

  it('lets no outsider invite into the org', async () => {
    const w = await world();
    const outsider = await newUser();
    const res = await outsider.post(`/orgs/${w.orgId}/invites`, {});
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('org_not_found');
  });
});

describe('previewing an invite', () => {
  it('shows anyone with the link the org name and the role, and nothing else', async () => {
    const w = await world();
    const { token, invite: inv } = await invite(w, { role: 'guest' });
    const preview = await api.get(`/invites/${token}`);
    expect(preview.status).toBe(200);
    expect(preview.body).toEqual({ org: { name: 'Acme', slug: expect.any(String) }, role: 'guest', expires_at: inv.expires_at });
    const text = JSON.stringify(preview.body);
    for (const secret of [w.orgId, inv.id, w.owner.memberId, w.owner.email, w.owner.handle]) expect(text).not.toContain(secret);
  });

  it('answers a link that does not exist, or is malformed', async () => {
    const unknown = await api.get(`/invites/chi_${'x'.repeat(43)}`);
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('invite_not_found');
    const malformed = await api.get('/invites/not-a-token');
    expect(malformed.status).toBe(400);
  });
});

describe('accepting an invite', () => {
  it('makes a member with the role, in #general', async () => {
    const w = await world();
    const ada = await newUser('Ada');
    const { token } = await invite(w, { role: 'member' });
    const accepted = await ada.post(`/invites/${token}/accept`);
    expect(accepted.status).toBe(201);
    expect(accepted.body.org).toMatchObject({ id: w.orgId, name: 'Acme' });
    expect(accepted.body.member).toMatchObject({ org_id: w.orgId, kind: 'human', role: 'member', status: 'active', display_name: 'Ada' });

    expect(await channelNames(ada, w.orgId)).toEqual(['general']);
    const me = await ada.get('/me');
    expect(me.body.memberships.map((m: any) => [m.org.id, m.member.role])).toEqual([[w.orgId, 'member']]);
    const directory = await w.owner.api.get(`/orgs/${w.orgId}/members`);
    expect(directory.body.members.map((m: any) => m.id)).toContain(accepted.body.member.id);
  });

  it('makes an admin an admin, in #general', async () => {
    const w = await world();
    const ada = await newUser();
    const { token } = await invite(w, { role: 'admin' });
    const accepted = await ada.post(`/invites/${token}/accept`);
    expect(accepted.body.member.role).toBe('admin');
    expect(await channelNames(ada, w.orgId)).toEqual(['general']);
    expect((await ada.patch(`/orgs/${w.orgId}`, { name: 'Acme, run by admins' })).status).toBe(200);
  });

  it('keeps guests out of #general', async () => {
    const w = await world();
    const gus = await newUser('Gus');
    const { token } = await invite(w, { role: 'guest' });
    const accepted = await gus.post(`/invites/${token}/accept`);
    expect(accepted.status).toBe(201);
    expect(accepted.body.member.role).toBe('guest');
    expect(await channelNames(gus, w.orgId)).toEqual([]);
    expect((await gus.get(`/channels/${w.generalId}/messages`)).status).toBe(404);
    const general = await w.owner.api.get(`/channels/${w.generalId}/members`);
    expect(general.body.members.map((m: any) => m.member.id)).not.toContain(accepted.body.member.id);
  });

  it('needs a person signed in', async () => {
    const w = await world();
    const { token } = await invite(w);
    expect((await api.post(`/invites/${token}/accept`)).status).toBe(401);
    expect((await api.get(`/invites/${token}`)).status).toBe(200);
  });

  it('admits one person through a single-use link', async () => {
    const w = await world();
    const { token, invite: inv } = await invite(w);
    expect((await (await newUser()).post(`/invites/${token}/accept`)).status).toBe(201);

    const late = await (await newUser()).post(`/invites/${token}/accept`);
    expect(late.status).toBe(409);
    expect(late.body.error.code).toBe('invite_used_up');
    const preview = await api.get(`/invites/${token}`);
    expect(preview.status).toBe(409);
    expect(preview.body.error.code).toBe('invite_used_up');

    const listed = (await w.owner.api.get(`/orgs/${w.orgId}/invites`)).body.invites.find((i: any) => i.id === inv.id);
    expect(listed).toMatchObject({ uses: 1, max_uses: 1 });
  });

  it('admits one person through a single-use link when two accept at the same moment', async () => {
    const w = await world();
    const { token } = await invite(w);
    const [ada, bea] = await Promise.all([newUser('Ada'), newUser('Bea')]);
    const results = await Promise.all([ada.post(`/invites/${token}/accept`), bea.post(`/invites/${token}/accept`)]);
    expect(results.map((r) => r.status).sort()).toEqual([201, 409]);
    const loser = results.find((r) => r.status === 409);
    expect(loser?.body.error.code).toBe('invite_used_up');

    const humans = (await w.owner.api.get(`/orgs/${w.orgId}/members?kind=human`)).body.members;
    expect(humans).toHaveLength(2);
    const winner = results.find((r) => r.status === 201);
    expect(humans.map((m: any) => m.id)).toEqual(expect.arrayContaining([w.owner.memberId, winner?.body.member.id]));
  });

  it('admits as many people as a multi-use link allows', async () => {
    const w = await world();
    const { token } = await invite(w, { max_uses: 3 });
    const people = await Promise.all([newUser(), newUser(), newUser(), newUser()]);
    const results = await Promise.all(people.map((p) => p.post(`/invites/${token}/accept`)));
    expect(results.map((r) => r.status).sort()).toEqual([201, 201, 201, 409]);
    expect(results.find((r) => r.status === 409)?.body.error.code).toBe('invite_used_up');
    const handles = results.filter((r) => r.status === 201).map((r) => r.body.member.handle);
    expect(new Set(handles).size).toBe(3);
  });

  it('refuses an expired link', async () => {
    const w = await world();
    const { token, invite: inv } = await invite(w);
    await server.ctx.db.updateTable('invites').set({ expires_at: new Date(Date.now() - 60_000) }).where('id', '=', inv.id).execute();
    const ada = await newUser();
    const res = await ada.post(`/invites/${token}/accept`);
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('invite_expired');
    const preview = await api.get(`/invites/${token}`);
    expect(preview.status).toBe(409);
    expect(preview.body.error.code).toBe('invite_expired');
    expect((await ada.get('/me')).body.memberships).toEqual([]);
  });

  it('refuses a revoked link', async () => {
    const w = await world();
    const { token, invite: inv } = await invite(w, { max_uses: 10 });
    expect((await w.owner.api.delete(`/orgs/${w.orgId}/invites/${inv.id}`)).status).toBe(204);
    const res = await (await newUser()).post(`/invites/${token}/accept`);
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('invite_revoked');
    const preview = await api.get(`/invites/${token}`);
    expect(preview.status).toBe(409);
    expect(preview.body.error.code).toBe('invite_revoked');
  });

  it('refuses someone who is already a member, without using up the link', async () => {
    const w = await world();
    const ada = await w.person('member');
    const { token, invite: inv } = await invite(w, { role: 'admin', max_uses: 2 });
    for (const who of [w.owner.api, ada.api]) {
      const res = await who.post(`/invites/${token}/accept`);
      expect(res.status).toBe(409);
      expect(res.body.error.code).toBe('already_member');
    }
    // Even a deactivated member cannot come back through an invite.
    expect((await w.owner.api.post(`/orgs/${w.orgId}/members/${ada.memberId}/deactivate`)).status).toBe(200);
    expect((await ada.api.post(`/invites/${token}/accept`)).body.error.code).toBe('already_member');

    expect((await ada.api.get(`/orgs/${w.orgId}/members/${ada.memberId}`)).status).toBe(403);
    expect((await w.owner.api.get(`/orgs/${w.orgId}/members/${ada.memberId}`)).body.member.role).toBe('member');
    const listed = (await w.owner.api.get(`/orgs/${w.orgId}/invites`)).body.invites.find((i: any) => i.id === inv.id);
    expect(listed.uses).toBe(0);
  });

  it('does not let an agent accept an invite', async () => {
    const w = await world();
    const bot = await w.agent();
    const other = await world();
    const { token } = await invite(other);
    const res = await bot.api.post(`/invites/${token}/accept`);
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('agents_not_allowed');
  });
});

describe('handles of newcomers', () => {
  it('chooses a free handle from the email, and takes a chosen one unless it is taken', async () => {
    const w = await world();
    const local = unique('ana');
    const { token } = await invite(w, { max_uses: 10 });

    const first = await (await userWithEmail(`${local}@one.test`, 'Ana One')).post(`/invites/${token}/accept`);
    expect(first.body.member.handle).toBe(local);
    const second = await (await userWithEmail(`${local}@two.test`, 'Ana Two')).post(`/invites/${token}/accept`);
    expect(second.body.member.handle).toBe(`${local}-2`);

    const cal = await newUser('Cal');
    const taken = await cal.post(`/invites/${token}/accept`, { handle: local });
    expect(taken.status).toBe(409);
    expect(taken.body.error.code).toBe('handle_taken');
    const bot = await w.agent({ handle: unique('bot') });
    const agentHandle = await cal.post(`/invites/${token}/accept`, { handle: bot.handle });
    expect(agentHandle.body.error.code).toBe('handle_taken');

    const chosen = await cal.post(`/invites/${token}/accept`, { handle: 'cal', display_name: 'Calliope' });
    expect(chosen.status).toBe(201);
    expect(chosen.body.member).toMatchObject({ handle: 'cal', display_name: 'Calliope' });
    const listed = (await w.owner.api.get(`/orgs/${w.orgId}/invites`)).body.invites[0];
    expect(listed.uses).toBe(3);

    const invalid = await (await newUser()).post(`/invites/${token}/accept`, { handle: 'Not Valid' });
    expect(invalid.status).toBe(400);
  });

  it('gives a chosen handle to one of two people claiming it at the same moment', async () => {
    const w = await world();
    const [a, b] = await Promise.all([invite(w), invite(w)]);
    const [ada, bea] = await Promise.all([newUser(), newUser()]);
    const results = await Promise.all([ada.post(`/invites/${a.token}/accept`, { handle: 'sam' }), bea.post(`/invites/${b.token}/accept`, { handle: 'sam' })]);
    expect(results.map((r) => r.status).sort()).toEqual([201, 409]);
    expect(results.find((r) => r.status === 409)?.body.error.code).toBe('handle_taken');
  });

  it('gives two people with the same email name distinct handles when they join at the same moment', async () => {
    const w = await world();
    const local = unique('sam');
    const [a, b] = await Promise.all([invite(w), invite(w)]);
    const [one, two] = await Promise.all([userWithEmail(`${local}@one.test`), userWithEmail(`${local}@two.test`)]);
    const results = await Promise.all([one.post(`/invites/${a.token}/accept`), two.post(`/invites/${b.token}/accept`)]);
    expect(results.map((r) => r.status)).toEqual([201, 201]);
    expect(results.map((r) => r.body.member.handle).sort()).toEqual([local, `${local}-2`]);
  });
});

describe('managing invites', () => {
  it('lets admins list every invite of the org, and members none', async () => {
    const w = await world();
    const admin = await w.person('admin');
    const member = await w.person('member');
    const guest = await w.person('guest');
    const mine = await invite(w, { role: 'guest', max_uses: 5 }, member.api);

    const listed = await admin.api.get(`/orgs/${w.orgId}/invites`);
    expect(listed.status).toBe(200);
    // The fixture's invites for admin, member and guest, and the member's own.
    expect(listed.body.invites).toHaveLength(4);
    expect(listed.body.invites[0]).toMatchObject({ id: mine.invite.id, role: 'guest', max_uses: 5, uses: 0, created_by: member.memberId });
    expect(JSON.stringify(listed.body)).not.toContain(mine.token);
    expect(listed.body.invites[0]).not.toHaveProperty('token_hash');

    for (const who of [member, guest]) {
      const refused = await who.api.get(`/orgs/${w.orgId}/invites`);
      expect(refused.status).toBe(403);
      expect(refused.body.error.code).toBe('admin_required');
    }
    const other = await world();
    expect((await other.owner.api.get(`/orgs/${w.orgId}/invites`)).status).toBe(404);
  });

  it('lets admins revoke any invite, and members only their own', async () => {
    const w = await world();
    const admin = await w.person('admin');
    const member = await w.person('member');
    const owners = await invite(w);
    const members = await invite(w, {}, member.api);

    const refused = await member.api.delete(`/orgs/${w.orgId}/invites/${owners.invite.id}`);
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('admin_required');
    expect((await api.get(`/invites/${owners.token}`)).status).toBe(200);

    expect((await member.api.delete(`/orgs/${w.orgId}/invites/${members.invite.id}`)).status).toBe(204);
    expect((await admin.api.delete(`/orgs/${w.orgId}/invites/${owners.invite.id}`)).status).toBe(204);
    // Revoking twice is harmless.
    expect((await admin.api.delete(`/orgs/${w.orgId}/invites/${owners.invite.id}`)).status).toBe(204);

    const invites = (await admin.api.get(`/orgs/${w.orgId}/invites`)).body.invites;
    for (const id of [owners.invite.id, members.invite.id]) {
      expect(invites.find((i: any) => i.id === id).revoked_at).toEqual(expect.any(String));
    }
    expect((await api.get(`/invites/${owners.token}`)).body.error.code).toBe('invite_revoked');
  });

  it('does not find invites that are not there, or belong to another org', async () => {
    const w = await world();
    const other = await world();
    const theirs = await invite(other);
    const missing = await w.owner.api.delete(`/orgs/${w.orgId}/invites/${randomUUID()}`);
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('invite_not_found');
    const foreign = await w.owner.api.delete(`/orgs/${w.orgId}/invites/${theirs.invite.id}`);
    expect(foreign.status).toBe(404);
    expect((await api.get(`/invites/${theirs.token}`)).status).toBe(200);
  });
});
