import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../server.js';
import { createWorld } from '../test/fixtures.js';
import { startTestServer } from '../test/server.js';

let server: RunningServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

describe('direct messages', () => {
  it('opens a DM between two people, and finds the same one from either side', async () => {
    const world = await createWorld(server.url);
    const bob = await world.person('member', 'Bob');

    const opened = await world.owner.api.post(`/orgs/${world.orgId}/dms`, { member_ids: [bob.memberId] });
    expect(opened.status).toBe(201);
    expect(opened.body.created).toBe(true);
    expect(opened.body.channel).toMatchObject({ kind: 'dm', name: null, org_id: world.orgId });
    expect([...opened.body.channel.dm_members].sort()).toEqual([world.owner.memberId, bob.memberId].sort());

    const fromBob = await bob.api.post(`/orgs/${world.orgId}/dms`, { member_ids: [world.owner.memberId] });
    expect(fromBob.body).toMatchObject({ created: false, channel: { id: opened.body.channel.id } });
    const withSelfListed = await bob.api.post(`/orgs/${world.orgId}/dms`, { member_ids: [bob.memberId, world.owner.memberId, world.owner.memberId] });
    expect(withSelfListed.body.channel.id).toBe(opened.body.channel.id);

    await world.post(world.owner, opened.body.channel.id, 'psst');
    const list = await bob.api.get(`/orgs/${world.orgId}/channels`);
    expect(list.body.channels.find((c: any) => c.channel.id === opened.body.channel.id)).toMatchObject({ unread_count: 1, membership: { role: 'member' } });
  });

  it('opens a group DM for three or more, the same one whatever the order', async () => {
    const world = await createWorld(server.url);
    const [bob, carol, dan] = [await world.person('member', 'Bob'), await world.person('member', 'Carol'), await world.person('member', 'Dan')];
    const opened = await world.owner.api.post(`/orgs/${world.orgId}/dms`, { member_ids: [bob.memberId, carol.memberId] });
    expect(opened.body).toMatchObject({ created: true, channel: { kind: 'group_dm' } });
    expect(opened.body.channel.dm_members).toHaveLength(3);

    const reordered = await carol.api.post(`/orgs/${world.orgId}/dms`, { member_ids: [world.owner.memberId, bob.memberId] });
    expect(reordered.body).toMatchObject({ created: false, channel: { id: opened.body.channel.id } });

    // A different set is a different conversation.
    const bigger = await world.owner.api.post(`/orgs/${world.orgId}/dms`, { member_ids: [bob.memberId, carol.memberId, dan.memberId] });
    expect(bigger.body.created).toBe(true);
    expect(bigger.body.channel.id).not.toBe(opened.body.channel.id);
    const pair = await world.owner.api.post(`/orgs/${world.orgId}/dms`, { member_ids: [bob.memberId] });
    expect(pair.body.channel.kind).toBe('dm');
    expect(pair.body.channel.id).not.toBe(opened.body.channel.id);

    const members = await dan.api.get(`/channels/${bigger.body.channel.id}/members`);
    expect(members.body.members.map((m: any) => m.member.id).sort()).toEqual([world.owner.memberId, bob.memberId, carol.memberId, dan.memberId].sort());
  });

  it('creates one conversation when both people open it at the same moment', async () => {
    const world = await createWorld(server.url);
    const bob = await world.person('member', 'Bob');
    const carol = await world.person('member', 'Carol');
    const results = await Promise.all([
      world.owner.api.post(`/orgs/${world.orgId}/dms`, { member_ids: [bob.memberId, carol.memberId] }),
      bob.api.post(`/orgs/${world.orgId}/dms`, { member_ids: [carol.memberId, world.owner.memberId] }),
      carol.api.post(`/orgs/${world.orgId}/dms`, { member_ids: [world.owner.memberId, bob.memberId] }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 200, 201]);
    expect(new Set(results.map((r) => r.body.channel.id)).size).toBe(1);
    expect(results.filter((r) => r.body.created)).toHaveLength(1);
    const rows = await server.ctx.db.selectFrom('channels').select('id').where('org_id', '=', world.orgId).where('kind', '=', 'group_dm').execute();
    expect(rows).toHaveLength(1);
  });

  it('keeps the members of a DM fixed', async () => {
    const world = await createWorld(server.url);
    const [bob, carol, dan] = [await world.person('member', 'Bob'), await world.person('member', 'Carol'), await world.person('member', 'Dan')];
    const dm = (await world.owner.api.post(`/orgs/${world.orgId}/dms`, { member_ids: [bob.memberId] })).body.channel.id;
    const group = (await world.owner.api.post(`/orgs/${world.orgId}/dms`, { member_ids: [bob.memberId, carol.memberId] })).body.channel.id;

    for (const channelId of [dm, group]) {
      const add = await world.owner.api.post(`/channels/${channelId}/members`, { member_id: dan.memberId });
      expect(add.status).toBe(409);
      expect(add.body.error.code).toBe('direct_channel');
      const remove = await world.owner.api.delete(`/channels/${channelId}/members/${bob.memberId}`);
      expect(remove.status).toBe(409);
      expect(remove.body.error.code).toBe('direct_channel');
      const leave = await bob.api.post(`/channels/${channelId}/leave`);
      expect(leave.status).toBe(409);
      expect(leave.body.error.code).toBe('direct_channel');
      const rename = await world.owner.api.patch(`/channels/${channelId}`, { topic: 'ours' });
      expect(rename.status).toBe(409);
      expect(rename.body.error.code).toBe('direct_channel');
      const role = await world.owner.api.patch(`/channels/${channelId}/members/${bob.memberId}`, { role: 'moderator' });
      expect(role.status).toBe(409);
    }
    const members = await bob.api.get(`/channels/${group}/members`);
    expect(members.body.members).toHaveLength(3);
    // Reopening the group finds it with everyone still in it.
    const reopened = await bob.api.post(`/orgs/${world.orgId}/dms`, { member_ids: [carol.memberId, world.owner.memberId] });
    expect(reopened.body.channel.id).toBe(group);
    expect((await bob.api.get(`/channels/${group}/messages`)).status).toBe(200);
  });

  it('is a 404 to everyone outside it, admins and other orgs included', async () => {
    const world = await createWorld(server.url);
    const bob = await world.person('member', 'Bob');
    const admin = await world.person('admin', 'Admin');
    const dm = (await world.owner.api.post(`/orgs/${world.orgId}/dms`, { member_ids: [bob.memberId] })).body.channel.id;
    const message = await world.post(bob, dm, 'just between us');
    const stranger = await createWorld(server.url);

    for (const outsider of [admin, stranger.owner]) {
      for (const res of [
        await outsider.api.get(`/channels/${dm}`),
        await outsider.api.get(`/channels/${dm}/messages`),
        await outsider.api.get(`/channels/${dm}/members`),
        await outsider.api.post(`/channels/${dm}/messages`, { body: 'hi' }),
        await outsider.api.post(`/channels/${dm}/join`),
      ]) {
        expect(res.status).toBe(404);
        expect(res.body.error.code).toBe('channel_not_found');
      }
      expect((await outsider.api.get(`/messages/${message.id}`)).status).toBe(404);
    }
    const browse = await admin.api.get(`/orgs/${world.orgId}/channels/browse`);
    expect(browse.body.channels.map((c: any) => c.channel.id)).not.toContain(dm);
  });

  it('refuses members outside the org, and agents opening DMs', async () => {
    const world = await createWorld(server.url);
    const stranger = await createWorld(server.url);
    for (const memberId of [stranger.owner.memberId, randomUUID()]) {
      const res = await world.owner.api.post(`/orgs/${world.orgId}/dms`, { member_ids: [memberId] });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('unknown_members');
    }
    const bot = await world.agent();
    const byAgent = await bot.api.post(`/orgs/${world.orgId}/dms`, { member_ids: [world.owner.memberId] });
    expect(byAgent.status).toBe(403);
    expect(byAgent.body.error.code).toBe('agents_not_allowed');
    const tooMany = await world.owner.api.post(`/orgs/${world.orgId}/dms`, { member_ids: Array.from({ length: 9 }, () => randomUUID()) });
    expect(tooMany.status).toBe(400);
  });

  it('opens a note-to-self DM with no one else', async () => {
    const world = await createWorld(server.url);
    const opened = await world.owner.api.post(`/orgs/${world.orgId}/dms`, { member_ids: [] });
    expect(opened.body).toMatchObject({ created: true, channel: { kind: 'dm', dm_members: [world.owner.memberId] } });
    const again = await world.owner.api.post(`/orgs/${world.orgId}/dms`, { member_ids: [world.owner.memberId] });
    expect(again.body).toMatchObject({ created: false, channel: { id: opened.body.channel.id } });
  });

  it('lets a guest message only people they share a channel with', async () => {
    const world = await createWorld(server.url);
    const guest = await world.person('guest', 'Gus');
    const stranger = await world.person('member', 'Stan');
    const project = await world.channel(world.owner, { kind: 'private', members: [guest.memberId] });
    expect(project).toBeTruthy();

    const withOwner = await guest.api.post(`/orgs/${world.orgId}/dms`, { member_ids: [world.owner.memberId] });
    expect(withOwner.status).toBe(201);
    const withStranger = await guest.api.post(`/orgs/${world.orgId}/dms`, { member_ids: [stranger.memberId] });
    expect(withStranger.status).toBe(403);
    expect(withStranger.body.error.code).toBe('guest_dm_restricted');
    // The stranger may still write to the guest, as in Slack.
    expect((await stranger.api.post(`/orgs/${world.orgId}/dms`, { member_ids: [guest.memberId] })).status).toBe(201);
  });
});
