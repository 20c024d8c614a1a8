import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../server.js';
import { createWorld } from '../test/fixtures.js';
import { startTestServer } from '../test/server.js';
import { assign, finish, tasksIn } from '../test/tasks.js';

let server: RunningServer;
beforeAll(async () => {
  server = await startTestServer({ tasks: { leaseSeconds: 300, sweepSeconds: 0 } });
});
afterAll(() => server.close());

describe('reading tasks', () => {
  it("an agent's work history shows an org admin no message from a channel the admin cannot read", async () => {
    const w = await createWorld(server.url);
    const ada = await w.person('admin', 'Ada');
    const bot = await w.agent();
    const secret = await w.channel(w.owner, { kind: 'private', members: [bot.memberId] });
    const { task } = await assign(w.owner, secret, bot.memberId, 'Summarise the acquisition terms.');
    await finish(bot, task.id, 'They pay 40M.');
    expect((await w.owner.api.post(`/tasks/${task.id}/reject`, { reason: 'It is 45M.' })).status).toBe(200);

    const forAda = await ada.api.get(`/agents/${bot.memberId}/tasks`);
    expect(forAda.status).toBe(200);
    expect(forAda.body.tasks).toHaveLength(1);
    expect(forAda.body.tasks[0]).toMatchObject({ task: { id: task.id, status: 'rejected', interventions: [{ kind: 'reject', reason: null }] }, request: null, result: null });
    expect(JSON.stringify(forAda.body)).not.toMatch(/acquisition|40M|45M/);
    expect((await ada.api.get(`/tasks/${task.id}`)).body.error.code).toBe('task_not_found');
    // Stats name the channel, never its content.
    const stats = await ada.api.get(`/agents/${bot.memberId}/stats`);
    expect(stats.body.channels.map((c: any) => c.channel_id)).toEqual([secret]);

    // The agent, a member there, reads its own work in full; so does its sponsor, the owner, who is in the channel.
    for (const reader of [bot, w.owner]) {
      const own = (await reader.api.get(`/agents/${bot.memberId}/tasks`)).body.tasks[0];
      expect(own.request.body).toBe('Summarise the acquisition terms.');
      expect(own.result.body).toBe('They pay 40M.');
      expect(own.task.interventions[0].reason).toBe('It is 45M.');
    }
  });

  it("a member who joined later with since_join history sees the channel's older tasks without their messages", async () => {
    const w = await createWorld(server.url);
    const lee = await w.person('member', 'Lee');
    const bot = await w.agent();
    const room = await w.channel(w.owner, { kind: 'private', members: [bot.memberId], history_for_new_members: 'since_join' });
    const { task } = await assign(w.owner, room, bot.memberId, 'Before Lee came.');
    expect((await w.owner.api.post(`/channels/${room}/members`, { member_id: lee.memberId })).status).toBe(201);
    const after = await assign(w.owner, room, bot.memberId, 'After Lee came.');

    const seen = await tasksIn(lee, room);
    expect(seen.map((t) => [t.task.id, t.request?.body ?? null])).toEqual([
      [after.task.id, 'After Lee came.'],
      [task.id, null],
    ]);
  });

  it('lists filter by status, channel and time', async () => {
    const w = await createWorld(server.url);
    const bot = await w.agent();
    const [a, b] = await Promise.all([w.channel(w.owner, { members: [bot.memberId] }), w.channel(w.owner, { members: [bot.memberId] })]);
    const first = await assign(w.owner, a, bot.memberId, 'One');
    await finish(bot, first.task.id);
    const second = await assign(w.owner, a, bot.memberId, 'Two');
    const third = await assign(w.owner, b, bot.memberId, 'Three');

    expect((await tasksIn(w.owner, a, '?status=queued')).map((t) => t.task.id)).toEqual([second.task.id]);
    expect((await tasksIn(w.owner, a, '?status=done')).map((t) => t.task.id)).toEqual([first.task.id]);
    const all = (await w.owner.api.get(`/agents/${bot.memberId}/tasks`)).body.tasks.map((t: any) => t.task.id);
    expect(all).toEqual([third.task.id, second.task.id, first.task.id]);
    const inB = (await w.owner.api.get(`/agents/${bot.memberId}/tasks?channel_id=${b}`)).body.tasks.map((t: any) => t.task.id);
    expect(inB).toEqual([third.task.id]);
    const older = (await w.owner.api.get(`/agents/${bot.memberId}/tasks?before=${encodeURIComponent(second.task.created_at)}&limit=5`)).body.tasks.map((t: any) => t.task.id);
    expect(older).toEqual([first.task.id]);
  });
});
