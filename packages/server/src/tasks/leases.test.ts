import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../server.js';
import { createWorld } from '../test/fixtures.js';
import { startTestServer } from '../test/server.js';
import { openSocket, type RecordingSocket } from '../test/sockets.js';
import { assign, claim } from '../test/tasks.js';
import { expireLeases } from './leases.js';

let server: RunningServer;
const sockets: RecordingSocket[] = [];
beforeAll(async () => {
  server = await startTestServer({ tasks: { leaseSeconds: 300, sweepSeconds: 0 } });
});
afterAll(async () => {
  for (const s of sockets) s.close();
  await server.close();
});

/** Ends the task's lease now, as if the agent had stopped sending heartbeats five minutes ago. */
async function expire(taskId: string): Promise<void> {
  await server.ctx.db.updateTable('tasks').set({ lease_expires_at: new Date(Date.now() - 1000) }).where('id', '=', taskId).execute();
}

const lastSeq = async (channelId: string) =>
  (await server.ctx.db.selectFrom('channels').select('last_seq').where('id', '=', channelId).executeTakeFirstOrThrow()).last_seq;

describe('claim leases', () => {
  it('leaves live claims alone', async () => {
    const w = await createWorld(server.url);
    const bot = await w.agent();
    const room = await w.channel(w.owner, { members: [bot.memberId] });
    const { task } = await assign(w.owner, room, bot.memberId);
    const { api } = await claim(bot, task.id);
    await expireLeases(server.ctx);
    expect((await w.owner.api.get(`/tasks/${task.id}`)).body.task).toMatchObject({ status: 'running', attempts: 1 });
    expect((await api.get(`/channels/${room}/messages`)).status).toBe(200);
  });

  it('requeues a task whose lease ran out, and after the last attempt fails it visibly in the channel', async () => {
    const w = await createWorld(server.url);
    const maya = await w.person('member', 'Maya');
    const bot = await w.agent();
    const room = await w.channel(w.owner, { members: [maya.memberId, bot.memberId] });
    const { task } = await assign(maya, room, bot.memberId);
    const since = await lastSeq(room);

    for (const attempt of [1, 2]) {
      const { api } = await claim(bot, task.id);
      await expire(task.id);
      await expireLeases(server.ctx);
      const seen = (await maya.api.get(`/tasks/${task.id}`)).body.task;
      expect(seen).toMatchObject({ status: 'queued', attempts: attempt, lease_expires_at: null, failure_reason: 'the lease expired', finished_at: null });
      // The lapsed claim's token no longer works.
      expect((await api.get(`/channels/${room}/messages`)).status).toBe(401);
    }
    await claim(bot, task.id);
    await expire(task.id);
    await expireLeases(server.ctx);
    const failed = (await maya.api.get(`/tasks/${task.id}`)).body.task;
    expect(failed).toMatchObject({ status: 'failed', attempts: 3, failure_reason: 'the lease expired' });
    expect(failed.finished_at).not.toBeNull();

    const history = (await maya.api.get(`/channels/${room}/messages`)).body.messages;
    expect(history.at(-1)).toMatchObject({ kind: 'system', body: 'Task failed: Helper bot did not finish it after 3 attempts (the lease expired).' });

    // The agent, reconnecting from where it was, hears every step in order, the notice included.
    const socket = await openSocket(server.url, bot.token, w.orgId, { cursors: { [room]: since } });
    sockets.push(socket);
    const steps = await socket.until(() => {
      const events = socket.eventsOf(room).filter((e) => e.type === 'task.updated' || (e.type === 'message.created' && e.payload.message.kind === 'system'));
      return events.length === 7 && events;
    });
    expect(steps.map((e) => (e.type === 'task.updated' ? e.payload.task.status : 'notice'))).toEqual(['running', 'queued', 'running', 'queued', 'running', 'notice', 'failed']);

    const audit = await server.ctx.db.selectFrom('audit_events').select(['action', 'actor_kind']).where('target_id', '=', task.id).orderBy('seq').execute();
    expect(audit.filter((a) => a.actor_kind === 'system').map((a) => a.action)).toEqual(['task.requeue', 'task.requeue', 'task.fail']);
  });

  it('a heartbeat keeps a claim alive past its first lease', async () => {
    const w = await createWorld(server.url);
    const bot = await w.agent();
    const room = await w.channel(w.owner, { members: [bot.memberId] });
    const { task } = await assign(w.owner, room, bot.memberId);
    const { api } = await claim(bot, task.id);
    // The lease is nearly over; the heartbeat renews it (and the token) for a full lease from now.
    await server.ctx.db.updateTable('tasks').set({ lease_expires_at: new Date(Date.now() + 1000) }).where('id', '=', task.id).execute();
    await server.ctx.db.updateTable('task_tokens').set({ expires_at: new Date(Date.now() + 1000) }).where('task_id', '=', task.id).execute();
    const beat = await api.post(`/tasks/${task.id}/heartbeat`);
    expect(Date.parse(beat.body.task.lease_expires_at)).toBeGreaterThan(Date.now() + 250_000);
    const token = await server.ctx.db.selectFrom('task_tokens').select('expires_at').where('task_id', '=', task.id).executeTakeFirstOrThrow();
    expect(token.expires_at.toISOString()).toBe(beat.body.task.lease_expires_at);
    await expireLeases(server.ctx);
    expect((await w.owner.api.get(`/tasks/${task.id}`)).body.task.status).toBe('running');
  });
});
