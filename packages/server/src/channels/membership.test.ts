import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../server.js';
import type { Api } from '../test/client.js';
import { createWorld } from '../test/fixtures.js';
import { startTestServer } from '../test/server.js';

let server: RunningServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

async function memberRoles(api: Api, channelId: string): Promise<Record<string, string>> {
  const res = await api.get(`/channels/${channelId}/members`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return Object.fromEntries(res.body.members.map((m: any) => [m.member.id, m.role]));
}

/** Every way of reaching a channel and its content, as one outsider would try them. */
async function expectHidden(api: Api, channelId: string, messageId: string) {
  const attempts = [
    await api.get(`/channels/${channelId}`),
    await api.get(`/channels/${channelId}/messages`),
    await api.get(`/channels/${channelId}/members`),
    await api.post(`/channels/${channelId}/messages`, { body: 'let me in' }),
    await api.post(`/channels/${channelId}/join`),
    await api.post(`/channels/${channelId}/leave`),
    await api.post(`/channels/${channelId}/read`, { seq: 1 }),
    await api.patch(`/channels/${channelId}`, { topic: 'mine' }),
    await api.post(`/channels/${channelId}/archive`),
  ];
  for (const res of attempts) {
    expect(res.status, JSON.stringify(res.body)).toBe(404);
    expect(res.body.error.code).toBe('channel_not_found');
  }
  const missing = await api.get(`/channels/${randomUUID()}`);
  expect(attempts[0]?.body).toEqual(missing.body);

  const messageAttempts = [
    await api.get(`/messages/${messageId}`),
    await api.get(`/messages/${messageId}/thread`),
    await api.patch(`/messages/${messageId}`, { body: 'edited' }),
    await api.delete(`/messages/${messageId}`),
    await api.put(`/messages/${messageId}/reactions/eyes`),
  ];
  for (const res of messageAttempts) {
    expect(res.status, JSON.stringify(res.body)).toBe(404);
    expect(res.body.error.code).toBe('message_not_found');
  }
}

describe('joining and leaving', () => {
  it('lets a person join and leave a public channel', async () => {
    const world = await createWorld(server.url);
    const bob = await world.person('member', 'Bob');
    const channelId = await world.channel(world.owner);

    const seen = await bob.api.get(`/channels/${channelId}`);
    expect(seen.status).toBe(200);
    expect(seen.body.membership).toBeNull();

    expect((await bob.api.post(`/channels/${channelId}/join`)).status).toBe(204);
    expect((await memberRoles(bob.api, channelId))[bob.memberId]).toBe('member');
    expect((await bob.api.get(`/channels/${channelId}`)).body.membership.role).toBe('member');
    const twice = await bob.api.post(`/channels/${channelId}/join`);
    expect(twice.status).toBe(409);
    expect(twice.body.error.code).toBe('already_member');

    expect((await bob.api.post(`/channels/${channelId}/leave`)).status).toBe(204);
    expect(await memberRoles(bob.api, channelId)).not.toHaveProperty(bob.memberId);
    const again = await bob.api.post(`/channels/${channelId}/leave`);
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('not_a_member');
  });

  it('does not let anyone join a private channel, and leaving one makes it vanish', async () => {
    const world = await createWorld(server.url);
    const bob = await world.person('member', 'Bob');
    const carol = await world.person('member', 'Carol');
    const channelId = await world.channel(world.owner, { kind: 'private', members: [bob.memberId] });

    const join = await carol.api.post(`/channels/${channelId}/join`);
    expect(join.status).toBe(404);
    const joinAsMember = await bob.api.post(`/channels/${channelId}/join`);
    expect(joinAsMember.status).toBe(403);
    expect(joinAsMember.body.error.code).toBe('invite_only');

    expect((await bob.api.post(`/channels/${channelId}/leave`)).status).toBe(204);
    expect((await bob.api.get(`/channels/${channelId}`)).status).toBe(404);
  });
});

describe('who can see a channel', () => {
  it('hides a private channel, its messages and its members from non-members and other orgs', async () => {
    const world = await createWorld(server.url);
    const bob = await world.person('member', 'Bob');
    const admin = await world.person('admin', 'Admin');
    const channelId = await world.channel(world.owner, { kind: 'private' });
    const message = await world.post(world.owner, channelId, 'secret plans');

    await expectHidden(bob.api, channelId, message.id);
    await expectHidden(admin.api, channelId, message.id);
    const stranger = await createWorld(server.url);
    await expectHidden(stranger.owner.api, channelId, message.id);
    const add = await bob.api.post(`/channels/${channelId}/members`, { member_id: bob.memberId });
    expect(add.status).toBe(404);
    expect(add.body.error.code).toBe('channel_not_found');
  });

  it('hides a public channel from another org', async () => {
    const world = await createWorld(server.url);
    const channelId = await world.channel(world.owner);
    const message = await world.post(world.owner, channelId, 'public, but only in this org');
    const stranger = await createWorld(server.url);
    await expectHidden(stranger.owner.api, channelId, message.id);
  });

  it('shows guests only the channels they were added to', async () => {
    const world = await createWorld(server.url);
    const guest = await world.person('guest', 'Guest');
    const open = await world.channel(world.owner);
    const message = await world.post(world.owner, open, 'members only chatter');
    await expectHidden(guest.api, open, message.id);
    expect((await guest.api.get(`/channels/${world.generalId}`)).status).toBe(404);

    const project = await world.channel(world.owner, { members: [guest.memberId] });
    expect((await guest.api.get(`/channels/${project}`)).status).toBe(200);
    await world.post(guest, project, 'hello from the guest');
    const list = await guest.api.get(`/orgs/${world.orgId}/channels`);
    expect(list.body.channels.map((c: any) => c.channel.id)).toEqual([project]);
  });

  it('lets an agent read only channels it was added to, public ones included, and never join', async () => {
    const world = await createWorld(server.url);
    const bot = await world.agent();
    const open = await world.channel(world.owner);
    const message = await world.post(world.owner, open, 'people talking');
    await expectHidden(bot.api, open, message.id);
    expect((await bot.api.get(`/channels/${world.generalId}`)).status).toBe(404);

    const served = await world.channel(world.owner, { members: [bot.memberId] });
    await world.post(world.owner, served, 'hello bot');
    const history = await bot.api.get(`/channels/${served}/messages`);
    expect(history.status).toBe(200);
    expect(history.body.messages.map((m: any) => m.body)).toEqual(['hello bot']);
    await world.post(bot, served, 'hello human');
    const list = await bot.api.get(`/orgs/${world.orgId}/channels`);
    expect(list.body.channels.map((c: any) => c.channel.id)).toEqual([served]);

    const join = await bot.api.post(`/channels/${served}/join`);
    expect(join.status).toBe(403);
    expect(join.body.error.code).toBe('agents_not_allowed');
  });

  it('holds an agent to its token scopes', async () => {
    const world = await createWorld(server.url);
    const reader = await world.agent({ scopes: ['messages:read', 'channels:read'] });
    const channelId = await world.channel(world.owner, { members: [reader.memberId] });
    expect((await reader.api.get(`/channels/${channelId}/messages`)).status).toBe(200);
    const post = await reader.api.post(`/channels/${channelId}/messages`, { body: 'may I?' });
    expect(post.status).toBe(403);
    expect(post.body.error.code).toBe('insufficient_scope');

    const writer = await world.agent({ scopes: ['messages:write'] });
    await world.owner.api.post(`/channels/${channelId}/members`, { member_id: writer.memberId });
    const read = await writer.api.get(`/channels/${channelId}/messages`);
    expect(read.status).toBe(403);
    expect(read.body.error.code).toBe('insufficient_scope');
  });
});

describe('adding and removing members', () => {
  it('adds people with channel roles, and lets owners change roles', async () => {
    const world = await createWorld(server.url);
    const [mod, bob, olga] = [await world.person('member', 'Mod'), await world.person('member', 'Bob'), await world.person('member', 'Olga')];
    const channelId = await world.channel(world.owner, { kind: 'private' });

    const added = await world.owner.api.post(`/channels/${channelId}/members`, { member_id: mod.memberId, role: 'moderator' });
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({ member: { id: mod.memberId }, role: 'moderator' });
    expect((await world.owner.api.post(`/channels/${channelId}/members`, { member_id: bob.memberId })).body.role).toBe('member');
    expect((await world.owner.api.post(`/channels/${channelId}/members`, { member_id: olga.memberId, role: 'observer' })).status).toBe(201);
    expect(await memberRoles(bob.api, channelId)).toEqual({ [world.owner.memberId]: 'owner', [mod.memberId]: 'moderator', [bob.memberId]: 'member', [olga.memberId]: 'observer' });

    const twice = await world.owner.api.post(`/channels/${channelId}/members`, { member_id: bob.memberId });
    expect(twice.status).toBe(409);
    expect(twice.body.error.code).toBe('already_member');

    // Only channel owners (and org admins) hand out roles.
    const carol = await world.person('member', 'Carol');
    const byMod = await mod.api.post(`/channels/${channelId}/members`, { member_id: carol.memberId, role: 'moderator' });
    expect(byMod.status).toBe(403);
    expect(byMod.body.error.code).toBe('channel_owner_required');
    expect((await mod.api.patch(`/channels/${channelId}/members/${bob.memberId}`, { role: 'moderator' })).status).toBe(403);
    expect((await world.owner.api.patch(`/channels/${channelId}/members/${bob.memberId}`, { role: 'moderator' })).status).toBe(204);
    expect((await memberRoles(bob.api, channelId))[bob.memberId]).toBe('moderator');
    expect((await world.owner.api.patch(`/channels/${channelId}/members/${carol.memberId}`, { role: 'member' })).status).toBe(404);
  });

  it('lets members add people, but not observers', async () => {
    const world = await createWorld(server.url);
    const [bob, olga, carol] = [await world.person('member', 'Bob'), await world.person('member', 'Olga'), await world.person('member', 'Carol')];
    const channelId = await world.channel(world.owner, { kind: 'private', members: [bob.memberId] });
    await world.owner.api.post(`/channels/${channelId}/members`, { member_id: olga.memberId, role: 'observer' });

    const byObserver = await olga.api.post(`/channels/${channelId}/members`, { member_id: carol.memberId });
    expect(byObserver.status).toBe(403);
    expect(byObserver.body.error.code).toBe('read_only_member');
    expect((await bob.api.post(`/channels/${channelId}/members`, { member_id: carol.memberId })).status).toBe(201);
    expect((await carol.api.get(`/channels/${channelId}/messages`)).status).toBe(200);
  });

  it('refuses members of other orgs and unknown members', async () => {
    const world = await createWorld(server.url);
    const channelId = await world.channel(world.owner);
    const stranger = await createWorld(server.url);
    for (const memberId of [stranger.owner.memberId, randomUUID()]) {
      const res = await world.owner.api.post(`/channels/${channelId}/members`, { member_id: memberId });
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('member_not_found');
    }
  });

  it('lets moderators remove members, who then lose a private channel', async () => {
    const world = await createWorld(server.url);
    const [mod, bob, carol] = [await world.person('member', 'Mod'), await world.person('member', 'Bob'), await world.person('member', 'Carol')];
    const channelId = await world.channel(world.owner, { kind: 'private', members: [bob.memberId, carol.memberId] });
    await world.owner.api.post(`/channels/${channelId}/members`, { member_id: mod.memberId, role: 'moderator' });

    const byMember = await bob.api.delete(`/channels/${channelId}/members/${carol.memberId}`);
    expect(byMember.status).toBe(403);
    expect(byMember.body.error.code).toBe('moderator_required');

    expect((await mod.api.delete(`/channels/${channelId}/members/${carol.memberId}`)).status).toBe(204);
    expect((await carol.api.get(`/channels/${channelId}/messages`)).status).toBe(404);
    expect((await mod.api.delete(`/channels/${channelId}/members/${carol.memberId}`)).status).toBe(404);

    // Removing oneself is leaving, which any member may do.
    expect((await bob.api.delete(`/channels/${channelId}/members/${bob.memberId}`)).status).toBe(204);
    expect(Object.keys(await memberRoles(mod.api, channelId)).sort()).toEqual([world.owner.memberId, mod.memberId].sort());
  });

  it('does not let a moderator remove the channel owner', async () => {
    const world = await createWorld(server.url);
    const [mod, bob] = [await world.person('member', 'Mod'), await world.person('member', 'Bob')];
    const channelId = await world.channel(bob, { kind: 'private' });
    await bob.api.post(`/channels/${channelId}/members`, { member_id: mod.memberId, role: 'moderator' });
    await bob.api.post(`/channels/${channelId}/members`, { member_id: world.owner.memberId, role: 'moderator' });

    const res = await mod.api.delete(`/channels/${channelId}/members/${bob.memberId}`);
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('channel_owner_required');
    expect((await bob.api.get(`/channels/${channelId}/messages`)).status).toBe(200);
    // A moderator who is also an org admin may.
    expect((await world.owner.api.delete(`/channels/${channelId}/members/${bob.memberId}`)).status).toBe(204);
    expect((await bob.api.get(`/channels/${channelId}/messages`)).status).toBe(404);
  });

  it('does not let agents add or remove members', async () => {
    const world = await createWorld(server.url);
    const bob = await world.person('member', 'Bob');
    const bot = await world.agent();
    const channelId = await world.channel(world.owner, { members: [bot.memberId, bob.memberId] });
    const carol = await world.person('member', 'Carol');
    const add = await bot.api.post(`/channels/${channelId}/members`, { member_id: carol.memberId });
    expect(add.status).toBe(403);
    expect(add.body.error.code).toBe('agents_not_allowed');
    const remove = await bot.api.delete(`/channels/${channelId}/members/${bob.memberId}`);
    expect(remove.status).toBe(403);
    expect(remove.body.error.code).toBe('agents_not_allowed');
  });
});

describe('channel roles and settings', () => {
  it('lets observers read and react but not post', async () => {
    const world = await createWorld(server.url);
    const olga = await world.person('member', 'Olga');
    const channelId = await world.channel(world.owner, { kind: 'private' });
    await world.owner.api.post(`/channels/${channelId}/members`, { member_id: olga.memberId, role: 'observer' });
    const message = await world.post(world.owner, channelId, 'announcement');

    const history = await olga.api.get(`/channels/${channelId}/messages`);
    expect(history.body.messages.map((m: any) => m.body)).toEqual(['announcement']);
    const post = await olga.api.post(`/channels/${channelId}/messages`, { body: 'can I speak?' });
    expect(post.status).toBe(403);
    expect(post.body.error.code).toBe('read_only_member');
    const reply = await olga.api.post(`/channels/${channelId}/messages`, { body: 'in a thread?', thread_root_id: message.id });
    expect(reply.body.error.code).toBe('read_only_member');

    expect((await olga.api.put(`/messages/${message.id}/reactions/eyes`)).status).toBe(204);
    expect((await olga.api.post(`/channels/${channelId}/read`, { seq: message.seq })).status).toBe(200);
  });

  it('with who_may_post = moderators, only owners and moderators post', async () => {
    const world = await createWorld(server.url);
    const [mod, bob, carol] = [await world.person('member', 'Mod'), await world.person('member', 'Bob'), await world.person('member', 'Carol')];
    const channelId = await world.channel(world.owner, { who_may_post: 'moderators', members: [bob.memberId] });
    await world.owner.api.post(`/channels/${channelId}/members`, { member_id: mod.memberId, role: 'moderator' });

    await world.post(world.owner, channelId, 'from the owner');
    await world.post(mod, channelId, 'from a moderator');
    for (const who of [bob, carol]) {
      const res = await who.api.post(`/channels/${channelId}/messages`, { body: 'me too' });
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('posting_restricted');
    }
    // Carol's refused post did not make her a member either.
    expect(await memberRoles(world.owner.api, channelId)).not.toHaveProperty(carol.memberId);

    await world.owner.api.patch(`/channels/${channelId}`, { who_may_post: 'members' });
    await world.post(bob, channelId, 'finally');
  });

  it('with who_may_add_agents = moderators, only moderators and org admins add agents', async () => {
    const world = await createWorld(server.url);
    const [mod, bob, admin] = [await world.person('member', 'Mod'), await world.person('member', 'Bob'), await world.person('admin', 'Admin')];
    const channelId = await world.channel(world.owner, { who_may_add_agents: 'moderators', members: [bob.memberId, admin.memberId] });
    await world.owner.api.post(`/channels/${channelId}/members`, { member_id: mod.memberId, role: 'moderator' });
    const [first, second] = [await world.agent({ sponsor: bob }), await world.agent({ sponsor: bob })];

    const byMember = await bob.api.post(`/channels/${channelId}/members`, { member_id: first.memberId });
    expect(byMember.status).toBe(403);
    expect(byMember.body.error.code).toBe('adding_agents_restricted');
    // People may still be added by members.
    const carol = await world.person('member', 'Carol');
    expect((await bob.api.post(`/channels/${channelId}/members`, { member_id: carol.memberId })).status).toBe(201);

    expect((await mod.api.post(`/channels/${channelId}/members`, { member_id: first.memberId })).status).toBe(201);
    expect((await admin.api.post(`/channels/${channelId}/members`, { member_id: second.memberId })).status).toBe(201);
  });

  it("refuses to add an agent whose sponsor cannot read the channel", async () => {
    const world = await createWorld(server.url);
    const bob = await world.person('member', 'Bob');
    const bot = await world.agent({ sponsor: bob });
    const channelId = await world.channel(world.owner, { kind: 'private' });

    const res = await world.owner.api.post(`/channels/${channelId}/members`, { member_id: bot.memberId });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('sponsor_lacks_access');
    expect((await bot.api.get(`/channels/${channelId}/messages`)).status).toBe(404);

    await world.owner.api.post(`/channels/${channelId}/members`, { member_id: bob.memberId });
    expect((await world.owner.api.post(`/channels/${channelId}/members`, { member_id: bot.memberId })).status).toBe(201);
    expect((await bot.api.get(`/channels/${channelId}/messages`)).status).toBe(200);
  });

  it('lets a sponsor add their agent to a public channel they have not joined', async () => {
    const world = await createWorld(server.url);
    const bob = await world.person('member', 'Bob');
    const bot = await world.agent({ sponsor: bob });
    const channelId = await world.channel(world.owner);
    expect((await world.owner.api.post(`/channels/${channelId}/members`, { member_id: bot.memberId })).status).toBe(201);
  });
});
