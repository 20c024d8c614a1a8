import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

/** Maya asked the agent for a summary in #room and it delivered; Lee is in the room too, Mo moderates it. */
async function delivered() {
  const w = await createWorld(server.url);
  const [maya, lee, mo] = await Promise.all([w.person('member', 'Maya'), w.person('member', 'Lee'), w.person('member', 'Mo')]);
  const bot = await w.agent();
  const room = await w.channel(w.owner, { members: [maya.memberId, lee.memberId, mo.memberId, bot.memberId] });
  expect((await w.owner.api.patch(`/channels/${room}/members/${mo.memberId}`, { role: 'moderator' })).status).toBe(204);
  const { task } = await assign(maya, room, bot.memberId, 'Summarise the incident.');
  const { resultId } = await finish(bot, task.id, 'The database ran out of disk.');
  return { w, maya, lee, mo, bot, room, taskId: task.id as string, resultId };
}

describe("people judging an agent's result", () => {
  it('the requester rejects a result with a reason, recorded on the task and sent to the channel', async () => {
    const { w, maya, room, taskId } = await delivered();
    const socket = await openSocket(server.url, maya.token, w.orgId);
    sockets.push(socket);
    const res = await maya.api.post(`/tasks/${taskId}/reject`, { reason: 'It was the network, not the disk.' });
    expect(res.status).toBe(200);
    expect(res.body.task.status).toBe('rejected');
    expect(res.body.intervention).toMatchObject({ member_id: maya.memberId, kind: 'reject', reason: 'It was the network, not the disk.' });
    expect(res.body.task.interventions).toEqual([res.body.intervention]);
    const event = await socket.until(() => socket.eventsOf(room, 'task.updated').find((e) => e.type === 'task.updated' && e.payload.task.status === 'rejected'));
    expect(event.type === 'task.updated' && event.payload.task).toEqual(res.body.task);
    // Only a delivered result can be rejected, and only once.
    expect((await maya.api.post(`/tasks/${taskId}/reject`, { reason: 'Again.' })).body.error.code).toBe('task_not_done');
  });

  it('a redo sends the task back to the agent, which works it again', async () => {
    const { w, maya, bot, room, taskId } = await delivered();
    const botSocket = await openSocket(server.url, bot.token, w.orgId);
    sockets.push(botSocket);
    const redo = await maya.api.post(`/tasks/${taskId}/redo`, { reason: 'Add the timeline.' });
    expect(redo.status).toBe(200);
    expect(redo.body.task).toMatchObject({ status: 'queued', attempts: 0, result_message_id: null, finished_at: null });
    expect(redo.body.intervention).toMatchObject({ kind: 'redo', reason: 'Add the timeline.' });
    await botSocket.until(() => botSocket.eventsOf(room, 'task.updated').some((e) => e.type === 'task.updated' && e.payload.task.status === 'queued'));
    // Nothing to redo while the agent is on it.
    await claim(bot, taskId);
    expect((await maya.api.post(`/tasks/${taskId}/redo`, {})).body.error.code).toBe('task_not_done');
    const second = await bot.api.post(`/channels/${room}/messages`, { body: 'Disk, then network: timeline attached.' });
    const done = await bot.api.post(`/tasks/${taskId}/complete`, { result_message_id: second.body.message.id });
    expect(done.body.task).toMatchObject({ status: 'done', attempts: 1 });
    expect(done.body.task.interventions.map((i: any) => i.kind)).toEqual(['redo']);
  });

  it("a moderator corrects the result in place: the agent's message changes and the edit is recorded", async () => {
    const { w, mo, maya, room, taskId, resultId } = await delivered();
    const socket = await openSocket(server.url, maya.token, w.orgId);
    sockets.push(socket);
    const res = await mo.api.put(`/tasks/${taskId}/result`, { body: 'The database ran out of disk at 02:00 UTC.', reason: 'Added the time.' });
    expect(res.status).toBe(200);
    expect(res.body.message).toMatchObject({ id: resultId, body: 'The database ran out of disk at 02:00 UTC.' });
    expect(res.body.message.edited_at).not.toBeNull();
    expect(res.body.intervention).toMatchObject({ member_id: mo.memberId, kind: 'edit', reason: 'Added the time.' });
    expect(res.body.task.status).toBe('done');
    expect((await maya.api.get(`/messages/${resultId}`)).body.message.body).toBe('The database ran out of disk at 02:00 UTC.');
    await socket.until(() => socket.eventsOf(room, 'message.edited').some((e) => e.type === 'message.edited' && e.payload.message.id === resultId));
    const detail = (await maya.api.get(`/tasks/${taskId}`)).body;
    expect(detail.result.body).toBe('The database ran out of disk at 02:00 UTC.');
    expect(detail.task.interventions.map((i: any) => i.kind)).toEqual(['edit']);
  });

  it('only the requester, moderators and org admins judge; the agent itself and other members cannot', async () => {
    const { w, lee, bot, taskId } = await delivered();
    expect((await lee.api.post(`/tasks/${taskId}/reject`, { reason: 'Meh.' })).body.error.code).toBe('not_requester');
    expect((await lee.api.put(`/tasks/${taskId}/result`, { body: 'Mine.' })).body.error.code).toBe('not_requester');
    expect((await bot.api.post(`/tasks/${taskId}/redo`, {})).body.error.code).toBe('agents_not_allowed');
    // A member who may read the public room but is not in it sees the task, and may not judge it; a guest does not see it.
    const [outsider, guest, admin] = await Promise.all([w.person('member', 'Out'), w.person('guest', 'Gus'), w.person('admin', 'Ada')]);
    expect((await outsider.api.get(`/tasks/${taskId}`)).status).toBe(200);
    expect((await outsider.api.post(`/tasks/${taskId}/reject`, { reason: 'x' })).body.error.code).toBe('not_requester');
    expect((await guest.api.post(`/tasks/${taskId}/reject`, { reason: 'x' })).body.error.code).toBe('task_not_found');
    expect((await admin.api.post(`/tasks/${taskId}/redo`, {})).status).toBe(200);
  });

  it('every judgement is in the audit chain, with who made it', async () => {
    const { w, maya, mo, bot, taskId } = await delivered();
    await mo.api.put(`/tasks/${taskId}/result`, { body: 'Fixed.' });
    await maya.api.post(`/tasks/${taskId}/reject`, { reason: 'Still wrong.' });
    await maya.api.post(`/tasks/${taskId}/redo`, {});
    const rows = await server.ctx.db.selectFrom('audit_events').select(['action', 'actor_id', 'actor_kind', 'details']).where('target_id', '=', taskId).orderBy('seq').execute();
    expect(rows.map((r) => [r.action, r.actor_id, r.actor_kind])).toEqual([
      ['task.claim', bot.memberId, 'agent'],
      ['task.complete', bot.memberId, 'agent'],
      ['task.edit', mo.memberId, 'human'],
      ['task.reject', maya.memberId, 'human'],
      ['task.redo', maya.memberId, 'human'],
    ]);
    expect(rows[3]?.details).toEqual({ reason: 'Still wrong.' });
    expect(await verifyChain(server.ctx.db, w.orgId)).toMatchObject({ ok: true });
  });
});
