import { afterAll, beforeAll, expect, it } from 'vitest';
import type { RunningServer } from '../server.js';
import { createWorld } from '../test/fixtures.js';
import { startTestServer } from '../test/server.js';

let server: RunningServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

it('records admin actions, token issue and revoke, and membership changes, by whom and on what', async () => {
  const w = await createWorld(server.url);
  const bob = await w.person('member', 'Bob');
  const bot = await w.agent();
  expect((await w.owner.api.patch(`/orgs/${w.orgId}/members/${bob.memberId}`, { role: 'admin' })).status).toBe(200);
  const tokens = await w.owner.api.get(`/agents/${bot.memberId}/tokens`);
  expect((await w.owner.api.delete(`/agents/${bot.memberId}/tokens/${tokens.body.tokens[0].id}`)).status).toBe(204);
  expect((await w.owner.api.patch(`/agents/${bot.memberId}`, { status: 'suspended' })).status).toBe(200);
  expect((await w.owner.api.post(`/orgs/${w.orgId}/members/${bob.memberId}/deactivate`)).status).toBe(200);
  expect((await w.owner.api.post(`/orgs/${w.orgId}/members/${bob.memberId}/reactivate`)).status).toBe(200);

  const log = (await w.owner.api.get(`/orgs/${w.orgId}/audit?limit=1000`)).body.events;
  const find = (action: string) => log.find((e: any) => e.action === action);
  expect(log.filter((e: any) => e.action === 'invite.created').length).toBeGreaterThanOrEqual(1);
  expect(find('invite.accepted')).toMatchObject({ actor_id: bob.memberId });
  expect(find('agent.created')).toMatchObject({ actor_id: w.owner.memberId, target_id: bot.memberId });
  expect(find('agent.token_issued')).toMatchObject({ actor_id: w.owner.memberId, details: expect.objectContaining({ agent_id: bot.memberId }) });
  expect(find('agent.token_revoked')).toMatchObject({ actor_id: w.owner.memberId, target_id: tokens.body.tokens[0].id });
  expect(find('agent.suspended')).toMatchObject({ target_id: bot.memberId });
  expect(find('member.role_changed')).toMatchObject({ actor_id: w.owner.memberId, target_id: bob.memberId, details: { from: 'member', to: 'admin' } });
  expect(find('member.deactivated')).toMatchObject({ target_id: bob.memberId });
  expect(find('member.reactivated')).toMatchObject({ target_id: bob.memberId });
  expect((await w.owner.api.post(`/orgs/${w.orgId}/audit/verify`)).body).toMatchObject({ ok: true });
});

it('records nothing for a change that was refused', async () => {
  const w = await createWorld(server.url);
  const bob = await w.person('member', 'Bob');
  const before = (await w.owner.api.get(`/orgs/${w.orgId}/audit?limit=1000`)).body.events.length;
  expect((await bob.api.patch(`/orgs/${w.orgId}/members/${w.owner.memberId}`, { role: 'member' })).status).toBe(403);
  const after = (await w.owner.api.get(`/orgs/${w.orgId}/audit?limit=1000`)).body.events;
  expect(after.filter((e: any) => e.action === 'member.role_changed')).toHaveLength(0);
  expect(after.length).toBe(before);
});

it('records channel settings with the values before and after, channel membership and roles, archival and the org name', async () => {
  const w = await createWorld(server.url);
  const bob = await w.person('member', 'Bob');
  const bot = await w.agent({ sponsor: bob });
  const channelId = await w.channel(w.owner, { kind: 'private' });
  expect((await w.owner.api.patch(`/channels/${channelId}`, { topic: 'Launch', agent_access: 'mentions_only', agent_history_days: 7 })).status).toBe(200);
  expect((await w.owner.api.post(`/channels/${channelId}/members`, { member_id: bob.memberId })).status).toBe(201);
  expect((await w.owner.api.post(`/channels/${channelId}/members`, { member_id: bot.memberId })).status).toBe(201);
  expect((await w.owner.api.patch(`/channels/${channelId}/members/${bob.memberId}`, { role: 'moderator' })).status).toBe(204);
  expect((await w.owner.api.patch(`/channels/${channelId}/members/${bob.memberId}`, { role: 'moderator' })).status).toBe(204);
  // Bob leaves: his agent is withdrawn in the same transaction.
  expect((await bob.api.post(`/channels/${channelId}/leave`)).status).toBe(204);
  const publicId = await w.channel(w.owner);
  expect((await bob.api.post(`/channels/${publicId}/join`)).status).toBe(204);
  expect((await w.owner.api.delete(`/channels/${publicId}/members/${bob.memberId}`)).status).toBe(204);
  expect((await w.owner.api.post(`/channels/${channelId}/archive`)).status).toBe(200);
  expect((await w.owner.api.patch(`/orgs/${w.orgId}`, { name: 'Acme Two' })).status).toBe(200);

  const log = (await w.owner.api.get(`/orgs/${w.orgId}/audit?limit=1000`)).body.events;
  const of = (action: string) => log.filter((e: any) => e.action === action).map((e: any) => ({ actor: e.actor_id, target: e.target_id, channel: e.channel_id, details: e.details }));
  expect(of('channel.updated')).toEqual([
    {
      actor: w.owner.memberId,
      target: channelId,
      channel: channelId,
      details: { before: { topic: '', agent_access: 'full', agent_history_days: null }, after: { topic: 'Launch', agent_access: 'mentions_only', agent_history_days: 7 } },
    },
  ]);
  expect(of('channel.member_added')).toEqual([
    { actor: w.owner.memberId, target: bob.memberId, channel: channelId, details: { role: 'member', kind: 'human' } },
    { actor: w.owner.memberId, target: bot.memberId, channel: channelId, details: { role: 'member', kind: 'agent' } },
  ]);
  // The second, unchanged, role change records nothing.
  expect(of('channel.member_role_changed')).toEqual([{ actor: w.owner.memberId, target: bob.memberId, channel: channelId, details: { from: 'member', to: 'moderator' } }]);
  expect(of('channel.member_left')).toEqual([{ actor: bob.memberId, target: bob.memberId, channel: channelId, details: null }]);
  expect(of('channel.agent_withdrawn')).toEqual([{ actor: bob.memberId, target: bot.memberId, channel: channelId, details: { sponsor_id: bob.memberId } }]);
  expect(of('channel.member_joined')).toEqual([{ actor: bob.memberId, target: bob.memberId, channel: publicId, details: { role: 'member' } }]);
  expect(of('channel.member_removed')).toEqual([{ actor: w.owner.memberId, target: bob.memberId, channel: publicId, details: null }]);
  expect(of('channel.archived')).toEqual([{ actor: w.owner.memberId, target: channelId, channel: channelId, details: null }]);
  expect(of('org.updated')).toEqual([{ actor: w.owner.memberId, target: w.orgId, channel: null, details: { before: { name: 'Acme' }, after: { name: 'Acme Two' } } }]);
  expect((await w.owner.api.post(`/orgs/${w.orgId}/audit/verify`)).body).toMatchObject({ ok: true });
});
