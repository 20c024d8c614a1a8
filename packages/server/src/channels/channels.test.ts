import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../server.js';
import { createWorld, unique, type Person, type World } from '../test/fixtures.js';
import { startTestServer } from '../test/server.js';

let server: RunningServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

/** The caller's entry for a channel in their channel list, or undefined. */
async function listed(world: World, who: { api: Person['api'] }, channelId: string, query = '') {
  const res = await who.api.get(`/orgs/${world.orgId}/channels${query}`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.channels.find((c: any) => c.channel.id === channelId);
}

describe('creating channels', () => {
  it('creates a public channel whose creator is its owner', async () => {
    const world = await createWorld(server.url);
    const name = unique('design');
    const res = await world.owner.api.post(`/orgs/${world.orgId}/channels`, { name, topic: 'Pixels and type' });
    expect(res.status).toBe(201);
    expect(res.body.channel).toMatchObject({
      org_id: world.orgId,
      kind: 'public',
      name,
      topic: 'Pixels and type',
      dm_members: null,
      created_by: world.owner.memberId,
      archived_at: null,
      settings: { who_may_post: 'members', who_may_add_agents: 'members', who_may_pin: 'members', history_for_new_members: 'all' },
    });
    expect(res.body.membership.role).toBe('owner');

    const members = await world.owner.api.get(`/channels/${res.body.channel.id}/members`);
    expect(members.body.members).toEqual([expect.objectContaining({ member: expect.objectContaining({ id: world.owner.memberId }), role: 'owner' })]);
    const entry = await listed(world, world.owner, res.body.channel.id);
    expect(entry.membership.role).toBe('owner');
  });

  it('creates a private channel that only its members know exists', async () => {
    const world = await createWorld(server.url);
    const bob = await world.person('member', 'Bob');
    const res = await world.owner.api.post(`/orgs/${world.orgId}/channels`, { name: unique('secret'), kind: 'private', history_for_new_members: 'since_join', who_may_post: 'moderators' });
    expect(res.status).toBe(201);
    expect(res.body.channel).toMatchObject({ kind: 'private', settings: { history_for_new_members: 'since_join', who_may_post: 'moderators' } });
    expect(res.body.membership.role).toBe('owner');

    const seen = await bob.api.get(`/channels/${res.body.channel.id}`);
    expect(seen.status).toBe(404);
    expect(seen.body.error.code).toBe('channel_not_found');
    const browse = await bob.api.get(`/orgs/${world.orgId}/channels/browse`);
    expect(browse.body.channels.map((c: any) => c.channel.id)).not.toContain(res.body.channel.id);
  });

  it('keeps channel names unique in an org whatever their case, but not across orgs', async () => {
    const world = await createWorld(server.url);
    const name = unique('ops');
    expect((await world.owner.api.post(`/orgs/${world.orgId}/channels`, { name })).status).toBe(201);

    const again = await world.owner.api.post(`/orgs/${world.orgId}/channels`, { name: name.toUpperCase(), kind: 'private' });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('channel_name_taken');

    const other = await createWorld(server.url);
    expect((await other.owner.api.post(`/orgs/${other.orgId}/channels`, { name })).status).toBe(201);
  });

  it('lets only one of two simultaneous creations take a name', async () => {
    const world = await createWorld(server.url);
    const name = unique('race');
    const results = await Promise.all([
      world.owner.api.post(`/orgs/${world.orgId}/channels`, { name }),
      world.owner.api.post(`/orgs/${world.orgId}/channels`, { name: name.toUpperCase() }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([201, 409]);
    expect(results.find((r) => r.status === 409)?.body.error.code).toBe('channel_name_taken');
  });

  it('rejects invalid names and unknown fields', async () => {
    const world = await createWorld(server.url);
    for (const name of ['', 'has space', '#hash', '-leading', 'x'.repeat(81)]) {
      const res = await world.owner.api.post(`/orgs/${world.orgId}/channels`, { name });
      expect(res.status, name).toBe(400);
      expect(res.body.error.code).toBe('validation_failed');
    }
    const dm = await world.owner.api.post(`/orgs/${world.orgId}/channels`, { name: unique('c'), kind: 'dm' });
    expect(dm.status).toBe(400);
    const extra = await world.owner.api.post(`/orgs/${world.orgId}/channels`, { name: unique('c'), colour: 'red' });
    expect(extra.status).toBe(400);
  });

  it('does not let guests or agents create channels', async () => {
    const world = await createWorld(server.url);
    const guest = await world.person('guest');
    const bot = await world.agent();
    const byGuest = await guest.api.post(`/orgs/${world.orgId}/channels`, { name: unique('g') });
    expect(byGuest.status).toBe(403);
    expect(byGuest.body.error.code).toBe('guests_cannot_create_channels');
    const byAgent = await bot.api.post(`/orgs/${world.orgId}/channels`, { name: unique('a') });
    expect(byAgent.status).toBe(403);
    expect(byAgent.body.error.code).toBe('agents_not_allowed');
  });
});

describe('changing a channel', () => {
  it('lets its owner rename it, set the topic and change settings', async () => {
    const world = await createWorld(server.url);
    const channelId = await world.channel(world.owner);
    const name = unique('Renamed');
    const res = await world.owner.api.patch(`/channels/${channelId}`, {
      name,
      topic: 'Now with a topic',
      who_may_post: 'moderators',
      who_may_add_agents: 'moderators',
      who_may_pin: 'moderators',
      history_for_new_members: 'since_join',
    });
    expect(res.status).toBe(200);
    expect(res.body.channel).toMatchObject({
      name: name.toLowerCase(),
      topic: 'Now with a topic',
      settings: { who_may_post: 'moderators', who_may_add_agents: 'moderators', who_may_pin: 'moderators', history_for_new_members: 'since_join' },
    });
    const seen = await world.owner.api.get(`/channels/${channelId}`);
    expect(seen.body.channel).toEqual(res.body.channel);

    const cleared = await world.owner.api.patch(`/channels/${channelId}`, { topic: '' });
    expect(cleared.body.channel.topic).toBe('');
    const bad = await world.owner.api.patch(`/channels/${channelId}`, { who_may_post: 'everyone' });
    expect(bad.status).toBe(400);
  });

  it('refuses to rename a channel to a name another channel has, in any case', async () => {
    const world = await createWorld(server.url);
    const taken = unique('taken');
    await world.channel(world.owner, { name: taken });
    const channelId = await world.channel(world.owner);
    const res = await world.owner.api.patch(`/channels/${channelId}`, { name: taken.toUpperCase() });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('channel_name_taken');

    // Changing only the case of its own name is no clash.
    const own = unique('mine');
    const mine = await world.channel(world.owner, { name: own });
    const same = await world.owner.api.patch(`/channels/${mine}`, { name: own.toUpperCase() });
    expect(same.status).toBe(200);
    expect(same.body.channel.name).toBe(own);
  });

  it('lets only one of two simultaneous renames take a name', async () => {
    const world = await createWorld(server.url);
    const [a, b] = [await world.channel(world.owner), await world.channel(world.owner)];
    const name = unique('wanted');
    const results = await Promise.all([world.owner.api.patch(`/channels/${a}`, { name }), world.owner.api.patch(`/channels/${b}`, { name })]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
    expect(results.find((r) => r.status === 409)?.body.error.code).toBe('channel_name_taken');
  });

  it('lets moderators and org admins change it, but not plain members or agents', async () => {
    const world = await createWorld(server.url);
    const mod = await world.person('member', 'Mod');
    const bob = await world.person('member', 'Bob');
    const admin = await world.person('admin', 'Admin');
    const bot = await world.agent();
    const channelId = await world.channel(world.owner, { members: [mod.memberId, bob.memberId, bot.memberId] });
    expect((await world.owner.api.patch(`/channels/${channelId}/members/${mod.memberId}`, { role: 'moderator' })).status).toBe(204);

    const byMember = await bob.api.patch(`/channels/${channelId}`, { topic: 'mine now' });
    expect(byMember.status).toBe(403);
    expect(byMember.body.error.code).toBe('moderator_required');
    const byAgent = await bot.api.patch(`/channels/${channelId}`, { topic: 'beep' });
    expect(byAgent.status).toBe(403);
    expect(byAgent.body.error.code).toBe('agents_not_allowed');

    expect((await mod.api.patch(`/channels/${channelId}`, { topic: 'by the moderator' })).body.channel.topic).toBe('by the moderator');
    // An org admin who is not in the (public) channel may still manage it.
    expect((await admin.api.patch(`/channels/${channelId}`, { topic: 'by an admin' })).body.channel.topic).toBe('by an admin');
    expect((await bob.api.get(`/channels/${channelId}`)).body.channel.topic).toBe('by an admin');
  });
});

describe('archiving', () => {
  it('archives a channel: it stays readable, nobody can post, and it leaves the lists until unarchived', async () => {
    const world = await createWorld(server.url);
    const bob = await world.person('member', 'Bob');
    const channelId = await world.channel(world.owner, { members: [bob.memberId] });
    await world.post(world.owner, channelId, 'before the archive');

    const byMember = await bob.api.post(`/channels/${channelId}/archive`);
    expect(byMember.status).toBe(403);

    const archived = await world.owner.api.post(`/channels/${channelId}/archive`);
    expect(archived.status).toBe(200);
    expect(archived.body.channel.archived_at).not.toBeNull();
    const again = await world.owner.api.post(`/channels/${channelId}/archive`);
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('already_archived');

    const post = await bob.api.post(`/channels/${channelId}/messages`, { body: 'hello?' });
    expect(post.status).toBe(403);
    expect(post.body.error.code).toBe('channel_archived');
    const byOwner = await world.owner.api.post(`/channels/${channelId}/messages`, { body: 'me neither' });
    expect(byOwner.body.error.code).toBe('channel_archived');

    const history = await bob.api.get(`/channels/${channelId}/messages`);
    expect(history.status).toBe(200);
    expect(history.body.messages.map((m: any) => m.body)).toEqual(['before the archive']);

    expect(await listed(world, bob, channelId)).toBeUndefined();
    expect((await listed(world, bob, channelId, '?include_archived=true'))?.channel.archived_at).not.toBeNull();
    const browse = await bob.api.get(`/orgs/${world.orgId}/channels/browse`);
    expect(browse.body.channels.map((c: any) => c.channel.id)).not.toContain(channelId);

    const unarchived = await world.owner.api.post(`/channels/${channelId}/unarchive`);
    expect(unarchived.status).toBe(200);
    expect(unarchived.body.channel.archived_at).toBeNull();
    expect((await world.owner.api.post(`/channels/${channelId}/unarchive`)).body.error.code).toBe('not_archived');
    await world.post(bob, channelId, 'back again');
    expect(await listed(world, bob, channelId)).toBeDefined();
  });

  it('refuses joining an archived channel', async () => {
    const world = await createWorld(server.url);
    const bob = await world.person('member', 'Bob');
    const channelId = await world.channel(world.owner);
    await world.owner.api.post(`/channels/${channelId}/archive`);
    const join = await bob.api.post(`/channels/${channelId}/join`);
    expect(join.status).toBe(403);
    expect(join.body.error.code).toBe('channel_archived');
  });
});

describe('the channel list', () => {
  it('counts unread messages and mentions by others, and moves them with the read cursor', async () => {
    const world = await createWorld(server.url);
    const bob = await world.person('member', 'Bob');
    const channelId = await world.channel(world.owner, { members: [bob.memberId] });

    expect(await listed(world, bob, channelId)).toMatchObject({ unread_count: 0, mention_count: 0, membership: { role: 'member' } });

    await world.post(world.owner, channelId, 'good morning');
    const ping = await world.post(world.owner, channelId, `@${bob.handle} can you look?`);
    const here = await world.post(world.owner, channelId, '@here standup');
    await world.post(bob, channelId, `talking to myself @${bob.handle}`);

    expect(await listed(world, bob, channelId)).toMatchObject({ unread_count: 3, mention_count: 2 });
    // My own messages are never unread for me.
    expect(await listed(world, world.owner, channelId)).toMatchObject({ unread_count: 1, mention_count: 0 });

    const read = await bob.api.post(`/channels/${channelId}/read`, { seq: ping.seq });
    expect(read.body.last_read_seq).toBe(ping.seq);
    expect(await listed(world, bob, channelId)).toMatchObject({ unread_count: 1, mention_count: 1, membership: { last_read_seq: ping.seq } });

    // The cursor never moves back, and never past the channel's last seq.
    expect((await bob.api.post(`/channels/${channelId}/read`, { seq: 1 })).body.last_read_seq).toBe(ping.seq);
    const channel = (await bob.api.get(`/channels/${channelId}`)).body.channel;
    expect((await bob.api.post(`/channels/${channelId}/read`, { seq: Number(channel.last_seq) + 1000 })).body.last_read_seq).toBe(channel.last_seq);
    expect(here.seq).toBeLessThanOrEqual(channel.last_seq);
    expect(await listed(world, bob, channelId)).toMatchObject({ unread_count: 0, mention_count: 0 });
  });

  it('counts a thread reply that mentions me, but not replies as unread channel messages', async () => {
    const world = await createWorld(server.url);
    const bob = await world.person('member', 'Bob');
    const channelId = await world.channel(world.owner, { members: [bob.memberId] });
    const root = await world.post(bob, channelId, 'a question');
    await world.post(world.owner, channelId, 'a plain reply', { thread_root_id: root.id });
    await world.post(world.owner, channelId, `@${bob.handle} see above`, { thread_root_id: root.id });
    expect(await listed(world, bob, channelId)).toMatchObject({ unread_count: 0, mention_count: 1 });
  });

  it('does not count deleted messages', async () => {
    const world = await createWorld(server.url);
    const bob = await world.person('member', 'Bob');
    const channelId = await world.channel(world.owner, { members: [bob.memberId] });
    const oops = await world.post(world.owner, channelId, `@${bob.handle} oops, wrong channel`);
    expect(await listed(world, bob, channelId)).toMatchObject({ unread_count: 1, mention_count: 1 });
    await world.owner.api.delete(`/messages/${oops.id}`);
    expect(await listed(world, bob, channelId)).toMatchObject({ unread_count: 0, mention_count: 0 });
  });

  it('counts @agents as a mention for the agents in the channel, not for people', async () => {
    const world = await createWorld(server.url);
    const bob = await world.person('member', 'Bob');
    const bot = await world.agent();
    const channelId = await world.channel(world.owner, { members: [bob.memberId, bot.memberId] });
    await world.post(world.owner, channelId, '@agents please summarise');
    expect(await listed(world, bot, channelId)).toMatchObject({ unread_count: 1, mention_count: 1 });
    expect(await listed(world, bob, channelId)).toMatchObject({ unread_count: 1, mention_count: 0 });
  });

  it('lists only my channels; marking read needs membership', async () => {
    const world = await createWorld(server.url);
    const bob = await world.person('member', 'Bob');
    const theirs = await world.channel(world.owner);
    const mine = await world.channel(bob);
    const list = await bob.api.get(`/orgs/${world.orgId}/channels`);
    const ids = list.body.channels.map((c: any) => c.channel.id);
    expect(ids).toContain(mine);
    expect(ids).toContain(world.generalId);
    expect(ids).not.toContain(theirs);
    const read = await bob.api.post(`/channels/${theirs}/read`, { seq: 1 });
    expect(read.status).toBe(409);
    expect(read.body.error.code).toBe('not_a_member');
  });

  it('refuses an agent token without channels:read', async () => {
    const world = await createWorld(server.url);
    const bot = await world.agent({ scopes: ['messages:read'] });
    const res = await bot.api.get(`/orgs/${world.orgId}/channels`);
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('insufficient_scope');
  });
});

describe('browsing public channels', () => {
  it('shows the public channels of the org with their member counts and whether I am in them', async () => {
    const world = await createWorld(server.url);
    const bob = await world.person('member', 'Bob');
    const open = await world.channel(world.owner, { members: [bob.memberId] });
    const other = await world.channel(world.owner);
    const hidden = await world.channel(world.owner, { kind: 'private' });

    const res = await bob.api.get(`/orgs/${world.orgId}/channels/browse`);
    expect(res.status).toBe(200);
    const byId = new Map<string, any>(res.body.channels.map((c: any) => [c.channel.id, c]));
    expect(byId.get(open)).toMatchObject({ member_count: 2, is_member: true });
    expect(byId.get(other)).toMatchObject({ member_count: 1, is_member: false });
    expect(byId.get(world.generalId)).toMatchObject({ member_count: 2, is_member: true });
    expect(byId.has(hidden)).toBe(false);
  });

  it('shows nothing to guests and agents, and nothing of another org', async () => {
    const world = await createWorld(server.url);
    const guest = await world.person('guest');
    const bot = await world.agent();
    await world.channel(world.owner);
    expect((await guest.api.get(`/orgs/${world.orgId}/channels/browse`)).body.channels).toEqual([]);
    expect((await bot.api.get(`/orgs/${world.orgId}/channels/browse`)).body.channels).toEqual([]);
    const stranger = await createWorld(server.url);
    const res = await stranger.owner.api.get(`/orgs/${world.orgId}/channels/browse`);
    expect(res.status).toBe(404);
  });
});
