import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../server.js';
import { Api } from '../test/client.js';
import { age, auditOf, issueTaskToken, writeMessage } from '../test/context-fixtures.js';
import { createWorld, type Agent, type Person } from '../test/fixtures.js';
import { startTestServer } from '../test/server.js';

/** The context rules people set, on every way an agent reads over REST: history, threads, one message, the context bundle. */

let server: RunningServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

type Reader = Person | Agent | { api: Api };

async function history(who: Reader, channelId: string): Promise<string[]> {
  const res = await who.api.get(`/channels/${channelId}/messages`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.messages.map((m: any) => m.body);
}

async function thread(who: Reader, rootId: string): Promise<string[] | number> {
  const res = await who.api.get(`/messages/${rootId}/thread`);
  return res.status === 200 ? res.body.messages.map((m: any) => m.body) : res.status;
}

async function context(who: Reader, channelId: string): Promise<{ history: string[]; thread: string[] | null; root: string | null }> {
  const res = await who.api.get(`/channels/${channelId}/context`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return {
    history: res.body.history.items.map((m: any) => m.body),
    thread: res.body.thread ? res.body.thread.items.map((m: any) => m.body) : null,
    root: res.body.thread?.root?.body ?? null,
  };
}

const statusOf = async (who: Reader, path: string) => (await who.api.get(path)).status;

describe('audience: humans', () => {
  it('keeps a message from agents on every read path, while people see it with the mark', async () => {
    const w = await createWorld(server.url);
    const pat = await w.person('member', 'Pat');
    const bot = await w.agent();
    const channelId = await w.channel(w.owner, { members: [pat.memberId, bot.memberId] });
    const root = await w.post(w.owner, channelId, 'Release plan');
    const secret = await writeMessage(server, { channelId, authorId: pat.memberId, body: 'Salaries are in the sheet', audience: 'humans' });
    await w.post(pat, channelId, 'Ship on Friday', { thread_root_id: root.id });
    const aside = await writeMessage(server, { channelId, authorId: w.owner.memberId, body: 'Between us: the client is late', audience: 'humans', threadRootId: root.id });
    const task = await issueTaskToken(server, { orgId: w.orgId, channelId, agentId: bot.memberId, requesterId: pat.memberId, requestMessageId: root.id });
    const taskApi = { api: new Api(server.url, task.token) };

    for (const agent of [bot, taskApi]) {
      expect(await history(agent, channelId)).toEqual(['Release plan']);
      expect(await thread(agent, root.id)).toEqual(['Ship on Friday']);
      expect(await statusOf(agent, `/messages/${secret.id}`)).toBe(404);
      expect(await statusOf(agent, `/messages/${aside.id}`)).toBe(404);
      expect(await statusOf(agent, `/messages/${secret.id}/thread`)).toBe(404);
    }
    expect(await context(taskApi, channelId)).toEqual({ history: [], thread: ['Ship on Friday'], root: 'Release plan' });
    expect((await context(bot, channelId)).history).toEqual(['Release plan']);

    // Pins go through the same read path: the hidden message's pin is not listed, served or pinnable by agents.
    for (const id of [root.id, secret.id]) expect((await w.owner.api.put(`/messages/${id}/pin`)).status).toBe(201);
    for (const agent of [bot, taskApi]) {
      expect((await agent.api.get(`/channels/${channelId}/pins`)).body.pins.map((p: any) => p.message.body)).toEqual(['Release plan']);
      expect((await agent.api.put(`/messages/${secret.id}/pin`)).status).toBe(404);
      expect((await agent.api.delete(`/messages/${secret.id}/pin`)).status).toBe(404);
    }
    const bundle = (await bot.api.get(`/channels/${channelId}/context`)).body;
    expect(bundle.pins.items.map((m: any) => m.body)).toEqual(['Release plan']);
    expect((await pat.api.get(`/channels/${channelId}/pins`)).body.pins.map((p: any) => p.message.body)).toEqual(['Salaries are in the sheet', 'Release plan']);

    // People read it all, marked.
    const seen = await pat.api.get(`/channels/${channelId}/messages`);
    expect(seen.body.messages.map((m: any) => [m.body, m.audience])).toEqual([['Release plan', 'all'], ['Salaries are in the sheet', 'humans']]);
    expect((await pat.api.get(`/messages/${aside.id}`)).body.message).toMatchObject({ body: 'Between us: the client is late', audience: 'humans' });
    expect(await thread(pat, root.id)).toEqual(['Ship on Friday', 'Between us: the client is late']);
    // And an agent cannot react to what it cannot see.
    expect((await bot.api.put(`/messages/${secret.id}/reactions/eyes`)).status).toBe(404);
  });

  it('records each agent read of history and threads with exactly the ids served', async () => {
    const w = await createWorld(server.url);
    const bot = await w.agent();
    const channelId = await w.channel(w.owner, { members: [bot.memberId] });
    const root = await w.post(w.owner, channelId, 'Root');
    await writeMessage(server, { channelId, authorId: w.owner.memberId, body: 'people only', audience: 'humans' });
    const reply = await w.post(w.owner, channelId, 'A reply', { thread_root_id: root.id });
    await writeMessage(server, { channelId, authorId: w.owner.memberId, body: 'people only reply', audience: 'humans', threadRootId: root.id });

    await history(bot, channelId);
    await thread(bot, root.id);
    await history(w.owner, channelId); // people's reads are not agent reads
    const events = await auditOf(server, w.orgId, 'agent.messages.read');
    expect(events.map((e) => ({ actor: e.actor_id, channel: e.channel_id, items: e.items }))).toEqual([
      { actor: bot.memberId, channel: channelId, items: [root.id] },
      { actor: bot.memberId, channel: channelId, items: [root.id, reply.id] },
    ]);
  });
});

describe('agent_access: mentions_only', () => {
  it('shows an agent only what mentions it, its own messages and its tasks\' threads, until people open the channel to it', async () => {
    const w = await createWorld(server.url);
    const pat = await w.person('member', 'Pat');
    const bot = await w.agent();
    const channelId = await w.channel(w.owner, { members: [pat.memberId, bot.memberId], agent_access: 'mentions_only' });
    await w.post(w.owner, channelId, 'general chatter');
    await w.post(pat, channelId, `@${bot.handle} please summarise the week`);
    await w.post(w.owner, channelId, '@agents standup in five');
    await w.post(bot, channelId, 'my own note');
    const taskRoot = await w.post(pat, channelId, 'Release notes need writing');
    await w.post(w.owner, channelId, 'the draft is in the doc', { thread_root_id: taskRoot.id });
    const other = await w.post(pat, channelId, 'unrelated thread');
    await w.post(w.owner, channelId, 'unrelated reply', { thread_root_id: other.id });
    await issueTaskToken(server, { orgId: w.orgId, channelId, agentId: bot.memberId, requesterId: pat.memberId, requestMessageId: taskRoot.id });

    const concerningBot = [`@${bot.handle} please summarise the week`, '@agents standup in five', 'my own note', 'Release notes need writing'];
    expect(await history(bot, channelId)).toEqual(concerningBot);
    expect(await thread(bot, taskRoot.id)).toEqual(['the draft is in the doc']);
    expect(await thread(bot, other.id)).toBe(404);
    expect((await context(bot, channelId)).history).toEqual(concerningBot);
    expect(await history(pat, channelId)).toHaveLength(6);

    // The rule is read at every read: opening the channel opens its history from the next read on.
    expect((await w.owner.api.patch(`/channels/${channelId}`, { agent_access: 'full' })).body.channel.settings.agent_access).toBe('full');
    expect(await history(bot, channelId)).toHaveLength(6);
    expect(await thread(bot, other.id)).toEqual(['unrelated reply']);
  });
});

describe('agent_history_days', () => {
  it('bounds how far back agents read, not people, and changes with the setting', async () => {
    const w = await createWorld(server.url);
    const bot = await w.agent();
    const channelId = await w.channel(w.owner, { members: [bot.memberId] });
    const old = await w.post(w.owner, channelId, 'last month');
    const older = await w.post(w.owner, channelId, 'last quarter');
    await w.post(w.owner, channelId, 'today');
    await age(server, [old.id], 30);
    await age(server, [older.id], 90);

    expect(await history(bot, channelId)).toEqual(['last month', 'last quarter', 'today']);
    expect((await w.owner.api.patch(`/channels/${channelId}`, { agent_history_days: 60 })).body.channel.settings.agent_history_days).toBe(60);
    expect(await history(bot, channelId)).toEqual(['last month', 'today']);
    await w.owner.api.patch(`/channels/${channelId}`, { agent_history_days: 7 });
    expect(await history(bot, channelId)).toEqual(['today']);
    expect(await statusOf(bot, `/messages/${old.id}`)).toBe(404);
    expect((await context(bot, channelId)).history).toEqual(['today']);
    expect(await history(w.owner, channelId)).toEqual(['last month', 'last quarter', 'today']);

    await w.owner.api.patch(`/channels/${channelId}`, { agent_history_days: null });
    expect(await history(bot, channelId)).toEqual(['last month', 'last quarter', 'today']);
  });

  it('accepts whole days from 1 to 36500, or null', async () => {
    const w = await createWorld(server.url);
    const channelId = await w.channel(w.owner, { agent_history_days: 1 });
    for (const bad of [0, 36501, 1.5, 'a week', -3, false]) {
      const res = await w.owner.api.patch(`/channels/${channelId}`, { agent_history_days: bad });
      expect(res.status, String(bad)).toBe(400);
    }
    expect((await w.owner.api.patch(`/channels/${channelId}`, { agent_history_days: 36500 })).status).toBe(200);
    const created = await w.owner.api.post(`/orgs/${w.orgId}/channels`, { name: 'bounded', agent_history_days: 0 });
    expect(created.status).toBe(400);
  });
});

describe('history_for_new_members: since_join', () => {
  it('applies to agents: an agent added later reads nothing from before', async () => {
    const w = await createWorld(server.url);
    const bot = await w.agent();
    const channelId = await w.channel(w.owner, { history_for_new_members: 'since_join' });
    const before = await w.post(w.owner, channelId, 'before the bot');
    expect((await w.owner.api.post(`/channels/${channelId}/members`, { member_id: bot.memberId })).status).toBe(201);
    const after = await w.post(w.owner, channelId, 'after the bot');
    const task = await issueTaskToken(server, { orgId: w.orgId, channelId, agentId: bot.memberId, requesterId: w.owner.memberId, requestMessageId: after.id });
    const taskApi = { api: new Api(server.url, task.token) };

    expect(await history(bot, channelId)).toEqual(['after the bot']);
    expect(await statusOf(bot, `/messages/${before.id}`)).toBe(404);
    expect(await context(taskApi, channelId)).toEqual({ history: [], thread: [], root: 'after the bot' });
    expect((await context(bot, channelId)).history).toEqual(['after the bot']);
  });
});

describe('reasoning_visibility', () => {
  it('decides who sees an agent\'s intermediate steps; other agents only when the channel allows it', async () => {
    const w = await createWorld(server.url);
    const [sam, carol, mo, pat, ada] = [
      await w.person('member', 'Sam'),
      await w.person('member', 'Carol'),
      await w.person('member', 'Mo'),
      await w.person('member', 'Pat'),
      await w.person('admin', 'Ada'),
    ];
    const worker = await w.agent({ sponsor: sam });
    const peer = await w.agent();
    const channelId = await w.channel(carol, { members: [sam.memberId, mo.memberId, pat.memberId, worker.memberId, peer.memberId] });
    expect((await carol.api.patch(`/channels/${channelId}/members/${mo.memberId}`, { role: 'moderator' })).status).toBe(204);
    const root = await w.post(pat, channelId, 'Why is the build slow?');
    await w.post(worker, channelId, 'Looking into it.', { thread_root_id: root.id });
    const step = await writeMessage(server, { channelId, authorId: worker.memberId, body: 'thinking: check the cache', kind: 'agent_reasoning', threadRootId: root.id });
    await writeMessage(server, { channelId, authorId: worker.memberId, body: 'tool: ran the profiler', kind: 'agent_tool', threadRootId: root.id });
    await issueTaskToken(server, { orgId: w.orgId, channelId, agentId: peer.memberId, requesterId: pat.memberId, requestMessageId: root.id });

    const readers = { pat, sam, carol, mo, ada, worker, peer };
    const whoSeesSteps = async () => {
      const seen: Record<string, boolean> = {};
      for (const [name, reader] of Object.entries(readers)) {
        const replies = await thread(reader, root.id);
        expect(Array.isArray(replies), name).toBe(true);
        const steps = (replies as string[]).filter((b) => b.startsWith('thinking') || b.startsWith('tool'));
        expect(steps.length === 0 || steps.length === 2, name).toBe(true);
        seen[name] = steps.length === 2;
      }
      return seen;
    };
    const set = async (settings: object) => {
      expect((await carol.api.patch(`/channels/${channelId}`, settings)).status).toBe(200);
    };

    expect(await whoSeesSteps()).toEqual({ pat: true, sam: true, carol: true, mo: true, ada: true, worker: true, peer: false });
    await set({ reasoning_visibility: 'moderators' });
    expect(await whoSeesSteps()).toEqual({ pat: false, sam: true, carol: true, mo: true, ada: true, worker: true, peer: false });
    await set({ reasoning_visibility: 'sponsor_only' });
    expect(await whoSeesSteps()).toEqual({ pat: false, sam: true, carol: false, mo: false, ada: true, worker: true, peer: false });
    expect(await statusOf(pat, `/messages/${step.id}`)).toBe(404);
    expect(await statusOf(sam, `/messages/${step.id}`)).toBe(200);

    // Another agent is served the steps as context only when the channel allows it.
    expect((await context(peer, channelId)).thread).toBeNull();
    const peerTask = (await server.ctx.db.selectFrom('tasks').select('id').where('agent_id', '=', peer.memberId).executeTakeFirstOrThrow()).id;
    const peerContext = async () => (await peer.api.get(`/channels/${channelId}/context?task_id=${peerTask}`)).body.thread.items.map((m: any) => m.body);
    expect(await peerContext()).toEqual(['Looking into it.']);
    await set({ reasoning_visibility: 'members', agents_see_reasoning: true });
    expect(await peerContext()).toEqual(['Looking into it.', 'thinking: check the cache', 'tool: ran the profiler']);
    expect(await whoSeesSteps()).toEqual({ pat: true, sam: true, carol: true, mo: true, ada: true, worker: true, peer: true });
    const settings = (await carol.api.get(`/channels/${channelId}`)).body.channel.settings;
    expect(settings).toMatchObject({ agent_access: 'full', agent_history_days: null, reasoning_visibility: 'members', agents_see_reasoning: true });
  });
});
