import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../server.js';
import { createWorld } from '../test/fixtures.js';
import { startTestServer } from '../test/server.js';
import { openSocket, type RecordingSocket } from '../test/sockets.js';
import { tasksIn } from '../test/tasks.js';

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

/** Who each task in the channel is for, sorted. */
async function assignees(as: { api: any }, channelId: string): Promise<string[]> {
  return (await tasksIn(as, channelId)).map((t) => t.task.agent_id as string).sort();
}

describe('tasks from mentions', () => {
  it('mentioning an agent creates a queued task in the channel, which reaches the agent on its socket', async () => {
    const w = await createWorld(server.url);
    const maya = await w.person('member', 'Maya');
    const bot = await w.agent();
    const channel = await w.channel(w.owner, { members: [maya.memberId, bot.memberId] });
    const socket = await connect(bot.token, w.orgId);

    const request = await w.post(maya, channel, `@${bot.handle} can you summarise the launch plan?`);
    const created = await socket.until(() => socket.eventsOf(channel, 'task.created')[0]);
    expect(created.type === 'task.created' && created.payload.task).toMatchObject({
      channel_id: channel,
      agent_id: bot.memberId,
      requester_id: maya.memberId,
      request_message_id: request.id,
      thread_root_id: request.id,
      origin: 'mention',
      status: 'queued',
      attempts: 0,
      max_attempts: 3,
      lease_expires_at: null,
      result_message_id: null,
      interventions: [],
    });
    // The task follows its request in the channel's order.
    const messageEvent = socket.eventsOf(channel, 'message.created').find((e) => e.type === 'message.created' && e.payload.message.id === request.id);
    expect(messageEvent && created.seq > messageEvent.seq).toBe(true);

    const listed = await tasksIn(maya, channel);
    expect(listed).toHaveLength(1);
    expect(listed[0].task).toEqual(created.type === 'task.created' ? created.payload.task : null);
    expect(listed[0].request).toMatchObject({ id: request.id, body: request.body });
    expect(listed[0].result).toBeNull();
    const one = await maya.api.get(`/tasks/${listed[0].task.id}`);
    expect(one.status).toBe(200);
    expect(one.body).toEqual(listed[0]);
  });

  it('@agents wakes every agent on duty in the channel; @channel and @here wake none', async () => {
    const w = await createWorld(server.url);
    const [a1, a2, outside, suspended, observer] = await Promise.all([w.agent(), w.agent(), w.agent(), w.agent(), w.agent()]);
    const channel = await w.channel(w.owner, { members: [a1.memberId, a2.memberId, suspended.memberId, observer.memberId] });
    await w.channel(w.owner, { members: [outside.memberId] });
    expect((await w.owner.api.patch(`/agents/${suspended.memberId}`, { status: 'suspended' })).status).toBe(200);
    expect((await w.owner.api.patch(`/channels/${channel}/members/${observer.memberId}`, { role: 'observer' })).status).toBe(204);

    await w.post(w.owner, channel, '@channel the deploy is at noon');
    await w.post(w.owner, channel, '@here anyone around?');
    expect(await tasksIn(w.owner, channel)).toEqual([]);

    const request = await w.post(w.owner, channel, '@agents please triage the open bugs');
    const tasks = await tasksIn(w.owner, channel);
    expect(tasks.map((t) => t.task.agent_id).sort()).toEqual([a1.memberId, a2.memberId].sort());
    expect(tasks.every((t) => t.task.request_message_id === request.id && t.task.origin === 'mention')).toBe(true);
  });

  it('an agent does not wake itself, but its mention of another agent is a request', async () => {
    const w = await createWorld(server.url);
    const [a1, a2] = await Promise.all([w.agent(), w.agent()]);
    const channel = await w.channel(w.owner, { members: [a1.memberId, a2.memberId] });

    await w.post(a1, channel, `Note to self @${a1.handle}: done.`);
    expect(await assignees(w.owner, channel)).toEqual([]);
    await w.post(a1, channel, '@agents who can check the numbers?');
    const tasks = await tasksIn(w.owner, channel);
    expect(tasks.map((t) => [t.task.agent_id, t.task.requester_id])).toEqual([[a2.memberId, a1.memberId]]);
  });

  it('wakes no agent that is not a member, whose sponsor is gone, or for a humans-only message', async () => {
    const w = await createWorld(server.url);
    const sponsor = await w.person('member', 'Sam');
    const [member, stranger, orphan] = await Promise.all([w.agent(), w.agent(), w.agent({ sponsor })]);
    const channel = await w.channel(w.owner, { members: [member.memberId, orphan.memberId] });
    expect((await w.owner.api.post(`/orgs/${w.orgId}/members/${sponsor.memberId}/deactivate`)).status).toBe(200);

    await w.post(w.owner, channel, `@${stranger.handle} and @${orphan.handle}, take a look`);
    await w.post(w.owner, channel, `@${member.handle} this is for people only`, { audience: 'humans' });
    expect(await assignees(w.owner, channel)).toEqual([]);
    await w.post(w.owner, channel, `@${member.handle} this one is for you`);
    expect(await assignees(w.owner, channel)).toEqual([member.memberId]);
  });

  it("a mention in a thread keeps the task in that thread, and a socket send creates tasks as REST does", async () => {
    const w = await createWorld(server.url);
    const bot = await w.agent();
    const channel = await w.channel(w.owner, { members: [bot.memberId] });
    const root = await w.post(w.owner, channel, 'Release checklist');
    const reply = await w.post(w.owner, channel, `@${bot.handle} fill in the dates`, { thread_root_id: root.id });

    const ownerSocket = await connect(w.owner.token, w.orgId);
    await ownerSocket.socket.send(channel, `@${bot.handle} and the owners`);
    await ownerSocket.until(() => ownerSocket.eventsOf(channel, 'task.created').length === 1);

    const tasks = await tasksIn(w.owner, channel);
    expect(tasks.map((t) => t.task.thread_root_id)).toEqual([expect.any(String), root.id]);
    expect(tasks[1].task.request_message_id).toBe(reply.id);
    expect(tasks[0].task.thread_root_id).toBe(tasks[0].task.request_message_id);
  });
});
