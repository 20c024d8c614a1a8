import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChannelEventOf } from '@chorus/protocol/events';
import { verifyChain } from '../audit/chain.js';
import type { RunningServer } from '../server.js';
import { createWorld } from '../test/fixtures.js';
import { startTestServer } from '../test/server.js';
import { openSocket, type RecordingSocket } from '../test/sockets.js';
import { assign, claim, finish } from '../test/tasks.js';

let server: RunningServer;
const sockets: RecordingSocket[] = [];
beforeAll(async () => {
  server = await startTestServer({ tasks: { leaseSeconds: 300, sweepSeconds: 0 } });
});
afterAll(async () => {
  for (const s of sockets) s.close();
  await server.close();
});

/** Maya asked the agent for a summary in the private #room and it delivered; Lee reads the room, Mo moderates it, Olga is not in it. */
async function delivered() {
  const w = await createWorld(server.url);
  const [maya, lee, mo, olga] = await Promise.all([w.person('member', 'Maya'), w.person('member', 'Lee'), w.person('member', 'Mo'), w.person('member', 'Olga')]);
  const bot = await w.agent();
  const room = await w.channel(w.owner, { kind: 'private', members: [maya.memberId, lee.memberId, mo.memberId, bot.memberId] });
  expect((await w.owner.api.patch(`/channels/${room}/members/${mo.memberId}`, { role: 'moderator' })).status).toBe(204);
  const { task } = await assign(maya, room, bot.memberId, 'Summarise the incident.');
  await finish(bot, task.id, 'The database ran out of disk.');
  return { w, maya, lee, mo, olga, bot, room, taskId: task.id as string };
}

async function listen(token: string, orgId: string): Promise<RecordingSocket> {
  const socket = await openSocket(server.url, token, orgId);
  sockets.push(socket);
  return socket;
}

const ratedEvents = (socket: RecordingSocket, channelId: string) => socket.eventsOf(channelId, 'task.rated') as ChannelEventOf<'task.rated'>[];

describe("people rating an agent's result", () => {
  it('the requester rates the result; everyone in the room sees the average, only the rater their own score', async () => {
    const { w, maya, lee, mo, room, taskId } = await delivered();
    const leeSocket = await listen(lee.token, w.orgId);

    const rated = await maya.api.put(`/tasks/${taskId}/rating`, { score: 4, comment: 'Right cause, no timeline.' });
    expect(rated.status, JSON.stringify(rated.body)).toBe(200);
    expect(rated.body.task.rating).toMatchObject({ average: 4, count: 1, mine: { score: 4, comment: 'Right cause, no timeline.' } });

    // Lee reads the room: the average and the count, not Maya's score or comment.
    const event = await leeSocket.until(() => ratedEvents(leeSocket, room).find((e) => e.payload.task.rating.count === 1));
    expect(event.payload.rated_by).toBe(maya.memberId);
    expect(event.payload.task.rating).toEqual({ average: 4, count: 1, mine: null });
    expect(JSON.stringify(event)).not.toContain('no timeline');
    expect((await lee.api.get(`/tasks/${taskId}`)).body.task.rating).toEqual({ average: 4, count: 1, mine: null });

    // A moderator rates too; then Maya changes her mind: one rating per person, replaced.
    expect((await mo.api.put(`/tasks/${taskId}/rating`, { score: 2 })).body.task.rating).toMatchObject({ average: 3, count: 2, mine: { score: 2, comment: null } });
    const replaced = await maya.api.put(`/tasks/${taskId}/rating`, { score: 5 });
    expect(replaced.body.task.rating).toMatchObject({ average: 3.5, count: 2, mine: { score: 5, comment: null } });
    await leeSocket.until(() => ratedEvents(leeSocket, room).find((e) => e.payload.task.rating.average === 3.5));
    const listed = (await lee.api.get(`/channels/${room}/tasks`)).body.tasks[0].task;
    expect(listed.rating).toEqual({ average: 3.5, count: 2, mine: null });
  });

  it('a person withdraws their own rating; withdrawing twice is a 404', async () => {
    const { w, maya, mo, lee, room, taskId } = await delivered();
    const leeSocket = await listen(lee.token, w.orgId);
    await maya.api.put(`/tasks/${taskId}/rating`, { score: 1 });
    await mo.api.put(`/tasks/${taskId}/rating`, { score: 5 });
    const removed = await maya.api.delete(`/tasks/${taskId}/rating`);
    expect(removed.status).toBe(200);
    expect(removed.body.task.rating).toEqual({ average: 5, count: 1, mine: null });
    await leeSocket.until(() => ratedEvents(leeSocket, room).find((e) => e.payload.rated_by === maya.memberId && e.payload.task.rating.count === 1 && e.payload.task.rating.average === 5));
    const again = await maya.api.delete(`/tasks/${taskId}/rating`);
    expect(again.status).toBe(404);
    expect(again.body.error.code).toBe('rating_not_found');
    // Mo's rating stands.
    expect((await mo.api.get(`/tasks/${taskId}`)).body.task.rating.mine).toMatchObject({ score: 5 });
  });

  it('refuses bad input with a 400 that names the field', async () => {
    const { maya, taskId } = await delivered();
    const bad = [{ score: 0 }, { score: 6 }, { score: 3.5 }, { score: 'four' }, {}, { score: 3, comment: 'x'.repeat(1001) }, { score: 3, stars: 3 }];
    for (const body of bad) {
      const res = await maya.api.put(`/tasks/${taskId}/rating`, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toBe('validation_failed');
      expect(res.body.error.details.length).toBeGreaterThan(0);
    }
    const tooHigh = await maya.api.put(`/tasks/${taskId}/rating`, { score: 6 });
    expect(tooHigh.body.error.details[0]).toMatchObject({ path: '/score' });
    expect((await maya.api.put(`/tasks/${taskId}/rating`, { score: 3, comment: 'x'.repeat(1000) })).status).toBe(200);
    expect((await maya.api.put(`/tasks/not-a-uuid/rating`, { score: 3 })).status).toBe(400);
  });

  it('agents may not rate, and people who may not judge the task are refused', async () => {
    const { lee, bot, taskId } = await delivered();
    const byAgent = await bot.api.put(`/tasks/${taskId}/rating`, { score: 5 });
    expect(byAgent.status).toBe(403);
    expect(byAgent.body.error.code).toBe('agents_not_allowed');
    expect((await bot.api.delete(`/tasks/${taskId}/rating`)).body.error.code).toBe('agents_not_allowed');
    const byReader = await lee.api.put(`/tasks/${taskId}/rating`, { score: 5 });
    expect(byReader.status).toBe(403);
    expect(byReader.body.error.code).toBe('not_requester');
  });

  it('only a finished result can be rated', async () => {
    const w = await createWorld(server.url);
    const bot = await w.agent();
    const room = await w.channel(w.owner, { members: [bot.memberId] });
    const { task } = await assign(w.owner, room, bot.memberId, 'Draft the notes.');
    const queued = await w.owner.api.put(`/tasks/${task.id}/rating`, { score: 3 });
    expect(queued.status).toBe(409);
    expect(queued.body.error.code).toBe('task_not_done');
    await claim(bot, task.id);
    expect((await w.owner.api.put(`/tasks/${task.id}/rating`, { score: 3 })).body.error.code).toBe('task_not_done');
  });

  it('a redo sends the result back and clears its ratings; a rejected result can be rated', async () => {
    const { maya, mo, taskId } = await delivered();
    await maya.api.put(`/tasks/${taskId}/rating`, { score: 2 });
    const rejected = await mo.api.post(`/tasks/${taskId}/reject`, { reason: 'Wrong cause.' });
    expect(rejected.body.task.rating).toMatchObject({ average: 2, count: 1 });
    expect((await mo.api.put(`/tasks/${taskId}/rating`, { score: 1 })).body.task.rating).toMatchObject({ average: 1.5, count: 2 });
    const redo = await maya.api.post(`/tasks/${taskId}/redo`, {});
    expect(redo.body.task.rating).toEqual({ average: null, count: 0, mine: null });
  });

  it('someone outside the private room cannot see or rate the task, and hears nothing of its ratings', async () => {
    const { w, maya, olga, room, taskId } = await delivered();
    const olgaSocket = await listen(olga.token, w.orgId);
    const mayaSocket = await listen(maya.token, w.orgId);
    expect((await maya.api.put(`/tasks/${taskId}/rating`, { score: 4, comment: 'SECRET-comment' })).status).toBe(200);
    for (const res of [await olga.api.get(`/tasks/${taskId}`), await olga.api.put(`/tasks/${taskId}/rating`, { score: 1 }), await olga.api.delete(`/tasks/${taskId}/rating`)]) {
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('task_not_found');
    }
    // A barrier in #general, which both read: everything before it has been dispatched.
    const barrier = await w.post(w.owner, w.generalId, 'barrier');
    await mayaSocket.until(() => ratedEvents(mayaSocket, room).length > 0);
    await olgaSocket.until(() => olgaSocket.eventsOf(w.generalId, 'message.created').some((e) => e.type === 'message.created' && e.payload.message.id === barrier.id));
    expect(olgaSocket.eventsOf(room)).toEqual([]);
    expect(JSON.stringify(olgaSocket.events)).not.toContain('SECRET-comment');
  });

  it('every rating change is in the audit chain, with who made it', async () => {
    const { w, maya, taskId } = await delivered();
    await maya.api.put(`/tasks/${taskId}/rating`, { score: 3, comment: 'Fine.' });
    await maya.api.delete(`/tasks/${taskId}/rating`);
    const rows = await server.ctx.db
      .selectFrom('audit_events')
      .select(['action', 'actor_id', 'actor_kind', 'details'])
      .where('target_id', '=', taskId)
      .where('action', 'like', 'task.%rated')
      .orderBy('seq')
      .execute();
    expect(rows).toEqual([
      { action: 'task.rated', actor_id: maya.memberId, actor_kind: 'human', details: { score: 3, comment: 'Fine.' } },
      { action: 'task.unrated', actor_id: maya.memberId, actor_kind: 'human', details: { score: 3 } },
    ]);
    expect((await verifyChain(server.ctx.db, w.orgId)).ok).toBe(true);
  });
});
