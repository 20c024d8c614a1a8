import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../server.js';
import { Api } from '../test/client.js';
import { auditOf } from '../test/context-fixtures.js';
import { createWorld } from '../test/fixtures.js';
import { startTestServer } from '../test/server.js';
import { openSocket } from '../test/sockets.js';
import { assign, claim } from '../test/tasks.js';

/** Every refused attempt by an agent is on the record, with the rule that refused it (DESIGN §2.4). */

let server: RunningServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

describe('denied agent attempts', () => {
  it('are recorded with the route, what was named, the channel and the rule — once each', async () => {
    const w = await createWorld(server.url);
    const pat = await w.person('member', 'Pat');
    const bot = await w.agent();
    const hidden = await w.channel(w.owner, { kind: 'private', members: [pat.memberId] });
    const secret = await w.post(pat, hidden, 'Not for the bot');
    const work = await w.channel(w.owner, { kind: 'private', members: [bot.memberId] });
    const other = await w.channel(w.owner, { kind: 'private', members: [bot.memberId] });
    const task = await claim(bot, (await assign(w.owner, work, bot.memberId)).task.id);
    const taskApi = new Api(server.url, task.token);

    expect((await bot.api.get(`/messages/${secret.id}`)).status).toBe(404);
    expect((await taskApi.get(`/channels/${other}/messages`)).status).toBe(404);
    expect((await bot.api.post('/orgs', { name: 'Mine' })).status).toBe(403);
    expect((await bot.api.get(`/orgs/${w.orgId}/audit`)).status).toBe(403);
    expect((await bot.api.get(`/channels/${hidden}/context`)).status).toBe(404);
    const cited = await bot.api.post(`/channels/${work}/messages`, { body: 'As Pat said', sources: [{ type: 'message', id: secret.id }] });
    expect(cited.status).toBe(403);

    const denied = (await auditOf(server, w.orgId, 'agent.denied')).map((e) => ({
      actor: e.actor_id,
      target: [e.target_type, e.target_id],
      channel: e.channel_id,
      reason: e.reason,
      decision: e.decision,
      details: e.details,
    }));
    expect(denied).toEqual([
      { actor: bot.memberId, target: ['message', secret.id], channel: hidden, reason: 'message_not_found', decision: 'deny', details: { route: 'GET /api/v1/messages/:messageId', status: 404 } },
      {
        actor: bot.memberId,
        target: ['channel', other],
        channel: other,
        reason: 'channel_not_found',
        decision: 'deny',
        details: { route: 'GET /api/v1/channels/:channelId/messages', status: 404, task_id: task.task.id },
      },
      { actor: bot.memberId, target: [null, null], channel: null, reason: 'agents_not_allowed', decision: 'deny', details: { route: 'POST /api/v1/orgs', status: 403 } },
      { actor: bot.memberId, target: ['org', w.orgId], channel: null, reason: 'agents_not_allowed', decision: 'deny', details: { route: 'GET /api/v1/orgs/:orgId/audit', status: 403 } },
    ]);
    // The context API and refused sources record their own denial, once.
    expect((await auditOf(server, w.orgId, 'agent.context.read')).map((e) => [e.decision, e.reason])).toEqual([['deny', 'channel_not_found']]);
    expect((await auditOf(server, w.orgId, 'agent.message.write')).map((e) => [e.decision, e.reason])).toEqual([['deny', 'audience_violation']]);
    const verified = await w.owner.api.post(`/orgs/${w.orgId}/audit/verify`);
    expect(verified.body).toMatchObject({ ok: true });
  });

  it('leaves bad input a 400 and people’s refusals unrecorded', async () => {
    const w = await createWorld(server.url);
    const pat = await w.person('member', 'Pat');
    const bot = await w.agent();
    const hidden = await w.channel(w.owner, { kind: 'private' });
    const bad = await bot.api.get('/channels/not-a-uuid/messages');
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('validation_failed');
    expect((await bot.api.get(`/channels/${hidden}/messages?before=-1`)).status).toBe(400);
    expect((await pat.api.get(`/channels/${hidden}/messages`)).status).toBe(404);
    expect(await auditOf(server, w.orgId, 'agent.denied')).toEqual([]);
  });

  it('are recorded for the org of the agent, naming no channel of another org', async () => {
    const w = await createWorld(server.url);
    const elsewhere = await createWorld(server.url);
    const bot = await w.agent();
    expect((await bot.api.get(`/channels/${elsewhere.generalId}/messages`)).status).toBe(404);
    const [row] = await auditOf(server, w.orgId, 'agent.denied');
    expect(row).toMatchObject({ target_type: 'channel', target_id: elsewhere.generalId, channel_id: null, reason: 'channel_not_found' });
    expect(await auditOf(server, elsewhere.orgId, 'agent.denied')).toEqual([]);
  });

  it('are recorded for a socket send or read refused to an agent, with the channel it named', async () => {
    const w = await createWorld(server.url);
    const pat = await w.person('member', 'Pat');
    const bot = await w.agent();
    const hidden = await w.channel(w.owner, { kind: 'private', members: [pat.memberId] });
    const s = await openSocket(server.url, bot.token, w.orgId);
    try {
      await expect(s.socket.send(hidden, 'let me in')).rejects.toMatchObject({ code: 'channel_not_found' });
      const denied = await auditOf(server, w.orgId, 'agent.denied');
      expect(denied.map((e) => ({ actor: e.actor_id, channel: e.channel_id, reason: e.reason, route: (e.details as { route: string }).route }))).toEqual([
        { actor: bot.memberId, channel: hidden, reason: 'channel_not_found', route: 'WS send' },
      ]);
    } finally {
      s.close();
    }
  });
});
