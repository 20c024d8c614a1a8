import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../server.js';
import { createWorld } from '../test/fixtures.js';
import { startTestServer } from '../test/server.js';
import { openSocket, type RecordingSocket } from '../test/sockets.js';

let server: RunningServer;
const sockets: RecordingSocket[] = [];
beforeAll(async () => {
  server = await startTestServer();
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

/** Bob, a member of a channel of the owner's, saw one message there and went offline: his cursors to resume from. */
async function awayAfterOneMessage() {
  const w = await createWorld(server.url);
  const bob = await w.person('member', 'Bob');
  const channel = await w.channel(w.owner, { members: [bob.memberId] });
  const first = await connect(bob.token, w.orgId);
  await w.post(w.owner, channel, 'before');
  await first.until(() => first.messagesIn(channel).length === 1);
  first.close();
  return { w, bob, channel, cursors: Object.fromEntries(first.socket.cursors) };
}

describe('realtime gateway', () => {
  it('delivers a message posted over REST to the other members, once', async () => {
    const w = await createWorld(server.url);
    const bob = await w.person('member', 'Bob');
    const channel = await w.channel(w.owner, { members: [bob.memberId] });
    const bobSocket = await connect(bob.token, w.orgId);

    await w.post(w.owner, channel, 'hello bob');
    await bobSocket.until(() => bobSocket.messagesIn(channel).length === 1);
    const created = bobSocket.eventsOf(channel, 'message.created')[0]!;
    expect(created.payload).toMatchObject({ message: { body: 'hello bob', author: { id: w.owner.memberId, kind: 'human' } } });
    expect(created.seq).toBeGreaterThan(0);
  });

  it('sends over the socket with an ack after commit, idempotently', async () => {
    const w = await createWorld(server.url);
    const s = await connect(w.owner.token, w.orgId);
    const first = await s.socket.send(w.generalId, 'over the wire', { clientMsgId: 'c-1' });
    expect(first.duplicate).toBe(false);
    expect(first.message.body).toBe('over the wire');
    const stored = await w.owner.api.get(`/messages/${first.message.id}`);
    expect(stored.status).toBe(200);

    const again = await s.socket.send(w.generalId, 'over the wire', { clientMsgId: 'c-1' });
    expect(again).toMatchObject({ duplicate: true, message: { id: first.message.id } });
    const history = await w.owner.api.get(`/channels/${w.generalId}/messages`);
    expect(history.body.messages.filter((m: any) => m.body === 'over the wire')).toHaveLength(1);
  });

  it('refuses a send the policy refuses, with the rule that refused it', async () => {
    const w = await createWorld(server.url);
    const guest = await w.person('guest', 'Gus');
    const s = await connect(guest.token, w.orgId);
    await expect(s.socket.send(w.generalId, 'let me in')).rejects.toMatchObject({ code: 'channel_not_found' });
  });

  it('judges each socket send as things are when it is written, not as they were when the socket opened', async () => {
    const w = await createWorld(server.url);
    const bob = await w.person('member', 'Bob');
    const channel = await w.channel(w.owner, { kind: 'private', members: [bob.memberId] });
    const s = await connect(bob.token, w.orgId);
    expect((await s.socket.send(channel, 'while a member')).message.body).toBe('while a member');

    expect((await w.owner.api.patch(`/channels/${channel}/members/${bob.memberId}`, { role: 'observer' })).status).toBe(204);
    await expect(s.socket.send(channel, 'as an observer')).rejects.toMatchObject({ code: 'read_only_member' });
    expect((await w.owner.api.delete(`/channels/${channel}/members/${bob.memberId}`)).status).toBe(204);
    await expect(s.socket.send(channel, 'after removal')).rejects.toMatchObject({ code: 'channel_not_found' });

    const bodies = (await w.owner.api.get(`/channels/${channel}/messages`)).body.messages.map((m: { body: string }) => m.body);
    expect(bodies).toContain('while a member');
    expect(bodies).not.toContain('as an observer');
    expect(bodies).not.toContain('after removal');
  });

  it('resumes from the client\'s cursors with exactly the events it missed, in order', async () => {
    const { w, bob, channel, cursors } = await awayAfterOneMessage();

    for (let i = 0; i < 5; i++) await w.post(w.owner, channel, `missed ${i}`);
    const resumed = await openSocket(server.url, bob.token, w.orgId, { cursors });
    sockets.push(resumed);
    await w.post(w.owner, channel, 'live');
    await resumed.until(() => resumed.messagesIn(channel).includes('live'));

    expect(resumed.messagesIn(channel)).toEqual(['missed 0', 'missed 1', 'missed 2', 'missed 3', 'missed 4', 'live']);
    const seqs = resumed.eventsOf(channel).map((e) => e.seq);
    expect(seqs[0]).toBe(cursors[channel]! + 1);
    expect(seqs).toEqual(seqs.map((_, i) => seqs[0]! + i)); // gapless: every event after the cursor, once
  });

  it('replays what was said while away as it is now: a deleted message without a word of it, an edited one edited', async () => {
    const { w, bob, channel, cursors } = await awayAfterOneMessage();

    const secret = await w.post(w.owner, channel, 'the password is hunter2');
    const typo = await w.post(w.owner, channel, 'teh plan');
    expect((await w.owner.api.patch(`/messages/${secret.id}`, { body: 'the password is hunter3' })).status).toBe(200);
    expect((await w.owner.api.delete(`/messages/${secret.id}`)).status).toBe(200);
    expect((await w.owner.api.patch(`/messages/${typo.id}`, { body: 'the plan' })).status).toBe(200);
    const resumed = await openSocket(server.url, bob.token, w.orgId, { cursors });
    sockets.push(resumed);
    await w.post(w.owner, channel, 'live');
    await resumed.until(() => resumed.messagesIn(channel).includes('live'));

    expect(resumed.eventsOf(channel).map((e) => e.type)).toEqual(['message.created', 'message.created', 'message.edited', 'message.deleted', 'message.edited', 'message.created']);
    expect(resumed.messagesIn(channel)).toEqual(['', 'the plan', 'live']);
    expect(JSON.stringify(resumed.frames)).not.toContain('hunter');
    const seqs = resumed.eventsOf(channel).map((e) => e.seq);
    expect(seqs).toEqual(seqs.map((_, i) => cursors[channel]! + 1 + i));
  });

  it('reconnects by itself after a dropped connection and resumes without gaps or duplicates', async () => {
    const w = await createWorld(server.url);
    const bob = await w.person('member', 'Bob');
    const channel = await w.channel(w.owner, { members: [bob.memberId] });
    const s = await connect(bob.token, w.orgId);
    await w.post(w.owner, channel, 'before');
    await s.until(() => s.messagesIn(channel).length === 1);

    s.socket.drop();
    await s.until(() => s.frames.some((f) => f.type === 'state' && f.state === 'reconnecting'));
    for (let i = 0; i < 5; i++) await w.post(w.owner, channel, `during ${i}`);
    await s.until(() => s.messagesIn(channel).length === 6);
    await s.until(() => s.socket.state === 'open');

    expect(s.messagesIn(channel)).toEqual(['before', 'during 0', 'during 1', 'during 2', 'during 3', 'during 4']);
    const seqs = s.eventsOf(channel).map((e) => e.seq);
    expect(seqs).toEqual(seqs.map((_, i) => seqs[0]! + i));
  });

  it('answers a cursor further back than the replay window with a resync', async () => {
    const w = await createWorld(server.url);
    const bob = await w.person('member', 'Bob');
    const channel = await w.channel(w.owner, { members: [bob.memberId] });
    const s = await openSocket(server.url, bob.token, w.orgId, { cursors: { [channel]: 999_999 } });
    sockets.push(s);
    const resync = await s.until(() => s.frames.find((f) => f.type === 'resync' && f.channel_id === channel));
    expect(resync.reason).toBe('cursor_ahead');
    await w.post(w.owner, channel, 'after resync');
    await s.until(() => s.messagesIn(channel).includes('after resync'));
  });

  it('starts following a channel the moment its member is added, and stops when removed', async () => {
    const w = await createWorld(server.url);
    const bob = await w.person('member', 'Bob');
    const channel = await w.channel(w.owner, { kind: 'private' });
    const s = await connect(bob.token, w.orgId);
    await w.post(w.owner, channel, 'secret before bob');

    expect((await w.owner.api.post(`/channels/${channel}/members`, { member_id: bob.memberId })).status).toBe(201);
    await w.post(w.owner, channel, 'welcome bob');
    await s.until(() => s.messagesIn(channel).includes('welcome bob'));
    const joined = s.eventsOf(channel, 'member.joined')[0]!;
    expect(joined.payload).toMatchObject({ member_id: bob.memberId, channel: { id: channel, kind: 'private' } });
    expect(s.messagesIn(channel)).toEqual(['welcome bob']);

    expect((await w.owner.api.delete(`/channels/${channel}/members/${bob.memberId}`)).status).toBe(204);
    await s.until(() => s.frames.some((f) => f.type === 'unsubscribed' && f.channel_id === channel));
    await w.post(w.owner, channel, 'after bob left');
    // A later event in a channel Bob still reads proves the socket is live, and that nothing else came.
    await w.post(w.owner, w.generalId, 'marker');
    await s.until(() => s.messagesIn(w.generalId).includes('marker'));
    expect(s.messagesIn(channel)).not.toContain('after bob left');
    expect(s.eventsOf(channel).at(-1)?.type).toBe('member.left');
  });

  it('resumes across a removal and a re-adding that happened while offline: the leave, none of the gap, then everything since the return', async () => {
    const w = await createWorld(server.url);
    const bob = await w.person('member', 'Bob');
    const channel = await w.channel(w.owner, { kind: 'private', members: [bob.memberId] });
    const first = await connect(bob.token, w.orgId);
    await w.post(w.owner, channel, 'before');
    await first.until(() => first.messagesIn(channel).includes('before'));
    first.close();
    const cursors = Object.fromEntries(first.socket.cursors);

    expect((await w.owner.api.delete(`/channels/${channel}/members/${bob.memberId}`)).status).toBe(204);
    await w.post(w.owner, channel, 'while bob was out');
    expect((await w.owner.api.post(`/channels/${channel}/members`, { member_id: bob.memberId })).status).toBe(201);
    await w.post(w.owner, channel, 'welcome back');

    const resumed = await openSocket(server.url, bob.token, w.orgId, { cursors });
    sockets.push(resumed);
    await resumed.until(() => resumed.messagesIn(channel).includes('welcome back'));
    await w.post(w.owner, channel, 'live');
    await resumed.until(() => resumed.messagesIn(channel).includes('live'));

    expect(resumed.eventsOf(channel).map((e) => e.type)).toEqual(['member.left', 'member.joined', 'message.created', 'message.created']);
    expect(resumed.messagesIn(channel)).toEqual(['welcome back', 'live']);
    expect(resumed.frames.some((f) => f.type === 'unsubscribed')).toBe(false);
  });

  it('shows typing to the others in the channel, throttled', async () => {
    const w = await createWorld(server.url);
    const bob = await w.person('member', 'Bob');
    const ana = await connect(w.owner.token, w.orgId);
    const bobSocket = await connect(bob.token, w.orgId);
    bobSocket.socket.typing(w.generalId);
    bobSocket.socket.typing(w.generalId);
    await ana.until(() => ana.frames.some((f) => f.type === 'typing' && f.member_id === bob.memberId));
    await w.post(w.owner, w.generalId, 'marker');
    await ana.until(() => ana.messagesIn(w.generalId).includes('marker'));
    expect(ana.frames.filter((f) => f.type === 'typing')).toHaveLength(1);
    expect(bobSocket.frames.filter((f) => f.type === 'typing')).toHaveLength(0);
  });

  it('tracks presence: online on connect, away on request, offline with last seen on disconnect', async () => {
    const w = await createWorld(server.url);
    const bob = await w.person('member', 'Bob');
    const ana = await connect(w.owner.token, w.orgId);
    const bobSocket = await connect(bob.token, w.orgId);
    await ana.until(() => ana.frames.some((f) => f.type === 'presence' && f.member_id === bob.memberId && f.status === 'online'));
    bobSocket.socket.setPresence('away');
    await ana.until(() => ana.frames.some((f) => f.type === 'presence' && f.member_id === bob.memberId && f.status === 'away'));
    bobSocket.close();
    const offline = await ana.until(() => ana.frames.find((f) => f.type === 'presence' && f.member_id === bob.memberId && f.status === 'offline'));
    expect(offline.last_seen_at).toEqual(expect.any(String));
    const snapshot = await w.owner.api.get(`/orgs/${w.orgId}/presence`);
    const byMember = Object.fromEntries(snapshot.body.presence.map((p: any) => [p.member_id, p]));
    expect(byMember[w.owner.memberId].status).toBe('online');
    expect(byMember[bob.memberId]).toMatchObject({ status: 'offline', last_seen_at: expect.any(String) });
  });

  it("moves the member's read cursor and tells their other connections", async () => {
    const w = await createWorld(server.url);
    const phone = await connect(w.owner.token, w.orgId);
    const laptop = await connect(w.owner.token, w.orgId);
    const { message } = await laptop.socket.send(w.generalId, 'read me');
    laptop.socket.markRead(w.generalId, message.seq);
    const read = await phone.until(() => phone.frames.find((f) => f.type === 'read' && f.channel_id === w.generalId));
    expect(read.seq).toBe(message.seq);
    const list = await w.owner.api.get(`/orgs/${w.orgId}/channels`);
    expect(list.body.channels.find((c: any) => c.channel.id === w.generalId).membership.last_read_seq).toBe(message.seq);
  });
});

/**
 * history_for_new_members = since_join on the socket: a member who joined
 * later hears nothing about the messages from before — not their reactions,
 * pins or thread summaries, not replies in their threads — live or on resume,
 * as REST shows nothing of them; what comes after is theirs.
 */
describe('a member who joined a since_join channel later', () => {
  it('hears nothing of the history before they joined, live or on resume, and everything after', async () => {
    const w = await createWorld(server.url);
    const bob = await w.person('member', 'Bob');
    const channel = await w.channel(w.owner, { history_for_new_members: 'since_join' });
    const before = await w.post(w.owner, channel, 'Before Bob: the salary bands.');
    const api = w.owner.api;
    expect((await bob.api.post(`/channels/${channel}/join`)).status).toBe(204);

    const live = await connect(bob.token, w.orgId);
    const about = async () => {
      expect((await api.put(`/messages/${before.id}/reactions/eyes`)).status).toBe(204);
      expect((await api.put(`/messages/${before.id}/pin`)).status).toBe(201);
      await w.post(w.owner, channel, 'A reply under the old root.', { thread_root_id: before.id });
    };
    await about();
    const after = await w.post(w.owner, channel, 'After Bob: welcome.');
    expect((await api.put(`/messages/${after.id}/reactions/tada`)).status).toBe(204);
    await w.post(w.owner, channel, 'marker 1');
    await live.until(() => live.messagesIn(channel).includes('marker 1'));

    const told = (s: RecordingSocket) => s.eventsOf(channel).filter((e) => JSON.stringify(e.payload).includes(before.id));
    expect(told(live).map((e) => e.type)).toEqual([]);
    expect(live.messagesIn(channel)).toEqual(['After Bob: welcome.', 'marker 1']);
    expect(live.eventsOf(channel, 'reaction.added')).toHaveLength(1);
    // REST agrees: Bob reads no message from before he joined, nor the reply under it.
    const history = await bob.api.get(`/channels/${channel}/messages`);
    expect(history.body.messages.map((m: { body: string }) => m.body)).toEqual(['After Bob: welcome.', 'marker 1']);

    // The same on resume: what happened while Bob was away is replayed from the log, filtered alike.
    const cursors = Object.fromEntries(live.socket.cursors);
    live.close();
    expect((await api.delete(`/messages/${before.id}/reactions/eyes`)).status).toBe(204);
    expect((await api.delete(`/messages/${before.id}/pin`)).status).toBe(204);
    await w.post(w.owner, channel, 'Another reply under the old root.', { thread_root_id: before.id });
    await w.post(w.owner, channel, 'marker 2');
    const resumed = await openSocket(server.url, bob.token, w.orgId, { cursors });
    sockets.push(resumed);
    await resumed.until(() => resumed.messagesIn(channel).includes('marker 2'));
    expect(told(resumed).map((e) => e.type)).toEqual([]);
    expect(resumed.messagesIn(channel)).toEqual(['marker 2']);
  });
});
