import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChannelEvent } from '@chorus/protocol/events';
import type { RunningServer } from '../server.js';
import { createWorld } from '../test/fixtures.js';
import { startTestServer } from '../test/server.js';
import { sql } from 'kysely';
import { accessChannel } from '../channels/access.js';
import { removeIn } from '../channels/membership.js';
import { resolvePrincipal } from '../http/auth.js';
import { sendQueue } from './send-queue.js';
import { readEvents } from '../realtime/event-log.js';
import { upload } from '../test/files.js';

let server: RunningServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

describe('sends committed together (group commit)', () => {
  it('stores a burst of concurrent sends across channels with gapless seqs and events in order', async () => {
    const w = await createWorld(server.url);
    const people = [w.owner, await w.person('member', 'Bo'), await w.person('member', 'Cy')];
    const channels = [await w.channel(w.owner, { members: people.slice(1).map((p) => p.memberId) }), await w.channel(w.owner, { members: people.slice(1).map((p) => p.memberId) })];
    const published: ChannelEvent[] = [];
    const off = server.ctx.bus.subscribe((e) => {
      if (channels.includes(e.channel_id)) published.push(e);
    });

    const sends = people.flatMap((p, who) =>
      channels.flatMap((channel, where) =>
        Array.from({ length: 20 }, (_, i) => p.api.post(`/channels/${channel}/messages`, { body: `${who}/${where}/${i} hi @${people[(who + 1) % 3]!.handle}`, client_msg_id: `${where}-${i}` })),
      ),
    );
    const replies = await Promise.all(sends);
    off();
    expect(replies.map((r) => r.status)).toEqual(replies.map(() => 201));

    for (const channel of channels) {
      const history = await w.owner.api.get(`/channels/${channel}/messages?limit=200`);
      expect(history.body.messages).toHaveLength(60);
      for (const m of history.body.messages) expect(m.mentions.member_ids).toHaveLength(1);
      const rows = await readEvents(server.ctx.db, w.orgId, channel, 0, Number.MAX_SAFE_INTEGER);
      expect(rows.map((r) => r.seq)).toEqual(rows.map((_, i) => i + 1));
      const seen = published.filter((e) => e.channel_id === channel).map((e) => e.seq);
      expect(seen).toEqual([...seen].sort((a, b) => a - b));
    }
  });

  it('refuses one bad send of a burst alone; the others are stored', async () => {
    const w = await createWorld(server.url);
    const other = await w.channel(w.owner);
    const foreignRoot = await w.post(w.owner, other, 'a root elsewhere');
    const root = await w.post(w.owner, w.generalId, 'root');
    const replies = await Promise.all([
      w.owner.api.post(`/channels/${w.generalId}/messages`, { body: 'fine 1' }),
      w.owner.api.post(`/channels/${w.generalId}/messages`, { body: 'bad', thread_root_id: foreignRoot.id }),
      w.owner.api.post(`/channels/${w.generalId}/messages`, { body: 'reply', thread_root_id: root.id }),
      w.owner.api.post(`/channels/${w.generalId}/messages`, { body: 'fine 2' }),
    ]);
    expect(replies.map((r) => r.status)).toEqual([201, 404, 201, 201]);
    expect(replies[1].body.error.code).toBe('thread_root_not_found');
    const history = await w.owner.api.get(`/channels/${w.generalId}/messages`);
    expect(history.body.messages.map((m: any) => m.body).sort()).toEqual(['fine 1', 'fine 2', 'root']);
    expect(history.body.messages.find((m: any) => m.id === root.id).thread.reply_count).toBe(1);
  });

  it('counts replies sent together to one thread one by one', async () => {
    const w = await createWorld(server.url);
    const bob = await w.person('member', 'Bob');
    const root = await w.post(w.owner, w.generalId, 'discuss');
    const replies = await Promise.all(Array.from({ length: 12 }, (_, i) => (i % 2 ? bob : w.owner).api.post(`/channels/${w.generalId}/messages`, { body: `r${i}`, thread_root_id: root.id })));
    expect(replies.every((r) => r.status === 201)).toBe(true);
    const thread = await w.owner.api.get(`/messages/${root.id}/thread`);
    expect(thread.body.root.thread).toMatchObject({ reply_count: 12, participants: expect.arrayContaining([w.owner.memberId, bob.memberId]) });
    expect(thread.body.root.thread.participants).toHaveLength(2);
    expect(thread.body.messages).toHaveLength(12);
  });
});

describe('a send that waits for its channel', () => {
  it('is judged by the membership after the change it waited behind: a member removed meanwhile is refused', async () => {
    const w = await createWorld(server.url);
    const bob = await w.person('member', 'Bob');
    const channel = await w.channel(w.owner, { kind: 'private', members: [bob.memberId] });
    const principal = await resolvePrincipal(server.ctx, w.owner.token);
    if (!principal) throw new Error('no principal');
    const a = await accessChannel(server.ctx, principal, channel, () => ({ allowed: true }));

    // The owner removes Bob in a transaction that holds the channel's lock, uncommitted, while Bob's send arrives.
    const trx = await server.ctx.db.startTransaction().execute();
    await removeIn({ trx, events: [], signals: [] }, a, bob.memberId);
    const send = bob.api.post(`/channels/${channel}/messages`, { body: 'sent as I was removed' });
    const waiting = async () => (await sql<{ n: number }>`select count(*)::int as n from pg_locks where not granted`.execute(server.ctx.db)).rows[0]?.n ?? 0;
    while ((await waiting()) === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    await trx.commit().execute();

    const res = await send;
    expect(res.status, JSON.stringify(res.body)).toBe(404);
    const history = await w.owner.api.get(`/channels/${channel}/messages`);
    expect(history.body.messages.map((m: any) => m.body)).not.toContain('sent as I was removed');
  });
});

describe('batches written together', () => {
  it('never share a channel: a send to a free channel is not held behind one whose channel is locked elsewhere', async () => {
    const w = await createWorld(server.url);
    const busy = await w.channel(w.owner);
    const free = await w.channel(w.owner);
    const queue = sendQueue(server.ctx);
    const waiting = async () => (await sql<{ n: number }>`select count(*)::int as n from pg_locks where not granted`.execute(server.ctx.db)).rows[0]?.n ?? 0;
    const until = async (ready: () => Promise<boolean> | boolean) => {
      while (!(await ready())) await new Promise((resolve) => setTimeout(resolve, 10));
    };

    // Another transaction holds the busy channel; the first send to it waits for the lock in one writer.
    const trx = await server.ctx.db.startTransaction().execute();
    await trx.selectFrom('channels').select('id').where('id', '=', busy).forUpdate().execute();
    const first = w.owner.api.post(`/channels/${busy}/messages`, { body: 'busy 1' });
    await until(async () => (await waiting()) > 0);
    // The second send to it waits in the queue, ahead of a send to the free channel. The stalled batch stops
    // counting, and a second writer takes the free channel's send, not the one that would wait behind the lock.
    const second = w.owner.api.post(`/channels/${busy}/messages`, { body: 'busy 2' });
    await until(() => queue.depth === 2);
    const elsewhere = await w.owner.api.post(`/channels/${free}/messages`, { body: 'free' });
    expect(elsewhere.status).toBe(201);

    await trx.commit().execute();
    expect((await first).status).toBe(201);
    expect((await second).status).toBe(201);
    const history = await w.owner.api.get(`/channels/${busy}/messages`);
    expect(history.body.messages.map((m: any) => m.body)).toEqual(['busy 1', 'busy 2']);
  });
});

describe('what a send tells', () => {
  it('its event, its reply and a later read show the same message: mentions, attachments, thread and time as stored', async () => {
    const w = await createWorld(server.url);
    const bob = await w.person('member', 'Bob');
    const channel = await w.channel(w.owner, { members: [bob.memberId] });
    const root = await w.post(w.owner, channel, 'the root');
    const up = await upload(w.owner.api, channel, 'notes', 'notes.txt', 'text/plain');
    const published: ChannelEvent[] = [];
    const off = server.ctx.bus.subscribe((e) => {
      if (e.channel_id === channel) published.push(e);
    });
    const posted = await w.owner.api.post(`/channels/${channel}/messages`, { body: `see this @${bob.handle}`, thread_root_id: root.id, file_ids: [up.body.file.id] });
    off();
    expect(posted.status, JSON.stringify(posted.body)).toBe(201);

    const read = await w.owner.api.get(`/messages/${posted.body.message.id}`);
    expect(read.body.message.mentions.member_ids).toEqual([bob.memberId]);
    expect(read.body.message.attachments.map((f: { id: string }) => f.id)).toEqual([up.body.file.id]);
    expect(posted.body.message).toEqual(read.body.message);
    const created = published.find((e) => e.type === 'message.created');
    expect(created?.payload).toEqual({ message: read.body.message });
    const thread = published.find((e) => e.type === 'thread.updated');
    const rootRead = await w.owner.api.get(`/messages/${root.id}`);
    expect(thread?.payload).toEqual({ thread: rootRead.body.message.thread });
    expect(rootRead.body.message.thread.last_reply_at).toBe(read.body.message.created_at);
  });
});
