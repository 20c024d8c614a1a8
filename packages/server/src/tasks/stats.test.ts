import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../server.js';
import { createWorld, type Agent, type World } from '../test/fixtures.js';
import { startTestServer } from '../test/server.js';
import { assign, claim, finish } from '../test/tasks.js';

let server: RunningServer;
beforeAll(async () => {
  server = await startTestServer({ tasks: { leaseSeconds: 300, sweepSeconds: 0 } });
});
afterAll(() => server.close());

const dayMs = 86_400_000;
const todayUtc = Math.floor(Date.now() / dayMs) * dayMs;
/** Noon (UTC) `n` days ago, and its date. */
const noon = (n: number) => new Date(todayUtc - n * dayMs + dayMs / 2);
const dateOf = (d: Date) => d.toISOString().slice(0, 10);

/** Moves a task in time: created at `created`, finished `seconds` later. */
async function backdate(taskId: string, created: Date, seconds: number | null = null): Promise<void> {
  await server.ctx.db
    .updateTable('tasks')
    .set({ created_at: created, ...(seconds === null ? {} : { finished_at: new Date(created.getTime() + seconds * 1000) }) })
    .where('id', '=', taskId)
    .execute();
}

async function newTask(w: World, channelId: string, agent: Agent): Promise<string> {
  return (await assign(w.owner, channelId, agent.memberId)).task.id as string;
}

/**
 * A known history. The agent `bot`, in #a: t1–t4 done in 10, 20, 30 and 100 s (t1 and t3 corrected
 * by a person, t2 redone once then done again), t5 failed; in #b: t6 done in 40 s then rejected, t7
 * queued; t8 done in #a 40 days ago. The agent `bot2`, in #b: u1 done then rejected. All the
 * interventions were made two days ago. Ratings (by the owner, who asked for everything): t1 4 and t4 5,
 * given two days ago; t6 1, yesterday; t8 3, 40 days ago.
 */
async function history() {
  const w = await createWorld(server.url);
  const [bot, bot2] = await Promise.all([w.agent(), w.agent()]);
  const a = await w.channel(w.owner, { members: [bot.memberId] });
  const b = await w.channel(w.owner, { members: [bot.memberId, bot2.memberId] });

  const ids: Record<string, string> = {};
  for (const name of ['t1', 't2', 't3', 't4', 't5', 't8']) ids[name] = await newTask(w, a, bot);
  for (const name of ['t6', 't7']) ids[name] = await newTask(w, b, bot);
  ids.u1 = await newTask(w, b, bot2);
  const id = (name: string) => ids[name] as string;

  for (const name of ['t1', 't2', 't3', 't4', 't6', 't8']) await finish(bot, id(name));
  await finish(bot2, id('u1'));
  await claim(bot, id('t5'));
  expect((await bot.api.post(`/tasks/${id('t5')}/fail`, { reason: 'No access.', retry: false })).status).toBe(200);

  const ok = (res: { status: number }) => {
    expect(res.status).toBe(200);
  };
  ok(await w.owner.api.put(`/tasks/${id('t1')}/result`, { body: 'Corrected.' }));
  ok(await w.owner.api.put(`/tasks/${id('t3')}/result`, { body: 'Corrected too.' }));
  ok(await w.owner.api.post(`/tasks/${id('t2')}/redo`, { reason: 'More detail.' }));
  await finish(bot, id('t2'));
  ok(await w.owner.api.post(`/tasks/${id('t6')}/reject`, { reason: 'Wrong.' }));
  ok(await w.owner.api.post(`/tasks/${id('u1')}/reject`, { reason: 'Wrong too.' }));
  for (const [name, score] of [['t1', 4], ['t4', 5], ['t6', 1], ['t8', 3]] as const) ok(await w.owner.api.put(`/tasks/${id(name)}/rating`, { score }));

  const twoDaysAgo = noon(2);
  const yesterday = noon(1);
  for (const [name, seconds] of [['t1', 10], ['t2', 20], ['t3', 30], ['t4', 100], ['t5', null]] as const) await backdate(id(name), twoDaysAgo, seconds);
  await backdate(id('t6'), yesterday, 40);
  await backdate(id('t7'), yesterday);
  await backdate(id('u1'), yesterday, 1);
  await backdate(id('t8'), new Date(Date.now() - 40 * dayMs), 5);
  await server.ctx.db.updateTable('task_interventions').set({ created_at: new Date(twoDaysAgo.getTime() + 3_600_000) }).where('task_id', 'in', Object.values(ids)).execute();
  const rated = async (names: string[], at: Date) => server.ctx.db.updateTable('task_ratings').set({ updated_at: at }).where('task_id', 'in', names.map(id)).execute();
  await rated(['t1', 't4'], new Date(twoDaysAgo.getTime() + 3_600_000));
  await rated(['t6'], yesterday);
  await rated(['t8'], new Date(Date.now() - 40 * dayMs));
  return { w, bot, bot2, a, b, twoDaysAgo, yesterday };
}

describe('agent work history and org insights', () => {
  it("computes an agent's figures in total, per channel and per day", async () => {
    const { w, bot, a, b, twoDaysAgo, yesterday } = await history();
    const res = await w.owner.api.get(`/agents/${bot.memberId}/stats`);
    expect(res.status).toBe(200);
    const stats = res.body;
    expect(stats.window.days).toBe(30);
    expect(stats.totals).toEqual({
      tasks: 7,
      by_status: { queued: 1, running: 0, done: 4, failed: 1, rejected: 1 },
      // done or rejected: 10, 20, 30, 40, 100 s
      time_to_done: { median_seconds: 30, p90_seconds: expect.closeTo(76, 6) },
      delivered: 5,
      rejection_rate: 0.2,
      redo_rate: 0.2,
      interventions: { reject: 1, redo: 1, edit: 2 },
      rating: { average: 3.33, count: 3 },
    });
    expect(stats.channels).toEqual([
      {
        channel_id: a,
        tasks: 5,
        by_status: { queued: 0, running: 0, done: 4, failed: 1, rejected: 0 },
        time_to_done: { median_seconds: 25, p90_seconds: expect.closeTo(79, 6) },
        delivered: 4,
        rejection_rate: 0,
        redo_rate: 0.25,
        interventions: { reject: 0, redo: 1, edit: 2 },
        rating: { average: 4.5, count: 2 },
      },
      {
        channel_id: b,
        tasks: 2,
        by_status: { queued: 1, running: 0, done: 0, failed: 0, rejected: 1 },
        time_to_done: { median_seconds: 40, p90_seconds: 40 },
        delivered: 1,
        rejection_rate: 1,
        redo_rate: 0,
        interventions: { reject: 1, redo: 0, edit: 0 },
        rating: { average: 1, count: 1 },
      },
    ]);
    expect(stats.days).toEqual([
      { day: dateOf(twoDaysAgo), created: 5, done: 4, failed: 1, rejected: 0, interventions: 4, rating: { average: 4.5, count: 2 } },
      { day: dateOf(yesterday), created: 2, done: 0, failed: 0, rejected: 1, interventions: 0, rating: { average: 1, count: 1 } },
    ]);

    // A wider window takes in the task from 40 days ago.
    const wide = (await w.owner.api.get(`/agents/${bot.memberId}/stats?days=60`)).body;
    expect(wide.totals).toMatchObject({ tasks: 8, delivered: 6, by_status: { done: 5 } });
    expect(wide.totals.time_to_done.median_seconds).toBe(25);
    expect(wide.totals.rating).toEqual({ average: 3.25, count: 4 });
  });

  it('an agent with no work has empty figures', async () => {
    const w = await createWorld(server.url);
    const idle = await w.agent();
    const stats = (await idle.api.get(`/agents/${idle.memberId}/stats`)).body;
    expect(stats.totals).toEqual({
      tasks: 0,
      by_status: { queued: 0, running: 0, done: 0, failed: 0, rejected: 0 },
      time_to_done: { median_seconds: null, p90_seconds: null },
      delivered: 0,
      rejection_rate: null,
      redo_rate: null,
      interventions: { reject: 0, redo: 0, edit: 0 },
      rating: { average: null, count: 0 },
    });
    expect(stats.channels).toEqual([]);
    expect(stats.days).toEqual([]);
  });

  it('shows org admins where people intervene most, by channel and by agent, and the most-rejected agents', async () => {
    const { w, bot, bot2, a, b } = await history();
    const res = await w.owner.api.get(`/orgs/${w.orgId}/insights/interventions`);
    expect(res.status).toBe(200);
    expect(res.body.by_channel).toEqual([
      { channel_id: a, interventions: 3, reject: 0, redo: 1, edit: 2 },
      { channel_id: b, interventions: 2, reject: 2, redo: 0, edit: 0 },
    ]);
    expect(res.body.by_agent).toEqual([
      { agent_id: bot.memberId, interventions: 4, reject: 1, redo: 1, edit: 2 },
      { agent_id: bot2.memberId, interventions: 1, reject: 1, redo: 0, edit: 0 },
    ]);
    // One rejected task each: the one with the higher rate first.
    expect(res.body.most_rejected).toEqual([
      { agent_id: bot2.memberId, rejected_tasks: 1, delivered: 1, rejection_rate: 1 },
      { agent_id: bot.memberId, rejected_tasks: 1, delivered: 5, rejection_rate: 0.2 },
    ]);
    // Interventions older than the window are left out.
    expect((await w.owner.api.get(`/orgs/${w.orgId}/insights/interventions?days=1`)).body.by_agent).toEqual([]);
  });
});
