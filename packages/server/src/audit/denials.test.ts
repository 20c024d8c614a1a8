import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../server.js';
import { Api } from '../test/client.js';
import { auditOf } from '../test/context-fixtures.js';
import { createWorld } from '../test/fixtures.js';
import { startTestServer } from '../test/server.js';
import { openSocket } from '../test/sockets.js';
import { assign, claim } from '../test/tasks.js';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { maxChunkLength } from '../messages/streams.js';

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

  it('leave people’s refusals unrecorded', async () => {
    const w = await createWorld(server.url);
    const pat = await w.person('member', 'Pat');
    const hidden = await w.channel(w.owner, { kind: 'private' });
    expect((await pat.api.get('/channels/not-a-uuid/messages')).status).toBe(400);
    expect((await pat.api.get(`/channels/${hidden}/messages`)).status).toBe(404);
    expect(await auditOf(server, w.orgId, 'agent.denied')).toEqual([]);
    expect(await auditOf(server, w.orgId, 'agent.rejected')).toEqual([]);
  });

  it('record an agent’s malformed and oversized requests as rejected, with the error it was told', async () => {
    const w = await createWorld(server.url);
    const bot = await w.agent();
    const room = await w.channel(w.owner, { kind: 'private', members: [bot.memberId] });
    const bad = await bot.api.get('/channels/not-a-uuid/messages');
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('validation_failed');
    expect((await bot.api.post(`/channels/${room}/messages`, { body: 'hi', colour: 'red' })).body.error.code).toBe('validation_failed');
    const stream = await bot.api.post(`/channels/${room}/messages`, { body: 'Thinking', stream: true });
    const streamId = (stream.body as { message: { id: string } }).message.id;
    const tooLong = await bot.api.post(`/messages/${streamId}/chunks`, { text: 'x'.repeat(maxChunkLength + 1) });
    expect(tooLong.status).toBe(400);
    const oversized = await bot.api.post(`/messages/${streamId}/chunks`, { text: 'x'.repeat(server.ctx.config.bodyLimitBytes + 1) });
    expect([oversized.status, oversized.body.error.code]).toEqual([413, 'payload_too_large']);

    const rejected = (await auditOf(server, w.orgId, 'agent.rejected')).map((e) => ({ actor: e.actor_id, target: e.target_id, channel: e.channel_id, reason: e.reason, decision: e.decision, details: e.details }));
    expect(rejected).toEqual([
      { actor: bot.memberId, target: 'not-a-uuid', channel: null, reason: 'validation_failed', decision: 'deny', details: { route: 'GET /api/v1/channels/:channelId/messages', status: 400 } },
      { actor: bot.memberId, target: room, channel: room, reason: 'validation_failed', decision: 'deny', details: { route: 'POST /api/v1/channels/:channelId/messages', status: 400 } },
      { actor: bot.memberId, target: streamId, channel: room, reason: 'validation_failed', decision: 'deny', details: { route: 'POST /api/v1/messages/:messageId/chunks', status: 400 } },
      { actor: bot.memberId, target: streamId, channel: room, reason: 'payload_too_large', decision: 'deny', details: { route: 'POST /api/v1/messages/:messageId/chunks', status: 413 } },
    ]);
    expect(await auditOf(server, w.orgId, 'agent.denied')).toEqual([]);
  });

  it('record a request with an expired or revoked task token against its agent, and tell it why', async () => {
    const w = await createWorld(server.url);
    const bot = await w.agent();
    const room = await w.channel(w.owner, { kind: 'private', members: [bot.memberId] });
    const first = await claim(bot, (await assign(w.owner, room, bot.memberId)).task.id);
    await server.ctx.db.updateTable('task_tokens').set({ expires_at: new Date(Date.now() - 1000) }).where('task_id', '=', first.task.id).execute();
    const expired = await new Api(server.url, first.token).get(`/channels/${room}/messages`);
    expect(expired.status).toBe(401);
    expect(expired.body.error.message).toMatch(/expired.*claim the task again/i);

    const second = await claim(bot, (await assign(w.owner, room, bot.memberId)).task.id);
    await server.ctx.db.updateTable('task_tokens').set({ revoked_at: new Date() }).where('task_id', '=', second.task.id).execute();
    const revoked = await openSocket(server.url, second.token, w.orgId).then(
      () => null,
      (error: unknown) => error,
    );
    expect(revoked).toMatchObject({ code: 'unauthorized', message: expect.stringMatching(/revoked/) });

    // A token that was never issued names no one: refused, not recorded.
    expect((await new Api(server.url, 'cht_' + 'x'.repeat(40)).get(`/channels/${room}/messages`)).status).toBe(401);

    const rejected = (await auditOf(server, w.orgId, 'agent.rejected')).map((e) => ({ actor: e.actor_id, target: e.target_type, channel: e.channel_id, reason: e.reason, details: e.details }));
    expect(rejected).toEqual([
      { actor: bot.memberId, target: 'task_token', channel: room, reason: 'token_expired', details: { route: 'GET /api/v1/channels/:channelId/messages', status: 401, task_id: first.task.id } },
      { actor: bot.memberId, target: 'task_token', channel: room, reason: 'token_revoked', details: { route: 'WS hello', status: 401, task_id: second.task.id } },
    ]);
    const verified = await w.owner.api.post(`/orgs/${w.orgId}/audit/verify`);
    expect(verified.body).toMatchObject({ ok: true });
  });

  it('record an agent’s malformed MCP tool calls, which it gets back as tool errors', async () => {
    const w = await createWorld(server.url);
    const bot = await w.agent();
    const room = await w.channel(w.owner, { kind: 'private', members: [bot.memberId] });
    const mcp = new Client({ name: 'test', version: '1.0.0' });
    await mcp.connect(new StreamableHTTPClientTransport(new URL(`${server.url}/api/v1/mcp`), { requestInit: { headers: { authorization: `Bearer ${bot.token}` } } }));
    try {
      const bad = await mcp.callTool({ name: 'read_history', arguments: { channel_id: room, limit: 'lots' } });
      expect(bad.isError).toBe(true);
      expect(JSON.stringify(bad.content)).toMatch(/limit/);
      const unknown = await mcp.callTool({ name: 'drop_tables', arguments: {} });
      expect(unknown.isError).toBe(true);
      const fine = await mcp.callTool({ name: 'read_history', arguments: { channel_id: room } });
      expect(fine.isError).toBeFalsy();
    } finally {
      await mcp.close();
    }
    const rejected = (await auditOf(server, w.orgId, 'agent.rejected')).map((e) => ({ actor: e.actor_id, target: [e.target_type, e.target_id], reason: e.reason, route: (e.details as { route: string }).route }));
    expect(rejected).toEqual([
      { actor: bot.memberId, target: ['mcp_tool', 'read_history'], reason: 'invalid_tool_input', route: 'POST /api/v1/mcp' },
      { actor: bot.memberId, target: ['mcp_tool', 'drop_tables'], reason: 'unknown_tool', route: 'POST /api/v1/mcp' },
    ]);
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
