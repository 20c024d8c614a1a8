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
