import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../server.js';
import { createWorld, unique } from '../test/fixtures.js';
import { startTestServer } from '../test/server.js';
import type { ChannelEvent } from '@chorus/protocol/events';
import { channelHead, readEvents } from '../realtime/event-log.js';

let server: RunningServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

const unsubscribers: (() => void)[] = [];
afterEach(() => {
  for (const off of unsubscribers.splice(0)) off();
});

/** Collects what the bus publishes for one channel from now on. */
function listen(channelId: string): ChannelEvent[] {
  const seen: ChannelEvent[] = [];
  unsubscribers.push(server.ctx.bus.subscribe((e) => { if (e.channel_id === channelId) seen.push(e); }));
  return seen;
}

/** The channel's whole log, as a resuming client has it replayed. */
async function storedEvents(channelId: string): Promise<ChannelEvent[]> {
  const head = await channelHead(server.ctx.db, channelId);
  if (!head) throw new Error(`no channel ${channelId}`);
  return readEvents(server.ctx.db, head.org_id, channelId, 0, head.last_seq);
}

async function lastSeq(channelId: string): Promise<number> {
  const row = await server.ctx.db.selectFrom('channels').select('last_seq').where('id', '=', channelId).executeTakeFirstOrThrow();
  return row.last_seq;
}

describe('the channel event log', () => {
  it('records every change with the next seq of the channel, without gaps', async () => {
    const world = await createWorld(server.url);
    const bob = await world.person('member', 'Bob');
    const owner = world.owner.api;
    const channelId = await world.channel(world.owner);
    const published = listen(channelId);

    expect((await owner.post(`/channels/${channelId}/members`, { member_id: bob.memberId })).status).toBe(201);
    expect((await owner.patch(`/channels/${channelId}`, { name: unique('renamed'), topic: 'events' })).status).toBe(200);
    const root = await world.post(bob, channelId, 'root');
    const reply = await world.post(world.owner, channelId, 'reply', { thread_root_id: root.id });
    expect((await owner.put(`/messages/${root.id}/reactions/eyes`)).status).toBe(204);
    expect((await owner.put(`/messages/${root.id}/reactions/eyes`)).status).toBe(204); // already there: no change, no event
    expect((await owner.delete(`/messages/${root.id}/reactions/eyes`)).status).toBe(204);
    expect((await owner.delete(`/messages/${root.id}/reactions/eyes`)).status).toBe(204); // already gone: no event
    expect((await bob.api.patch(`/messages/${root.id}`, { body: 'root, edited' })).status).toBe(200);
    expect((await bob.api.patch(`/messages/${root.id}`, { body: 'root, edited' })).status).toBe(200); // same body: no event
    expect((await owner.delete(`/messages/${reply.id}`)).status).toBe(200);
    expect((await owner.patch(`/channels/${channelId}/members/${bob.memberId}`, { role: 'moderator' })).status).toBe(204);
    expect((await bob.api.post(`/channels/${channelId}/leave`)).status).toBe(204);
    expect((await owner.post(`/channels/${channelId}/archive`)).status).toBe(200);
    expect((await owner.post(`/channels/${channelId}/unarchive`)).status).toBe(200);

    const events = await storedEvents(channelId);
    expect(events.map((e) => e.type)).toEqual([
      'channel.created',
      'member.joined',
      'member.joined',
      'channel.updated',
      'message.created',
      'message.created',
      'thread.updated',
      'reaction.added',
      'reaction.removed',
      'message.edited',
      'message.deleted',
      'member.role_changed',
      'member.left',
      'channel.archived',
      'channel.unarchived',
    ]);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(await lastSeq(channelId)).toBe(events.length);
    expect(events.find((e) => e.type === 'member.left')).toMatchObject({ actor_id: bob.memberId, payload: { member_id: bob.memberId, removed_by: null } });

    // What was published is what the log replays, event for event; a message as it is now (edited, deleted).
    expect(published.map((e) => [e.seq, e.type, e.actor_id])).toEqual(events.slice(2).map((e) => [e.seq, e.type, e.actor_id]));
    const stored = (e: ChannelEvent) => e.type !== 'message.created';
    expect(published.filter(stored).map((e) => e.payload)).toEqual(events.slice(2).filter(stored).map((e) => e.payload));
    const now = await Promise.all([root.id, reply.id].map(async (id) => (await owner.get(`/messages/${id}`)).body.message));
    expect(now.map((m) => [m.body, m.deleted_at === null, m.thread?.reply_count ?? 0])).toEqual([['root, edited', true, 1], ['', false, 0]]);
    expect(events.filter((e) => e.type === 'message.created').map((e) => e.payload)).toEqual(now.map((m) => ({ message: { ...m, reactions: [] } })));

    // A message's seq is its message.created event's seq.
    const created = events.filter((e) => e.type === 'message.created');
    expect(created.map((e) => e.seq)).toEqual([root.seq, reply.seq]);
    expect(created.map((e) => (e.payload as { message: { id: string } }).message.id)).toEqual([root.id, reply.id]);
    expect(events.find((e) => e.type === 'thread.updated')).toMatchObject({ seq: Number(reply.seq) + 1, payload: { thread: { root_id: root.id, reply_count: 1 } } });
  });

  it('keeps seqs gapless and unique when many people post at once', async () => {
    const world = await createWorld(server.url);
    const people = [world.owner, await world.person('member', 'Bob'), await world.person('member', 'Carol')];
    const channelId = await world.channel(world.owner);
    const published = listen(channelId);
    const before = await lastSeq(channelId);

    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => people[i % 3]!.api.post(`/channels/${channelId}/messages`, { body: `message ${i}` })));
    expect(results.every((r) => r.status === 201)).toBe(true);

    const events = await storedEvents(channelId);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    const messageSeqs = results.map((r) => r.body.message.seq as number);
    expect(new Set(messageSeqs).size).toBe(12);
    const createdSeqs = events.filter((e) => e.type === 'message.created').map((e) => e.seq);
    expect([...messageSeqs].sort((x, y) => x - y)).toEqual(createdSeqs);
    // Bob and Carol joined by posting: 12 messages and 2 joins since we started listening.
    expect(await lastSeq(channelId)).toBe(before + 14);
    expect(published.map((e) => e.seq).sort((x, y) => x - y)).toEqual(events.filter((e) => e.seq > before).map((e) => e.seq));
  });

  it('publishes an event only once its change is committed and visible to every reader', async () => {
    const world = await createWorld(server.url);
    const channelId = await world.channel(world.owner);
    const lookups: Promise<unknown>[] = [];
    unsubscribers.push(
      server.ctx.bus.subscribe((e) => {
        if (e.channel_id !== channelId || e.type !== 'message.created') return;
        // Another connection, asked the moment the event is published.
        lookups.push(server.ctx.db.selectFrom('messages').select('id').where('id', '=', e.payload.message.id).executeTakeFirst());
        lookups.push(readEvents(server.ctx.db, e.org_id, channelId, e.seq - 1, e.seq).then((log) => log.map((l) => [l.seq, l.type])));
      }),
    );
    const message = await world.post(world.owner, channelId, 'visible when announced');
    expect(lookups).toHaveLength(2);
    expect(await Promise.all(lookups)).toEqual([{ id: message.id }, [[message.seq, 'message.created']]]);
  });

  it('publishes nothing and keeps nothing when a change fails', async () => {
    const world = await createWorld(server.url);
    const bob = await world.person('member', 'Bob');
    const channelId = await world.channel(world.owner);
    const otherId = await world.channel(world.owner);
    const foreignRoot = await world.post(world.owner, otherId, 'a root in another channel');
    const published: ChannelEvent[] = [];
    unsubscribers.push(server.ctx.bus.subscribe((e) => published.push(e)));
    const [seqBefore, eventsBefore] = [await lastSeq(channelId), (await storedEvents(channelId)).length];

    // Bob is not a member: the post would join him, then fails on the thread root.
    const res = await bob.api.post(`/channels/${channelId}/messages`, { body: 'misplaced reply', thread_root_id: foreignRoot.id, client_msg_id: 'once' });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('thread_root_not_found');

    const rename = await world.owner.api.patch(`/channels/${channelId}`, { name: (await world.owner.api.get(`/channels/${otherId}`)).body.channel.name });
    expect(rename.status).toBe(409);
    const nested = await world.owner.api.post(`/channels/${otherId}/messages`, { body: 'deeper', thread_root_id: (await world.post(world.owner, otherId, 'reply', { thread_root_id: foreignRoot.id })).id });
    expect(nested.status).toBe(400);

    expect(published.filter((e) => e.channel_id === channelId)).toEqual([]);
    expect(published.filter((e) => e.channel_id === otherId).map((e) => e.type)).toEqual(['message.created', 'thread.updated']);
    expect(await lastSeq(channelId)).toBe(seqBefore);
    expect(await storedEvents(channelId)).toHaveLength(eventsBefore);
    expect(await server.ctx.db.selectFrom('messages').select('id').where('channel_id', '=', channelId).execute()).toEqual([]);
    expect(await server.ctx.db.selectFrom('channel_members').select('member_id').where('channel_id', '=', channelId).where('member_id', '=', bob.memberId).execute()).toEqual([]);
    expect(await server.ctx.db.selectFrom('message_idempotency').select('message_id').where('author_id', '=', bob.memberId).execute()).toEqual([]);
    expect((await world.owner.api.get(`/messages/${foreignRoot.id}`)).body.message.thread.reply_count).toBe(1);
  });

  it('records a repeated send once', async () => {
    const world = await createWorld(server.url);
    const channelId = await world.channel(world.owner);
    const first = await world.owner.api.post(`/channels/${channelId}/messages`, { body: 'once', client_msg_id: 'retry-me' });
    const published = listen(channelId);
    const before = await lastSeq(channelId);
    const retries = await Promise.all([1, 2, 3].map(() => world.owner.api.post(`/channels/${channelId}/messages`, { body: 'once', client_msg_id: 'retry-me' })));
    expect(retries.map((r) => [r.status, r.body.message.id])).toEqual([1, 2, 3].map(() => [200, first.body.message.id]));
    expect(published).toEqual([]);
    expect(await lastSeq(channelId)).toBe(before);
  });

  it('records a refused send as nothing at all, also for unknown roots', async () => {
    const world = await createWorld(server.url);
    const channelId = await world.channel(world.owner);
    const published = listen(channelId);
    const before = await lastSeq(channelId);
    const res = await world.owner.api.post(`/channels/${channelId}/messages`, { body: 'to nowhere', thread_root_id: randomUUID() });
    expect(res.status).toBe(404);
    expect(published).toEqual([]);
    expect(await lastSeq(channelId)).toBe(before);
  });
});
