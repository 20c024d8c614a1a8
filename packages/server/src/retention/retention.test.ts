import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../server.js';
import { createWorld, unique, type World } from '../test/fixtures.js';
import { startTestServer } from '../test/server.js';
import { openSocket } from '../test/sockets.js';
import { readEvents } from '../realtime/event-log.js';
import { runRetention } from './job.js';
import { eventually, startReceiver } from '../test/receiver.js';

let server: RunningServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

/** Moves messages (and, for roots, their last reply) back in time: retention is about age. */
async function age(days: number, ...ids: string[]) {
  const at = new Date(Date.now() - days * 86_400_000);
  await server.ctx.db.updateTable('messages').set({ created_at: at }).where('id', 'in', ids).execute();
  await server.ctx.db.updateTable('messages').set({ last_reply_at: at }).where('id', 'in', ids).where('last_reply_at', 'is not', null).execute();
}

async function history(w: World, channelId: string): Promise<string[]> {
  const res = await w.owner.api.get(`/channels/${channelId}/messages?limit=200`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.messages.map((m: any) => m.body);
}

async function retentionAudit(w: World, channelId: string) {
  const res = await w.owner.api.get(`/orgs/${w.orgId}/audit?action=retention.deleted&channel_id=${channelId}`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.events as any[];
}

describe('retention', () => {
  it('deletes expired threads whole, keeps pinned ones, recent threads, docs and channels that keep forever; clients drop them; the audit log has counts', async () => {
    const w = await createWorld(server.url);
    const room = await w.channel(w.owner);
    const forever = await w.channel(w.owner);
    expect((await w.owner.api.put(`/orgs/${w.orgId}/retention`, { keep_days: 30 })).body).toEqual({ keep_days: 30, channels: [] });
    const own = await w.owner.api.put(`/channels/${forever}/retention`, { keep_days: null });
    expect(own.body).toEqual({ channel_id: forever, keep_days: null, inherited: false });
    expect((await w.owner.api.get(`/channels/${room}/retention`)).body).toEqual({ channel_id: room, keep_days: 30, inherited: true });

    const word = unique('zebra');
    const old = await w.post(w.owner, room, `old news ${word}`);
    expect((await w.owner.api.patch(`/messages/${old.id}`, { body: `old news, edited ${word}` })).status).toBe(200);
    await w.owner.api.put(`/messages/${old.id}/reactions/${encodeURIComponent('👍')}`);
    const pinned = await w.post(w.owner, room, 'old but pinned');
    expect((await w.owner.api.put(`/messages/${pinned.id}/pin`, {})).status).toBe(201);
    const liveRoot = await w.post(w.owner, room, 'old root, recent reply');
    const deadRoot = await w.post(w.owner, room, 'old thread');
    const deadReply = await w.post(w.owner, room, 'old reply', { thread_root_id: deadRoot.id });
    await age(40, old.id, pinned.id, liveRoot.id, deadRoot.id, deadReply.id);
    await w.post(w.owner, room, 'recent reply', { thread_root_id: liveRoot.id });
    await w.post(w.owner, room, 'recent news');
    const doc = await w.owner.api.post(`/channels/${room}/docs`, { title: 'Runbook', body: 'old doc' });
    expect(doc.status).toBe(201);
    await server.ctx.db.updateTable('channel_docs').set({ created_at: new Date(Date.now() - 90 * 86_400_000) }).where('id', '=', doc.body.doc.id).execute();
    const kept = await w.post(w.owner, forever, 'kept forever');
    await age(400, kept.id);

    const socket = await openSocket(server.url, w.owner.token, w.orgId);
    try {
      const run = await runRetention(server.ctx);
      const mine = run.channels.filter((c) => c.org_id === w.orgId);
      expect(mine).toEqual([{ channel_id: room, org_id: w.orgId, keep_days: 30, threads: 2, messages: 3, batches: 1 }]);

      expect(await history(w, room)).toEqual(['old but pinned', 'old root, recent reply', 'recent news']);
      const thread = await w.owner.api.get(`/messages/${liveRoot.id}/thread`);
      expect(thread.body.messages.map((m: any) => m.body)).toEqual(['recent reply']);
      expect((await w.owner.api.get(`/messages/${old.id}`)).status).toBe(404);
      expect(await history(w, forever)).toEqual(['kept forever']);
      expect((await w.owner.api.get(`/docs/${doc.body.doc.id}`)).status).toBe(200);
      const search = await w.owner.api.get(`/orgs/${w.orgId}/search?q=${word}`);
      expect(search.body.hits).toEqual([]);

      // Connected clients are told which messages are gone.
      const expired = await socket.until(() => socket.eventsOf(room, 'messages.expired')[0]);
      expect(expired.type === 'messages.expired' && [...expired.payload.message_ids].sort()).toEqual([old.id, deadRoot.id, deadReply.id].sort());
      // Their text is gone from the event log too (clients that resume replay it): no created event, an edit without its text.
      const replay = await readEvents(server.ctx.db, w.orgId, room, 0, Number.MAX_SAFE_INTEGER);
      const about = (id: string) => replay.filter((e) => 'message' in e.payload && e.payload.message.id === id);
      expect(about(old.id).map((e) => [e.type, 'message' in e.payload && e.payload.message.body])).toEqual([['message.edited', '']]);
      expect(about(deadRoot.id).concat(about(deadReply.id))).toEqual([]);
      expect(replay.filter((e) => e.type === 'message.created').map((e) => 'message' in e.payload && e.payload.message.body)).toEqual([
        'old but pinned',
        'old root, recent reply',
        'recent reply',
        'recent news',
      ]);
      expect(JSON.stringify(replay)).not.toContain(word);

      const audit = await retentionAudit(w, room);
      expect(audit).toHaveLength(1);
      expect(audit[0]).toMatchObject({ actor_id: null, actor_kind: 'system', target_type: 'channel', target_id: room, details: { threads: 2, messages: 3, keep_days: 30 } });
      expect(JSON.stringify(audit)).not.toContain('old news');
      expect((await w.owner.api.post(`/orgs/${w.orgId}/audit/verify`)).body.ok).toBe(true);

      // A second run finds nothing more.
      const again = await runRetention(server.ctx);
      expect(again.channels.filter((c) => c.org_id === w.orgId)).toEqual([]);
    } finally {
      socket.close();
    }
  });

  it("leaves nothing of an expired request in an agent's outgoing webhook deliveries: a redelivery sends it without its text", async () => {
    const w = await createWorld(server.url);
    const bot = await w.agent();
    const endpoint = await startReceiver();
    try {
      expect((await w.owner.api.put(`/agents/${bot.memberId}/webhook`, { url: endpoint.url })).status).toBe(200);
      const room = await w.channel(w.owner, { members: [bot.memberId] });
      expect((await w.owner.api.put(`/orgs/${w.orgId}/retention`, { keep_days: 30 })).status).toBe(200);
      const word = unique('otter');
      const old = await w.post(w.owner, room, `@${bot.handle} the old plan ${word}`);
      await eventually(() => endpoint.received.length === 1, 'the delivery');
      expect(endpoint.received[0]!.json.data.request).toMatchObject({ id: old.id, body: expect.stringContaining(word) });
      await age(40, old.id);

      await runRetention(server.ctx);
      expect((await w.owner.api.get(`/messages/${old.id}`)).status).toBe(404);
      const log = await w.owner.api.get(`/agents/${bot.memberId}/webhook/deliveries`);
      const again = await w.owner.api.post(`/agents/${bot.memberId}/webhook/deliveries/${log.body.deliveries[0].id}/redeliver`);
      expect(again.status, JSON.stringify(again.body)).toBe(201);
      await eventually(() => endpoint.received.length === 2, 'the redelivery');
      expect(endpoint.received[1]!.json.data.request).toMatchObject({ id: old.id, body: '', attachments: [], sources: [] });
      expect(endpoint.received[1]!.body).not.toContain(word);
    } finally {
      await endpoint.close();
    }
  });

  it('a legal hold on a channel or a member suspends deletion until it is released; holds are audited', async () => {
    const w = await createWorld(server.url);
    const alice = await w.person('member', 'Alice');
    const admin = await w.person('admin', 'Admin');
    const room = await w.channel(w.owner, { members: [alice.memberId] });
    const held = await w.channel(w.owner);
    await w.owner.api.put(`/orgs/${w.orgId}/retention`, { keep_days: 1 });
    const fromAlice = await w.post(alice, room, 'alice said');
    const fromOwner = await w.post(w.owner, room, 'owner said');
    const inHeld = await w.post(w.owner, held, 'in the held channel');
    await age(10, fromAlice.id, fromOwner.id, inHeld.id);

    expect((await alice.api.post(`/orgs/${w.orgId}/legal-holds`, { member_id: alice.memberId, reason: 'case 1' })).status).toBe(403);
    const onAlice = await admin.api.post(`/orgs/${w.orgId}/legal-holds`, { member_id: alice.memberId, reason: 'case 1' });
    expect(onAlice.status, JSON.stringify(onAlice.body)).toBe(201);
    const onChannel = await w.owner.api.post(`/orgs/${w.orgId}/legal-holds`, { channel_id: held, reason: 'case 2' });
    expect(onChannel.status).toBe(201);
    expect((await w.owner.api.post(`/orgs/${w.orgId}/legal-holds`, { channel_id: held, member_id: alice.memberId, reason: 'both' })).status).toBe(400);
    expect((await w.owner.api.get(`/orgs/${w.orgId}/legal-holds`)).body.holds.map((h: any) => h.reason)).toEqual(['case 1', 'case 2']);

    await runRetention(server.ctx);
    expect(await history(w, room)).toEqual(['alice said']);
    expect(await history(w, held)).toEqual(['in the held channel']);

    expect((await w.owner.api.delete(`/orgs/${w.orgId}/legal-holds/${onAlice.body.hold.id}`)).status).toBe(200);
    expect((await w.owner.api.delete(`/orgs/${w.orgId}/legal-holds/${onChannel.body.hold.id}`)).status).toBe(200);
    expect((await w.owner.api.delete(`/orgs/${w.orgId}/legal-holds/${onChannel.body.hold.id}`)).status).toBe(404);
    expect((await w.owner.api.get(`/orgs/${w.orgId}/legal-holds`)).body.holds).toEqual([]);
    await runRetention(server.ctx);
    expect(await history(w, room)).toEqual([]);
    expect(await history(w, held)).toEqual([]);

    const actions = (await w.owner.api.get(`/orgs/${w.orgId}/audit`)).body.events.map((e: any) => e.action).filter((a: string) => /retention|legal_hold/.test(a));
    expect(actions).toEqual(['retention.set', 'legal_hold.placed', 'legal_hold.placed', 'retention.deleted', 'legal_hold.released', 'legal_hold.released', 'retention.deleted', 'retention.deleted']);
  });

  it('deletes in bounded batches, one transaction and one audit entry each, with one run id', async () => {
    const w = await createWorld(server.url);
    const room = await w.channel(w.owner);
    await w.owner.api.put(`/channels/${room}/retention`, { keep_days: 2 });
    const ids: string[] = [];
    for (let i = 0; i < 7; i += 1) ids.push((await w.post(w.owner, room, `message ${i}`)).id);
    await age(3, ...ids);
    const run = await runRetention(server.ctx, { batchSize: 3 });
    expect(run.channels.find((c) => c.channel_id === room)).toMatchObject({ threads: 7, messages: 7, batches: 3 });
    const audit = await retentionAudit(w, room);
    expect(audit.map((e) => e.details.messages)).toEqual([3, 3, 1]);
    expect(new Set(audit.map((e) => e.details.run_id))).toEqual(new Set([run.run_id]));
    expect(await history(w, room)).toEqual([]);
    // Sends go on: the channel's seq continues after the deletions and their events.
    const after = await w.post(w.owner, room, 'still talking');
    expect(await history(w, room)).toEqual(['still talking']);
    expect(after.seq).toBeGreaterThan(7);
  });
});
