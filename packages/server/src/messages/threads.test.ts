import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../server.js';
import { createWorld } from '../test/fixtures.js';
import { startTestServer } from '../test/server.js';

let server: RunningServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

describe('threads', () => {
  it('keeps replies in the thread, and summarises them on the root', async () => {
    const world = await createWorld(server.url);
    const [bob, carol] = [await world.person('member', 'Bob'), await world.person('member', 'Carol')];
    const channelId = await world.channel(world.owner, { members: [bob.memberId, carol.memberId] });
    const root = await world.post(world.owner, channelId, 'Where do we deploy?');
    const after = await world.post(world.owner, channelId, 'unrelated, later');

    const r1 = await world.post(bob, channelId, 'staging first', { thread_root_id: root.id });
    const r2 = await world.post(carol, channelId, 'agreed', { thread_root_id: root.id });
    const r3 = await world.post(bob, channelId, 'doing it now', { thread_root_id: root.id });
    expect(r1).toMatchObject({ thread_root_id: root.id, thread: null });

    const channel = await bob.api.get(`/channels/${channelId}/messages`);
    expect(channel.body.messages.map((m: any) => m.id)).toEqual([root.id, after.id]);
    const summary = channel.body.messages[0].thread;
    expect(summary).toEqual({ root_id: root.id, reply_count: 3, last_reply_at: r3.created_at, participants: [bob.memberId, carol.memberId] });
    expect(channel.body.messages[1].thread).toBeNull();
    expect((await carol.api.get(`/messages/${root.id}`)).body.message.thread).toEqual(summary);

    const thread = await carol.api.get(`/messages/${root.id}/thread`);
    expect(thread.status).toBe(200);
    expect(thread.body.root.id).toBe(root.id);
    expect(thread.body.root.thread.reply_count).toBe(3);
    expect(thread.body.messages.map((m: any) => m.body)).toEqual(['staging first', 'agreed', 'doing it now']);
    expect(thread.body.messages.map((m: any) => m.id)).toEqual([r1.id, r2.id, r3.id]);
    expect(thread.body).toMatchObject({ has_more_before: false, has_more_after: false });

    // A reply is a message of its own.
    expect((await carol.api.get(`/messages/${r2.id}`)).body.message).toMatchObject({ body: 'agreed', thread_root_id: root.id });
  });

  it('counts every reply when many arrive at once', async () => {
    const world = await createWorld(server.url);
    const bob = await world.person('member', 'Bob');
    const channelId = await world.channel(world.owner, { members: [bob.memberId] });
    const root = await world.post(world.owner, channelId, 'vote here');
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) => (i % 2 ? bob : world.owner).api.post(`/channels/${channelId}/messages`, { body: `vote ${i}`, thread_root_id: root.id })),
    );
    expect(results.map((r) => r.status)).toEqual([201, 201, 201, 201, 201, 201]);
    const seen = (await bob.api.get(`/messages/${root.id}`)).body.message.thread;
    expect(seen.reply_count).toBe(6);
    expect([...seen.participants].sort()).toEqual([world.owner.memberId, bob.memberId].sort());
    expect((await bob.api.get(`/messages/${root.id}/thread`)).body.messages).toHaveLength(6);
  });

  it('refuses a reply to a reply', async () => {
    const world = await createWorld(server.url);
    const channelId = await world.channel(world.owner);
    const root = await world.post(world.owner, channelId, 'root');
    const reply = await world.post(world.owner, channelId, 'reply', { thread_root_id: root.id });
    const nested = await world.owner.api.post(`/channels/${channelId}/messages`, { body: 'deeper', thread_root_id: reply.id });
    expect(nested.status).toBe(400);
    expect(nested.body.error.code).toBe('nested_thread');
    expect((await world.owner.api.get(`/messages/${root.id}`)).body.message.thread.reply_count).toBe(1);
    const replyThread = await world.owner.api.get(`/messages/${reply.id}/thread`);
    expect(replyThread.status).toBe(404);
  });

  it('refuses a root from another channel, an unknown root and a deleted root', async () => {
    const world = await createWorld(server.url);
    const here = await world.channel(world.owner);
    const there = await world.channel(world.owner);
    const elsewhere = await world.post(world.owner, there, 'in another channel');
    for (const rootId of [elsewhere.id, randomUUID()]) {
      const res = await world.owner.api.post(`/channels/${here}/messages`, { body: 'reply', thread_root_id: rootId });
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('thread_root_not_found');
    }
    expect((await world.owner.api.get(`/channels/${here}/messages`)).body.messages).toEqual([]);
    expect((await world.owner.api.get(`/messages/${elsewhere.id}`)).body.message.thread).toBeNull();

    const root = await world.post(world.owner, here, 'soon gone');
    await world.owner.api.delete(`/messages/${root.id}`);
    const res = await world.owner.api.post(`/channels/${here}/messages`, { body: 'too late', thread_root_id: root.id });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('message_deleted');
  });

  it('keeps the thread readable when its root is deleted', async () => {
    const world = await createWorld(server.url);
    const channelId = await world.channel(world.owner);
    const root = await world.post(world.owner, channelId, 'root');
    await world.post(world.owner, channelId, 'a reply worth keeping', { thread_root_id: root.id });
    await world.owner.api.delete(`/messages/${root.id}`);
    const thread = await world.owner.api.get(`/messages/${root.id}/thread`);
    expect(thread.status).toBe(200);
    expect(thread.body.root).toMatchObject({ body: '', thread: { reply_count: 1 } });
    expect(thread.body.root.deleted_at).not.toBeNull();
    expect(thread.body.messages.map((m: any) => m.body)).toEqual(['a reply worth keeping']);
  });

  it('pages through a long thread', async () => {
    const world = await createWorld(server.url);
    const channelId = await world.channel(world.owner);
    const root = await world.post(world.owner, channelId, 'root');
    const replies: any[] = [];
    for (let i = 1; i <= 5; i++) replies.push(await world.post(world.owner, channelId, `reply ${i}`, { thread_root_id: root.id }));
    const bodies = (res: any) => res.body.messages.map((m: any) => m.body);

    const first = await world.owner.api.get(`/messages/${root.id}/thread?limit=2`);
    expect(bodies(first)).toEqual(['reply 1', 'reply 2']);
    expect(first.body).toMatchObject({ has_more_before: false, has_more_after: true });

    const next = await world.owner.api.get(`/messages/${root.id}/thread?limit=2&after=${replies[1].seq}`);
    expect(bodies(next)).toEqual(['reply 3', 'reply 4']);
    expect(next.body).toMatchObject({ has_more_before: true, has_more_after: true });

    const last = await world.owner.api.get(`/messages/${root.id}/thread?limit=2&after=${replies[3].seq}`);
    expect(bodies(last)).toEqual(['reply 5']);
    expect(last.body).toMatchObject({ has_more_before: true, has_more_after: false });

    const before = await world.owner.api.get(`/messages/${root.id}/thread?limit=2&before=${replies[4].seq}`);
    expect(bodies(before)).toEqual(['reply 3', 'reply 4']);
    expect(before.body).toMatchObject({ has_more_before: true, has_more_after: true });

    const around = await world.owner.api.get(`/messages/${root.id}/thread?limit=3&around=${replies[2].seq}`);
    expect(bodies(around)).toEqual(['reply 2', 'reply 3', 'reply 4']);
    expect(around.body).toMatchObject({ has_more_before: true, has_more_after: true });

    const conflicting = await world.owner.api.get(`/messages/${root.id}/thread?before=10&after=1`);
    expect(conflicting.status).toBe(400);
    expect(conflicting.body.error.code).toBe('conflicting_anchors');
    expect((await world.owner.api.get(`/messages/${root.id}/thread?limit=201`)).status).toBe(400);
  });

  it('lets an observer read threads but not reply', async () => {
    const world = await createWorld(server.url);
    const olga = await world.person('member', 'Olga');
    const channelId = await world.channel(world.owner, { kind: 'private' });
    await world.owner.api.post(`/channels/${channelId}/members`, { member_id: olga.memberId, role: 'observer' });
    const root = await world.post(world.owner, channelId, 'root');
    await world.post(world.owner, channelId, 'reply', { thread_root_id: root.id });
    expect((await olga.api.get(`/messages/${root.id}/thread`)).body.messages).toHaveLength(1);
    const res = await olga.api.post(`/channels/${channelId}/messages`, { body: 'me too', thread_root_id: root.id });
    expect(res.status).toBe(403);
  });
});
