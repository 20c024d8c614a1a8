import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../server.js';
import { Api } from '../test/client.js';
import { auditOf, issueTaskToken } from '../test/context-fixtures.js';
import { createWorld } from '../test/fixtures.js';
import { startTestServer } from '../test/server.js';

let server: RunningServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

const bodies = (items: { body: string }[]) => items.map((m) => m.body);

/** A channel where Pat asked for help in a thread, with chatter around it, and a task for the bot about that thread. */
async function taskAtHand() {
  const w = await createWorld(server.url);
  const pat = await w.person('member', 'Pat');
  const bot = await w.agent();
  const channelId = await w.channel(w.owner, { members: [pat.memberId, bot.memberId] });
  await w.post(w.owner, channelId, 'morning all');
  const root = await w.post(pat, channelId, 'The deploy failed, can someone look?');
  const r1 = await w.post(w.owner, channelId, 'It fails at the migration step.', { thread_root_id: root.id });
  await w.post(pat, channelId, 'lunch at noon?');
  const r2 = await w.post(pat, channelId, 'Logs are in the runbook.', { thread_root_id: root.id });
  const task = await issueTaskToken(server, { orgId: w.orgId, channelId, agentId: bot.memberId, requesterId: pat.memberId, requestMessageId: root.id });
  return { w, pat, bot, channelId, root, r1, r2, task, taskApi: new Api(server.url, task.token) };
}

describe('the context bundle', () => {
  it('gives a task token its task, the thread and recent history, authors marked, every item cited by id and audited', async () => {
    const { w, pat, bot, channelId, root, r1, r2, task, taskApi } = await taskAtHand();
    const own = await w.post(bot, channelId, 'On it.', { thread_root_id: root.id });

    const res = await taskApi.get(`/channels/${channelId}/context`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const bundle = res.body;
    expect(bundle.channel.id).toBe(channelId);
    expect(bundle.task).toMatchObject({ id: task.taskId, status: 'running', request_message_id: root.id, thread_root_id: root.id, requester_id: pat.memberId });
    expect(bundle.thread.root).toMatchObject({ type: 'message', id: root.id, body: 'The deploy failed, can someone look?', author: { id: pat.memberId, kind: 'human' } });
    expect(bundle.thread.items.map((m: any) => m.id)).toEqual([r1.id, r2.id, own.id]);
    expect(bundle.thread.items[2].author).toMatchObject({ id: bot.memberId, kind: 'agent' });
    // The thread's root is in the thread, not repeated in the history.
    expect(bodies(bundle.history.items)).toEqual(['morning all', 'lunch at noon?']);
    expect(bundle.history.truncated).toBe(false);
    expect(bundle.thread.truncated).toBe(false);
    expect({ guide: bundle.guide, pins: bundle.pins, docs: bundle.docs, experience: bundle.experience }).toEqual({
      guide: null,
      pins: { items: [], truncated: false },
      docs: { items: [], truncated: false },
      experience: [],
    });
    const served = [bundle.thread.root, ...bundle.thread.items, ...bundle.history.items];
    expect(bundle.budget).toEqual({ max_messages: 50, max_chars: 20_000, messages: 6, chars: served.reduce((n: number, m: { body: string }) => n + m.body.length, 0) });

    const [event, ...more] = await auditOf(server, w.orgId, 'agent.context.read');
    expect(more).toEqual([]);
    expect(event).toMatchObject({ actor_id: bot.memberId, actor_kind: 'agent', channel_id: channelId, decision: 'allow', details: expect.objectContaining({ task_id: task.taskId }) });
    expect(event?.items).toEqual(served.map((m: any) => m.id));
  });

  it('serves an agent token the recent history, and its own task on request; nobody else\'s', async () => {
    const { w, bot, channelId, root, task } = await taskAtHand();
    const plain = await bot.api.get(`/channels/${channelId}/context`);
    expect(plain.status).toBe(200);
    expect(plain.body.task).toBeNull();
    expect(plain.body.thread).toBeNull();
    expect(bodies(plain.body.history.items)).toEqual(['morning all', 'The deploy failed, can someone look?', 'lunch at noon?']);

    const withTask = await bot.api.get(`/channels/${channelId}/context?task_id=${task.taskId}`);
    expect(withTask.body.thread.root.id).toBe(root.id);

    const other = await w.agent();
    expect((await w.owner.api.post(`/channels/${channelId}/members`, { member_id: other.memberId })).status).toBe(201);
    const notTheirs = await other.api.get(`/channels/${channelId}/context?task_id=${task.taskId}`);
    expect(notTheirs.status).toBe(404);
    expect(notTheirs.body.error.code).toBe('task_not_found');

    // A task token is good for its own task only, even another of the same agent's.
    const another = await w.post(w.owner, channelId, 'And the changelog, please.');
    const second = await issueTaskToken(server, { orgId: w.orgId, channelId, agentId: bot.memberId, requesterId: w.owner.memberId, requestMessageId: another.id });
    expect((await new Api(server.url, second.token).get(`/channels/${channelId}/context?task_id=${task.taskId}`)).status).toBe(404);
    expect((await new Api(server.url, second.token).get(`/channels/${channelId}/context?task_id=${second.taskId}`)).status).toBe(200);
  });

  it('stays within the message count and the character budget, the task\'s thread first', async () => {
    const { channelId, r2, taskApi } = await taskAtHand();
    const byCount = await taskApi.get(`/channels/${channelId}/context?limit=3`);
    expect(byCount.body.thread.root).not.toBeNull();
    expect(bodies(byCount.body.thread.items)).toEqual(['It fails at the migration step.', 'Logs are in the runbook.']);
    expect(byCount.body.history).toEqual({ items: [], truncated: true });
    expect(byCount.body.budget).toMatchObject({ max_messages: 3, messages: 3 });

    // The root (36 characters) and the latest reply (24) fit in 70; the older reply (31) does not, nor anything after it.
    const byChars = await taskApi.get(`/channels/${channelId}/context?max_chars=70`);
    expect(byChars.body.thread.root.body).toBe('The deploy failed, can someone look?');
    expect(byChars.body.thread.items.map((m: any) => m.id)).toEqual([r2.id]);
    expect(byChars.body.thread.truncated).toBe(true);
    expect(byChars.body.history.items).toEqual([]);
    expect(byChars.body.budget).toEqual({ max_messages: 50, max_chars: 70, messages: 2, chars: 60 });

    for (const query of ['limit=0', 'limit=201', 'max_chars=0', 'max_chars=200001', 'task_id=nope']) {
      expect((await taskApi.get(`/channels/${channelId}/context?${query}`)).status, query).toBe(400);
    }
  });

  it('confines a task token to its channel, and audits the refusal with the rule that refused', async () => {
    const { w, bot, taskApi } = await taskAtHand();
    const elsewhere = await w.channel(w.owner, { members: [bot.memberId] });
    await w.post(w.owner, elsewhere, 'not for this task');
    const res = await taskApi.get(`/channels/${elsewhere}/context`);
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('channel_not_found');
    // The agent's own token reads there.
    expect((await bot.api.get(`/channels/${elsewhere}/context`)).status).toBe(200);

    const events = await auditOf(server, w.orgId, 'agent.context.read');
    expect(events.map((e) => ({ decision: e.decision, reason: e.reason, target: e.target_id, items: e.items.length }))).toEqual([
      { decision: 'deny', reason: 'channel_not_found', target: elsewhere, items: 0 },
      { decision: 'allow', reason: null, target: elsewhere, items: 1 },
    ]);
  });

  it('is for agents: people are refused, and so is a token without context:read', async () => {
    const { w, pat, channelId } = await taskAtHand();
    const person = await pat.api.get(`/channels/${channelId}/context`);
    expect(person.status).toBe(403);
    expect(person.body.error.code).toBe('agents_only');
    const reader = await w.agent({ scopes: ['messages:read'] });
    expect((await w.owner.api.post(`/channels/${channelId}/members`, { member_id: reader.memberId })).status).toBe(201);
    const scoped = await reader.api.get(`/channels/${channelId}/context`);
    expect(scoped.status).toBe(403);
    expect(scoped.body.error.code).toBe('insufficient_scope');
  });

  it('leaves out deleted messages, which have no content left to serve', async () => {
    const { w, channelId, taskApi } = await taskAtHand();
    const gone = await w.post(w.owner, channelId, 'wrong channel, sorry');
    expect((await w.owner.api.delete(`/messages/${gone.id}`)).status).toBe(200);
    const res = await taskApi.get(`/channels/${channelId}/context`);
    expect(bodies(res.body.history.items)).toEqual(['morning all', 'lunch at noon?']);
  });
});
