import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../server.js';
import { Api } from '../test/client.js';
import { createWorld, signUp, unique } from '../test/fixtures.js';
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

describe('creating an org', () => {
  it('makes the creator its owner, with a #general channel they are in', async () => {
    const ana = await newUser('Ana');
    const name = `Orchard ${unique('')}`;
    const created = await ana.post('/orgs', { name });
    expect(created.status).toBe(201);
    expect(created.body.org).toMatchObject({ name, slug: name.toLowerCase().replace(' ', '-') });
    expect(created.body.member).toMatchObject({ kind: 'human', role: 'owner', status: 'active', display_name: 'Ana', org_id: created.body.org.id });

    const orgId = created.body.org.id;
    const channels = await ana.get(`/orgs/${orgId}/channels`);
    expect(channels.status).toBe(200);
    expect(channels.body.channels).toHaveLength(1);
    expect(channels.body.channels[0]).toMatchObject({ channel: { name: 'general', kind: 'public' }, membership: { role: 'owner' } });

    const general = channels.body.channels[0].channel.id;
    const members = await ana.get(`/channels/${general}/members`);
    expect(members.body.members.map((m: any) => m.member.id)).toEqual([created.body.member.id]);

    const me = await ana.get('/me');
    expect(me.body.memberships).toEqual([{ org: { id: orgId, name, slug: created.body.org.slug }, member: created.body.member }]);
  });

  it('takes the handle the creator asks for', async () => {
    const ana = await newUser('Ana');
    const created = await ana.post('/orgs', { name: `Handles ${unique('')}`, handle: 'ana' });
    expect(created.status).toBe(201);
    expect(created.body.member.handle).toBe('ana');
  });

  it('derives the address from the name, numbering repeats', async () => {
    const ana = await newUser();
    const tag = unique('');
    const first = await ana.post('/orgs', { name: `Blue ${tag} Team!` });
    const second = await ana.post('/orgs', { name: `Blue ${tag} Team!` });
    const third = await ana.post('/orgs', { name: `blue ${tag} team` });
    expect(first.body.org.slug).toBe(`blue-${tag}-team`);
    expect(second.body.org.slug).toBe(`blue-${tag}-team-2`);
    expect(third.body.org.slug).toBe(`blue-${tag}-team-3`);
  });

  it('gives an org whose name has no letters or digits a usable address', async () => {
    const ana = await newUser();
    const created = await ana.post('/orgs', { name: '日本チーム' });
    expect(created.status).toBe(201);
    expect(created.body.org.name).toBe('日本チーム');
    expect(created.body.org.slug).toMatch(/^org(-\d+)?$/);
  });

  it('uses an explicit address as given, and refuses one that is taken', async () => {
    const ana = await newUser();
    const slug = `acme-${unique('')}-longer-name`.slice(0, 32);
    const first = await ana.post('/orgs', { name: 'Acme', slug });
    expect(first.status).toBe(201);
    expect(first.body.org.slug).toBe(slug);

    const bob = await newUser();
    const taken = await bob.post('/orgs', { name: 'Another Acme', slug });
    expect(taken.status).toBe(409);
    expect(taken.body.error.code).toBe('slug_taken');
    expect((await bob.get('/me')).body.memberships).toEqual([]);

    const invalid = await bob.post('/orgs', { name: 'Acme', slug: 'Not A Slug' });
    expect(invalid.status).toBe(400);
    expect(invalid.body.error.code).toBe('validation_failed');
  });

  it('gives one of two simultaneous requests for the same address a clear refusal', async () => {
    const [ana, bob] = await Promise.all([newUser(), newUser()]);
    const slug = unique('race-');
    const results = await Promise.all([ana.post('/orgs', { name: 'Race', slug }), bob.post('/orgs', { name: 'Race', slug })]);
    expect(results.map((r) => r.status).sort()).toEqual([201, 409]);
    expect(results.find((r) => r.status === 409)?.body.error.code).toBe('slug_taken');
  });

  it('gives two orgs created at once from the same name distinct addresses', async () => {
    const [ana, bob] = await Promise.all([newUser(), newUser()]);
    const name = `Twins ${unique('')}`;
    const results = await Promise.all([ana.post('/orgs', { name }), bob.post('/orgs', { name })]);
    expect(results.map((r) => r.status)).toEqual([201, 201]);
    expect(new Set(results.map((r) => r.body.org.slug))).toEqual(new Set([name.toLowerCase().replace(' ', '-'), `${name.toLowerCase().replace(' ', '-')}-2`]));
  });

  it('needs a name and a person', async () => {
    const ana = await newUser();
    const empty = await ana.post('/orgs', { name: '' });
    expect(empty.status).toBe(400);
    const anonymous = await api.post('/orgs', { name: 'Nobody' });
    expect(anonymous.status).toBe(401);
  });
});

describe('seeing and renaming an org', () => {
  it('shows the org to its members and to no one else', async () => {
    const w = await world();
    const member = await w.person('member');
    const seen = await member.api.get(`/orgs/${w.orgId}`);
    expect(seen.status).toBe(200);
    expect(seen.body.org).toMatchObject({ id: w.orgId, name: 'Acme' });

    const outsider = await newUser();
    const hidden = await outsider.get(`/orgs/${w.orgId}`);
    expect(hidden.status).toBe(404);
    expect(hidden.body.error.code).toBe('org_not_found');
    const missing = await outsider.get(`/orgs/${randomUUID()}`);
    expect(missing.status).toBe(404);
    expect(missing.body.error).toEqual(hidden.body.error);

    const elsewhere = await world();
    expect((await elsewhere.owner.api.get(`/orgs/${w.orgId}`)).status).toBe(404);
    expect((await elsewhere.owner.api.get(`/orgs/${w.orgId}/members`)).status).toBe(404);
  });

  it('lets owners and admins rename the org, and no one else', async () => {
    const w = await world();
    const admin = await w.person('admin');
    const member = await w.person('member');
    const guest = await w.person('guest');

    const renamed = await admin.api.patch(`/orgs/${w.orgId}`, { name: '  Acme Labs  ' });
    expect(renamed.status).toBe(200);
    expect(renamed.body.org.name).toBe('Acme Labs');
    expect((await w.owner.api.patch(`/orgs/${w.orgId}`, { name: 'Acme Industries' })).status).toBe(200);

    for (const who of [member, guest]) {
      const refused = await who.api.patch(`/orgs/${w.orgId}`, { name: 'Hijacked' });
      expect(refused.status).toBe(403);
      expect(refused.body.error.code).toBe('admin_required');
      expect(refused.body.error.message).not.toMatch(/invite/i);
    }
    expect((await admin.api.patch(`/orgs/${w.orgId}`, { name: '' })).status).toBe(400);
    expect((await member.api.get(`/orgs/${w.orgId}`)).body.org.name).toBe('Acme Industries');
  });
});

describe('the member directory', () => {
  it('lists people and agents, filtered by kind and status', async () => {
    const w = await world();
    const admin = await w.person('admin');
    const member = await w.person('member');
    const guest = await w.person('guest');
    const bot = await w.agent({ sponsor: admin });
    expect((await w.owner.api.post(`/orgs/${w.orgId}/members/${member.memberId}/deactivate`)).status).toBe(200);

    const handles = async (query = '') => {
      const res = await guest.api.get(`/orgs/${w.orgId}/members${query}`);
      expect(res.status).toBe(200);
      return res.body.members.map((m: any) => m.handle).sort();
    };
    const everyone = [w.owner.handle, admin.handle, member.handle, guest.handle, bot.handle].sort();
    expect(await handles()).toEqual(everyone);
    expect(await handles('?kind=agent')).toEqual([bot.handle]);
    expect(await handles('?kind=human')).toEqual(everyone.filter((h) => h !== bot.handle));
    expect(await handles('?status=deactivated')).toEqual([member.handle]);
    expect(await handles('?kind=human&status=active')).toEqual([w.owner.handle, admin.handle, guest.handle].sort());

    const all = (await w.owner.api.get(`/orgs/${w.orgId}/members`)).body.members;
    expect(all.find((m: any) => m.id === bot.memberId)).toMatchObject({ kind: 'agent', status: 'active' });
    expect(all.find((m: any) => m.id === guest.memberId)).toMatchObject({ kind: 'human', role: 'guest' });
    expect(all[0]).not.toHaveProperty('user_id');

    const bad = await w.owner.api.get(`/orgs/${w.orgId}/members?kind=robot`);
    expect(bad.status).toBe(400);
  });

  it('shows one member, and no member of another org', async () => {
    const w = await world();
    const admin = await w.person('admin', 'Ada');
    const one = await w.owner.api.get(`/orgs/${w.orgId}/members/${admin.memberId}`);
    expect(one.status).toBe(200);
    expect(one.body.member).toMatchObject({ id: admin.memberId, handle: admin.handle, display_name: 'Ada', role: 'admin', kind: 'human', status: 'active' });

    const other = await world();
    const foreign = await w.owner.api.get(`/orgs/${w.orgId}/members/${other.owner.memberId}`);
    expect(foreign.status).toBe(404);
    expect(foreign.body.error.code).toBe('member_not_found');
  });
});

describe('roles', () => {
  it('lets owners and admins change roles', async () => {
    const w = await world();
    const ada = await w.person('member');
    const bea = await w.person('admin');
    const cal = await w.person('guest');

    const promoted = await w.owner.api.patch(`/orgs/${w.orgId}/members/${ada.memberId}`, { role: 'admin' });
    expect(promoted.status).toBe(200);
    expect(promoted.body.member).toMatchObject({ id: ada.memberId, role: 'admin' });

    const demoted = await ada.api.patch(`/orgs/${w.orgId}/members/${bea.memberId}`, { role: 'member' });
    expect(demoted.status).toBe(200);
    expect(demoted.body.member.role).toBe('member');

    expect((await ada.api.patch(`/orgs/${w.orgId}/members/${cal.memberId}`, { role: 'member' })).status).toBe(200);
    const roles = (await w.owner.api.get(`/orgs/${w.orgId}/members`)).body.members.map((m: any) => [m.id, m.role]);
    expect(roles).toEqual(expect.arrayContaining([[ada.memberId, 'admin'], [bea.memberId, 'member'], [cal.memberId, 'member']]));

    // Bea is no longer an admin, and it shows at once.
    const refused = await bea.api.patch(`/orgs/${w.orgId}/members/${cal.memberId}`, { role: 'guest' });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('admin_required');
  });

  it('refuses an unknown role', async () => {
    const w = await world();
    const ada = await w.person('member');
    const res = await w.owner.api.patch(`/orgs/${w.orgId}/members/${ada.memberId}`, { role: 'superuser' });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
  });

  it('keeps ownership in the hands of owners', async () => {
    const w = await world();
    const admin = await w.person('admin');
    const ada = await w.person('member');

    const grant = await admin.api.patch(`/orgs/${w.orgId}/members/${ada.memberId}`, { role: 'owner' });
    expect(grant.status).toBe(403);
    expect(grant.body.error.code).toBe('owner_required');
    const self = await admin.api.patch(`/orgs/${w.orgId}/members/${admin.memberId}`, { role: 'owner' });
    expect(self.body.error.code).toBe('owner_required');
    const demote = await admin.api.patch(`/orgs/${w.orgId}/members/${w.owner.memberId}`, { role: 'member' });
    expect(demote.status).toBe(403);
    expect(demote.body.error.code).toBe('owner_required');
    const deactivate = await admin.api.post(`/orgs/${w.orgId}/members/${w.owner.memberId}/deactivate`);
    expect(deactivate.status).toBe(403);
    expect(deactivate.body.error.code).toBe('owner_required');

    const owner = (await w.owner.api.get(`/orgs/${w.orgId}/members/${w.owner.memberId}`)).body.member;
    expect(owner).toMatchObject({ role: 'owner', status: 'active' });

    const granted = await w.owner.api.patch(`/orgs/${w.orgId}/members/${ada.memberId}`, { role: 'owner' });
    expect(granted.status).toBe(200);
    expect(granted.body.member.role).toBe('owner');
  });

  it('never leaves the org without an active owner', async () => {
    const w = await world();
    const demoteSelf = await w.owner.api.patch(`/orgs/${w.orgId}/members/${w.owner.memberId}`, { role: 'admin' });
    expect(demoteSelf.status).toBe(409);
    expect(demoteSelf.body.error.code).toBe('last_owner');
    const deactivateSelf = await w.owner.api.post(`/orgs/${w.orgId}/members/${w.owner.memberId}/deactivate`);
    expect(deactivateSelf.status).toBe(409);
    expect(deactivateSelf.body.error.code).toBe('last_owner');

    // A second owner who is deactivated does not count.
    const bea = await w.person('member');
    expect((await w.owner.api.patch(`/orgs/${w.orgId}/members/${bea.memberId}`, { role: 'owner' })).status).toBe(200);
    expect((await w.owner.api.post(`/orgs/${w.orgId}/members/${bea.memberId}/deactivate`)).status).toBe(200);
    const still = await w.owner.api.patch(`/orgs/${w.orgId}/members/${w.owner.memberId}`, { role: 'member' });
    expect(still.status).toBe(409);
    expect(still.body.error.code).toBe('last_owner');

    // With Bea back, ownership can move: the first owner steps down, and Bea is then the last one.
    expect((await w.owner.api.post(`/orgs/${w.orgId}/members/${bea.memberId}/reactivate`)).status).toBe(200);
    const stepDown = await w.owner.api.patch(`/orgs/${w.orgId}/members/${w.owner.memberId}`, { role: 'admin' });
    expect(stepDown.status).toBe(200);
    expect(stepDown.body.member.role).toBe('admin');
    const last = await bea.api.patch(`/orgs/${w.orgId}/members/${bea.memberId}`, { role: 'admin' });
    expect(last.status).toBe(409);
    expect(last.body.error.code).toBe('last_owner');
  });

  it('keeps one owner when two owners demote each other at the same moment', async () => {
    const w = await world();
    const bea = await w.person('member');
    expect((await w.owner.api.patch(`/orgs/${w.orgId}/members/${bea.memberId}`, { role: 'owner' })).status).toBe(200);

    const results = await Promise.all([
      w.owner.api.patch(`/orgs/${w.orgId}/members/${bea.memberId}`, { role: 'admin' }),
      bea.api.patch(`/orgs/${w.orgId}/members/${w.owner.memberId}`, { role: 'admin' }),
    ]);
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    const refused = results.find((r) => r.status !== 200);
    // The loser either finds the last owner locked in (409), or is no longer an owner by the time it asks (403).
    expect([`409 last_owner`, `403 owner_required`]).toContain(`${refused?.status} ${refused?.body.error.code}`);

    const members = (await w.owner.api.get(`/orgs/${w.orgId}/members?kind=human&status=active`)).body.members;
    expect(members.filter((m: any) => m.role === 'owner')).toHaveLength(1);
  });

  it('keeps one owner when two owners deactivate each other at the same moment', async () => {
    const w = await world();
    const bea = await w.person('member');
    expect((await w.owner.api.patch(`/orgs/${w.orgId}/members/${bea.memberId}`, { role: 'owner' })).status).toBe(200);

    const results = await Promise.all([
      w.owner.api.post(`/orgs/${w.orgId}/members/${bea.memberId}/deactivate`),
      bea.api.post(`/orgs/${w.orgId}/members/${w.owner.memberId}/deactivate`),
    ]);
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    const refused = results.find((r) => r.status !== 200);
    // The loser either finds the last owner locked in (409), or is already shut out (403).
    expect([`409 last_owner`, `403 member_deactivated`]).toContain(`${refused?.status} ${refused?.body.error.code}`);

    const winner = results[0]?.status === 200 ? w.owner : bea;
    const owners = (await winner.api.get(`/orgs/${w.orgId}/members?status=active`)).body.members.filter((m: any) => m.role === 'owner');
    expect(owners.map((m: any) => m.id)).toEqual([winner.memberId]);
  });

  it("does not let an admin demote someone who is being made an owner at the same moment", async () => {
    const w = await world();
    const admin = await w.person('admin');
    const bea = await w.person('admin');
    const [granted, demoted] = await Promise.all([
      w.owner.api.patch(`/orgs/${w.orgId}/members/${bea.memberId}`, { role: 'owner' }),
      admin.api.patch(`/orgs/${w.orgId}/members/${bea.memberId}`, { role: 'member' }),
    ]);
    expect(granted.status).toBe(200);
    // Whichever came first, an owner's grant stands: the admin either acted before it or was refused after it.
    expect([`200`, `403 owner_required`]).toContain(demoted.status === 200 ? '200' : `${demoted.status} ${demoted.body.error.code}`);
    expect((await w.owner.api.get(`/orgs/${w.orgId}/members/${bea.memberId}`)).body.member.role).toBe('owner');
  });

  it('does not let members or guests manage members', async () => {
    const w = await world();
    const member = await w.person('member');
    const guest = await w.person('guest');
    const target = await w.person('member');
    for (const who of [member, guest]) {
      const role = await who.api.patch(`/orgs/${w.orgId}/members/${target.memberId}`, { role: 'admin' });
      expect(role.status).toBe(403);
      expect(role.body.error.code).toBe('admin_required');
      const deactivate = await who.api.post(`/orgs/${w.orgId}/members/${target.memberId}/deactivate`);
      expect(deactivate.status).toBe(403);
      expect(deactivate.body.error.code).toBe('admin_required');
      const reactivate = await who.api.post(`/orgs/${w.orgId}/members/${target.memberId}/reactivate`);
      expect(reactivate.status).toBe(403);
      expect(reactivate.body.error.code).toBe('admin_required');
    }
    // Not even themselves.
    const self = await member.api.patch(`/orgs/${w.orgId}/members/${member.memberId}`, { role: 'admin' });
    expect(self.body.error.code).toBe('admin_required');
    expect((await w.owner.api.get(`/orgs/${w.orgId}/members/${target.memberId}`)).body.member).toMatchObject({ role: 'member', status: 'active' });
  });

  it('manages agents through their own settings, not the member routes', async () => {
    const w = await world();
    const bot = await w.agent();
    const role = await w.owner.api.patch(`/orgs/${w.orgId}/members/${bot.memberId}`, { role: 'admin' });
    expect(role.status).toBe(409);
    expect(role.body.error.code).toBe('member_is_agent');
    const deactivate = await w.owner.api.post(`/orgs/${w.orgId}/members/${bot.memberId}/deactivate`);
    expect(deactivate.status).toBe(409);
    expect(deactivate.body.error.code).toBe('member_is_agent');
  });
});

describe('deactivation', () => {
  it('shuts a deactivated member out of the org until an admin reactivates them', async () => {
    const w = await world();
    const admin = await w.person('admin');
    const ada = await w.person('member');

    const deactivated = await admin.api.post(`/orgs/${w.orgId}/members/${ada.memberId}/deactivate`);
    expect(deactivated.status).toBe(200);
    expect(deactivated.body).toEqual({ member: expect.objectContaining({ id: ada.memberId, status: 'deactivated' }), suspended_agents: [] });

    for (const path of [`/orgs/${w.orgId}`, `/orgs/${w.orgId}/members`, `/orgs/${w.orgId}/channels`, `/channels/${w.generalId}/messages`]) {
      const res = await ada.api.get(path);
      expect(res.status, path).toBe(403);
      expect(res.body.error.code, path).toBe('member_deactivated');
    }
    const post = await ada.api.post(`/channels/${w.generalId}/messages`, { body: 'still here?' });
    expect(post.status).toBe(403);
    expect(post.body.error.code).toBe('member_deactivated');

    // The account itself still works and says what happened.
    const me = await ada.api.get('/me');
    expect(me.status).toBe(200);
    expect(me.body.memberships[0].member).toMatchObject({ id: ada.memberId, status: 'deactivated' });

    const reactivated = await admin.api.post(`/orgs/${w.orgId}/members/${ada.memberId}/reactivate`);
    expect(reactivated.status).toBe(200);
    expect(reactivated.body.member.status).toBe('active');
    expect((await ada.api.get(`/orgs/${w.orgId}`)).status).toBe(200);
  });

  it('does not let anyone deactivate themselves', async () => {
    const w = await world();
    const admin = await w.person('admin');
    const res = await admin.api.post(`/orgs/${w.orgId}/members/${admin.memberId}/deactivate`);
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('cannot_deactivate_self');
    expect((await admin.api.get(`/orgs/${w.orgId}`)).status).toBe(200);
  });

  it('suspends the agents of a deactivated sponsor, and only theirs', async () => {
    const w = await world();
    const sponsor = await w.person('member');
    const helper = await w.agent({ sponsor });
    const resting = await w.agent({ sponsor });
    const someoneElses = await w.agent();
    expect((await sponsor.api.patch(`/agents/${resting.memberId}`, { status: 'suspended' })).status).toBe(200);
    expect((await helper.api.get(`/orgs/${w.orgId}/channels`)).status).toBe(200);

    const res = await w.owner.api.post(`/orgs/${w.orgId}/members/${sponsor.memberId}/deactivate`);
    expect(res.status).toBe(200);
    expect(res.body.suspended_agents).toEqual([helper.memberId]);

    const denied = await helper.api.get(`/orgs/${w.orgId}/channels`);
    expect(denied.status).toBe(403);
    expect(denied.body.error.code).toBe('agent_inactive');
    expect((await w.owner.api.get(`/agents/${helper.memberId}`)).body.agent.status).toBe('suspended');
    expect((await someoneElses.api.get(`/orgs/${w.orgId}/channels`)).status).toBe(200);

    // Reactivating the sponsor does not wake the agent: the sponsor decides that.
    expect((await w.owner.api.post(`/orgs/${w.orgId}/members/${sponsor.memberId}/reactivate`)).status).toBe(200);
    expect((await helper.api.get(`/orgs/${w.orgId}/channels`)).status).toBe(403);
    expect((await sponsor.api.patch(`/agents/${helper.memberId}`, { status: 'active' })).status).toBe(200);
    expect((await helper.api.get(`/orgs/${w.orgId}/channels`)).status).toBe(200);
  });

  it("deactivates the sponsor and suspends the agents in one transaction: both happen or neither", async () => {
    const w = await world();
    const sponsor = await w.person('member');
    const helper = await w.agent({ sponsor });

    // Make suspending this one agent fail inside the database.
    const fn = sql.id(`fail_${unique('')}`);
    const trigger = sql.id(`trg_${unique('')}`);
    const db = server.ctx.db;
    await sql`create function ${fn}() returns trigger language plpgsql as $$ begin raise exception 'suspension refused'; end $$`.execute(db);
    await sql`create trigger ${trigger} before update on members for each row when (new.id = ${sql.lit(helper.memberId)}::uuid and new.status = 'suspended') execute function ${fn}()`.execute(db);
    try {
      const res = await w.owner.api.post(`/orgs/${w.orgId}/members/${sponsor.memberId}/deactivate`);
      expect(res.status).toBe(500);
    } finally {
      await sql`drop trigger ${trigger} on members`.execute(db);
      await sql`drop function ${fn}()`.execute(db);
    }
    expect((await w.owner.api.get(`/orgs/${w.orgId}/members/${sponsor.memberId}`)).body.member.status).toBe('active');
    expect((await sponsor.api.get(`/orgs/${w.orgId}`)).status).toBe(200);
    expect((await helper.api.get(`/orgs/${w.orgId}/channels`)).status).toBe(200);
  });
});
