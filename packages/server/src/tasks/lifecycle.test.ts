import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyChain } from '../audit/chain.js';
import type { RunningServer } from '../server.js';
import { createWorld } from '../test/fixtures.js';
import { startTestServer } from '../test/server.js';
import { openSocket, type RecordingSocket } from '../test/sockets.js';
import { assign, claim, finish, tasksIn } from '../test/tasks.js';

let server: RunningServer;
const sockets: RecordingSocket[] = [];
beforeAll(async () => {
  server = await startTestServer({ tasks: { leaseSeconds: 300, sweepSeconds: 0 } });
});
afterAll(async () => {
  for (const s of sockets) s.close();
  await server.close();
});

async function connect(token: string, orgId: string) {
  const s = await openSocket(server.url, token, orgId);
  sockets.push(s);
  return s;
}

/** An org with Maya, an agent, the task's #room and an #other channel the agent is also in. */
async function scene() {
  const w = await createWorld(server.url);
  const maya = await w.person('member', 'Maya');
  const bot = await w.agent();
  const room = await w.channel(w.owner, { members: [maya.memberId, bot.memberId] });
  const other = await w.channel(w.owner, { kind: 'private', members: [bot.memberId] });
  await w.post(w.owner, other, 'Salaries for next year.');
  return { w, maya, bot, room, other };
}

async function auditActions(taskId: string): Promise<string[]> {
  const rows = await server.ctx.db.selectFrom('audit_events').select(['action', 'actor_kind']).where('target_id', '=', taskId).orderBy('seq').execute();
  return rows.map((r) => `${r.actor_kind ?? ''}:${r.action}`);
}

describe('the agent works a task', () => {
  it('assignment posts the request as the requester and queues a task the agent hears about', async () => {
    const { w, maya, bot, room } = await scene();
    const socket = await connect(bot.token, w.orgId);
    const created = await assign(maya, room, bot.memberId, 'Draft the release notes.');
    expect(created.task).toMatchObject({ origin: 'assignment', status: 'queued', agent_id: bot.memberId, requester_id: maya.memberId, channel_id: room });
    expect(created.request).toMatchObject({ body: 'Draft the release notes.', author: { id: maya.memberId }, channel_id: room });
    expect(created.task.request_message_id).toBe(created.request.id);
    const event = await socket.until(() => socket.eventsOf(room, 'task.created')[0]);
    expect(event.type === 'task.created' && event.payload.task).toEqual(created.task);
    expect(socket.messagesIn(room)).toContain('Draft the release notes.');

    // Mentioning the agent in an assignment makes one task, not two.
    await assign(maya, room, bot.memberId, `@${bot.handle} and the changelog`);
    expect((await tasksIn(maya, room)).map((t) => t.task.origin)).toEqual(['assignment', 'assignment']);
  });

  it('refuses assignments to agents that cannot take work in the channel', async () => {
    const { w, maya, bot, room } = await scene();
    const outsider = await w.agent();
    expect((await maya.api.post(`/channels/${room}/tasks`, { agent_id: outsider.memberId, body: 'Help?' })).body.error.code).toBe('agent_unavailable');
    expect((await maya.api.post(`/channels/${room}/tasks`, { agent_id: w.owner.memberId, body: 'Help?' })).body.error.code).toBe('agent_not_found');
    expect((await bot.api.post(`/channels/${room}/tasks`, { agent_id: bot.memberId, body: 'Me?' })).body.error.code).toBe('self_assignment');
    expect(await tasksIn(maya, room)).toEqual([]);
    // Nothing was posted either: the request and its task go together.
    const history = await maya.api.get(`/channels/${room}/messages`);
    expect(history.body.messages.map((m: any) => m.body)).not.toContain('Help?');
  });

  it("the claim's task token reads and posts in the task's channel and nowhere else, and acts on its own task only", async () => {
    const { w, maya, bot, room, other } = await scene();
    const socket = await connect(bot.token, w.orgId);
    const { task } = await assign(maya, room, bot.memberId);
    const second = await assign(maya, room, bot.memberId, 'Another job.');

    expect((await maya.api.post(`/tasks/${task.id}/claim`)).body.error.code).toBe('not_assignee');
    const before = Date.now();
    const claimRes = await bot.api.post(`/tasks/${task.id}/claim`);
    expect(claimRes.status).toBe(200);
    expect(claimRes.body.token).toMatch(/^cht_/);
    expect(claimRes.body.task).toMatchObject({ status: 'running', attempts: 1 });
    expect(claimRes.body.request.body).toBe('Summarise the thread, please.');
    const lease = Date.parse(claimRes.body.task.lease_expires_at);
    expect(lease).toBeGreaterThanOrEqual(before + 299_000);
    expect(claimRes.body.token_expires_at).toBe(claimRes.body.task.lease_expires_at);
    expect((await bot.api.post(`/tasks/${task.id}/claim`)).body.error.code).toBe('task_not_queued');

    const taskApi = bot.api.as(claimRes.body.token);
    // Its channel: read and post, in the task's thread.
    expect((await taskApi.get(`/channels/${room}/messages`)).status).toBe(200);
    const reply = await taskApi.post(`/channels/${room}/messages`, { body: 'Working on it.', thread_root_id: task.thread_root_id });
    expect(reply.status).toBe(201);
    // Another channel the agent belongs to does not exist for this token.
    expect((await taskApi.get(`/channels/${other}/messages`)).body.error.code).toBe('channel_not_found');
    expect((await taskApi.post(`/channels/${other}/messages`, { body: 'leak' })).body.error.code).toBe('channel_not_found');
    expect((await bot.api.get(`/channels/${other}/messages`)).status).toBe(200); // its own token still can
    // Org-level routes refuse it.
    for (const path of [`/orgs/${w.orgId}/channels`, `/orgs/${w.orgId}/members`, `/agents/${bot.memberId}/tasks`, `/agents/${bot.memberId}/stats`]) {
      const res = await taskApi.get(path);
      expect([path, res.status, res.body.error.code]).toEqual([path, 403, 'task_token_out_of_scope']);
    }
    // Other tasks, even in its channel, are not its to act on; it cannot mint more tokens or assign work.
    expect((await taskApi.post(`/tasks/${second.task.id}/claim`)).body.error.code).toBe('task_not_found');
    expect((await taskApi.post(`/tasks/${second.task.id}/complete`, {})).body.error.code).toBe('task_not_found');
    expect((await taskApi.post(`/tasks/${task.id}/claim`)).body.error.code).toBe('task_token_out_of_scope');
    expect((await taskApi.post(`/channels/${room}/tasks`, { agent_id: bot.memberId, body: 'x' })).body.error.code).toBe('task_token_out_of_scope');

    const beat = await taskApi.post(`/tasks/${task.id}/heartbeat`);
    expect(beat.status).toBe(200);
    expect(Date.parse(beat.body.task.lease_expires_at)).toBeGreaterThanOrEqual(lease);

    const done = await taskApi.post(`/tasks/${task.id}/complete`, { result_message_id: reply.body.message.id });
    expect(done.status).toBe(200);
    expect(done.body.task).toMatchObject({ status: 'done', lease_expires_at: null, result_message_id: reply.body.message.id });
    expect(done.body.task.finished_at).not.toBeNull();
    expect(done.body.result).toMatchObject({ id: reply.body.message.id, body: 'Working on it.' });
    // Finishing ends the token.
    expect((await taskApi.get(`/channels/${room}/messages`)).status).toBe(401);

    const statuses = await socket.until(() => {
      const seen = socket.eventsOf(room, 'task.updated').flatMap((e) => (e.type === 'task.updated' && e.payload.task.id === task.id ? [e.payload.task.status] : []));
      return seen.length === 2 && seen;
    });
    expect(statuses).toEqual(['running', 'done']);
    // The refused second claims are on the record too (audit/denials.ts): with the agent token, a
    // conflict (the task is no longer queued); with the task token, out of its scope.
    expect(await auditActions(task.id)).toEqual(['agent:task.claim', 'agent:agent.rejected', 'agent:agent.denied', 'agent:task.complete']);
    expect(await verifyChain(server.ctx.db, w.orgId)).toMatchObject({ ok: true });
    const result = await server.ctx.db.selectFrom('messages').select('task_id').where('id', '=', reply.body.message.id).executeTakeFirstOrThrow();
    expect(result.task_id).toBe(task.id);
  });

  it('of two claims at once, exactly one wins', async () => {
    const { maya, bot, room } = await scene();
    const { task } = await assign(maya, room, bot.memberId);
    const answers = await Promise.all([bot.api.post(`/tasks/${task.id}/claim`), bot.api.post(`/tasks/${task.id}/claim`)]);
    expect(answers.map((r) => r.status).sort()).toEqual([200, 409]);
    expect((await maya.api.get(`/tasks/${task.id}`)).body.task).toMatchObject({ status: 'running', attempts: 1 });
    const tokens = await server.ctx.db.selectFrom('task_tokens').select('id').where('task_id', '=', task.id).execute();
    expect(tokens).toHaveLength(1);
  });

  it("a result is the agent's own message in the task's channel", async () => {
    const { w, maya, bot, room, other } = await scene();
    const { task } = await assign(maya, room, bot.memberId);
    const byMaya = await w.post(maya, room, 'My own answer.');
    const elsewhere = await w.post(bot, other, 'Done, elsewhere.');
    await claim(bot, task.id);
    expect((await bot.api.post(`/tasks/${task.id}/complete`, { result_message_id: byMaya.id })).body.error.code).toBe('result_not_by_agent');
    expect((await bot.api.post(`/tasks/${task.id}/complete`, { result_message_id: elsewhere.id })).body.error.code).toBe('result_message_not_found');
    const done = await bot.api.post(`/tasks/${task.id}/complete`, {});
    expect(done.body.task).toMatchObject({ status: 'done', result_message_id: null });
  });

  it('failing requeues the task while attempts remain, then fails it visibly in the channel', async () => {
    const { maya, bot, room } = await scene();
    const { task } = await assign(maya, room, bot.memberId);
    for (const attempt of [1, 2]) {
      const { api } = await claim(bot, task.id);
      const failed = await api.post(`/tasks/${task.id}/fail`, { reason: `Timeout ${attempt}` });
      expect(failed.body.task).toMatchObject({ status: 'queued', attempts: attempt, failure_reason: `Timeout ${attempt}`, finished_at: null });
      expect((await api.get(`/channels/${room}/messages`)).status).toBe(401);
    }
    await claim(bot, task.id);
    const last = await bot.api.post(`/tasks/${task.id}/fail`, { reason: 'Timeout 3' });
    expect(last.body.task).toMatchObject({ status: 'failed', attempts: 3, failure_reason: 'Timeout 3' });
    expect(last.body.task.finished_at).not.toBeNull();
    const history = await maya.api.get(`/channels/${room}/messages`);
    expect(history.body.messages.at(-1)).toMatchObject({ kind: 'system', author: { id: bot.memberId } });
    expect(history.body.messages.at(-1).body).toMatch(/^Task failed: .* after 3 attempts/);
    expect(await auditActions(task.id)).toEqual(['agent:task.claim', 'agent:task.fail', 'agent:task.claim', 'agent:task.fail', 'agent:task.claim', 'agent:task.fail']);
    // The notice is a system message: it creates no task.
    expect(await tasksIn(maya, room)).toHaveLength(1);
  });

  it('an agent may give up without a retry', async () => {
    const { maya, bot, room } = await scene();
    const { task } = await assign(maya, room, bot.memberId);
    await claim(bot, task.id);
    const res = await bot.api.post(`/tasks/${task.id}/fail`, { reason: 'I cannot read spreadsheets.', retry: false });
    expect(res.body.task).toMatchObject({ status: 'failed', attempts: 1 });
    expect((await bot.api.post(`/tasks/${task.id}/heartbeat`)).body.error.code).toBe('task_not_running');
  });

  it("revoking the agent's token ends the task tokens it claimed with", async () => {
    const w = await createWorld(server.url);
    const bot = await w.agent();
    const channel = await w.channel(w.owner, { members: [bot.memberId] });
    const { task } = await assign(w.owner, channel, bot.memberId);
    const claimed = await claim(bot, task.id);
    expect((await claimed.api.get(`/channels/${channel}/messages`)).status).toBe(200);

    const tokens = await w.owner.api.get(`/agents/${bot.memberId}/tokens`);
    expect((await w.owner.api.delete(`/agents/${bot.memberId}/tokens/${tokens.body.tokens[0].id}`)).status).toBe(204);
    const after = await claimed.api.get(`/channels/${channel}/messages`);
    expect(after.status).toBe(401);
  });

  it('retiring the agent fails the tasks it still holds, queued or running, and says so in their channel', async () => {
    const { w, maya, bot, room } = await scene();
    const socket = await connect(maya.token, w.orgId);
    const running = await assign(maya, room, bot.memberId, 'Draft the release notes.');
    const queued = await assign(maya, room, bot.memberId, 'And the changelog.');
    const done = await assign(maya, room, bot.memberId, 'Say hello.');
    const claimed = await claim(bot, running.task.id);
    await finish(bot, done.task.id);

    const retired = await w.owner.api.patch(`/agents/${bot.memberId}`, { status: 'retired' });
    expect(retired.status).toBe(200);

    const byId = new Map((await tasksIn(maya, room)).map((t) => [t.task.id, t.task]));
    for (const id of [running.task.id, queued.task.id]) {
      expect(byId.get(id)).toMatchObject({ status: 'failed', failure_reason: 'the agent was retired', finished_at: expect.any(String) });
    }
    expect(byId.get(done.task.id)).toMatchObject({ status: 'done' });
    const history = (await maya.api.get(`/channels/${room}/messages`)).body.messages.filter((m: any) => m.kind === 'system').map((m: any) => m.body);
    expect(history).toEqual(
      expect.arrayContaining(['Task failed: Helper bot did not finish it after 1 attempt (the agent was retired).', 'Task failed: Helper bot never started it (the agent was retired).']),
    );
    expect((await claimed.api.get(`/channels/${room}/messages`)).status).toBe(401);
    for (const id of [running.task.id, queued.task.id]) {
      const event = await socket.until(() => socket.eventsOf(room, 'task.updated').find((e) => e.type === 'task.updated' && e.payload.task.id === id && e.payload.task.status === 'failed'));
      expect(event.actor_id).toBe(w.owner.memberId);
      expect(await auditActions(id)).toContain('human:task.fail');
    }
    expect((await verifyChain(server.ctx.db, w.orgId)).ok).toBe(true);
  });

  it("removing the agent from a channel fails the tasks it held there, and only there; so does its sponsor's leaving a private channel", async () => {
    const { w, maya, bot, room, other } = await scene();
    const inRoom = await assign(maya, room, bot.memberId, 'Draft the release notes.');
    const claimed = await claim(bot, inRoom.task.id);
    const queued = await assign(maya, room, bot.memberId, 'And the changelog.');
    const elsewhere = await assign(w.owner, other, bot.memberId, 'Sum up the salaries.');

    expect((await w.owner.api.delete(`/channels/${room}/members/${bot.memberId}`)).status).toBe(204);
    const byId = new Map((await tasksIn(maya, room)).map((t) => [t.task.id, t.task]));
    for (const id of [inRoom.task.id, queued.task.id]) {
      expect(byId.get(id)).toMatchObject({ status: 'failed', failure_reason: 'the agent was removed from the channel' });
      expect(await auditActions(id)).toContain('human:task.fail');
    }
    const notices = (await maya.api.get(`/channels/${room}/messages`)).body.messages.filter((m: any) => m.kind === 'system').map((m: any) => m.body);
    expect(notices).toEqual(expect.arrayContaining([expect.stringMatching(/never started it \(the agent was removed from the channel\)/)]));
    expect((await claimed.api.get(`/channels/${room}/messages`)).status).toBe(401);
    expect((await tasksIn(w.owner, other)).find((t) => t.task.id === elsewhere.task.id)?.task.status).toBe('queued');

    // Maya's own agent leaves the private channel with her, and its task there fails.
    const hers = await w.agent({ sponsor: maya });
    const secret = await w.channel(w.owner, { kind: 'private', members: [maya.memberId, hers.memberId] });
    const task = await assign(w.owner, secret, hers.memberId, 'Review the budget.');
    expect((await maya.api.post(`/channels/${secret}/leave`)).status).toBe(204);
    expect((await tasksIn(w.owner, secret)).find((t) => t.task.id === task.task.id)?.task).toMatchObject({ status: 'failed', failure_reason: 'its sponsor can no longer read the channel' });
    expect((await verifyChain(server.ctx.db, w.orgId)).ok).toBe(true);
  });

  it('archiving the channel fails the work it still waited for, and no other channel\'s', async () => {
    const { w, maya, bot, room, other } = await scene();
    const running = await assign(maya, room, bot.memberId, 'Draft the release notes.');
    const claimed = await claim(bot, running.task.id);
    const queued = await assign(maya, room, bot.memberId, 'And the changelog.');
    const elsewhere = await assign(w.owner, other, bot.memberId, 'Sum up the salaries.');

    expect((await w.owner.api.post(`/channels/${room}/archive`)).status).toBe(200);
    const byId = new Map((await tasksIn(maya, room)).map((t) => [t.task.id, t.task]));
    for (const id of [running.task.id, queued.task.id]) {
      expect(byId.get(id)).toMatchObject({ status: 'failed', failure_reason: 'the channel was archived' });
      expect(await auditActions(id)).toContain('human:task.fail');
    }
    expect((await claimed.api.get(`/channels/${room}/messages`)).status).toBe(401);
    expect((await tasksIn(w.owner, other)).find((t) => t.task.id === elsewhere.task.id)?.task.status).toBe('queued');
    // Unarchiving does not bring the work back: it is asked for again.
    expect((await w.owner.api.post(`/channels/${room}/unarchive`)).status).toBe(200);
    expect((await tasksIn(maya, room)).find((t) => t.task.id === queued.task.id)?.task.status).toBe('failed');
    expect((await verifyChain(server.ctx.db, w.orgId)).ok).toBe(true);
  });
});
