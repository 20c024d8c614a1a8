import { afterAll, expect, inject, it } from 'vitest';
import { Api } from '../test/client.js';
import { createWorld } from '../test/fixtures.js';
import { startChildServer, type ChildServer } from '../test/child-server.js';
import { openSocket, type RecordingSocket } from '../test/sockets.js';

/**
 * Two Chorus nodes sharing one PostgreSQL and one Redis (the machine's, at
 * 127.0.0.1:6379 unless REDIS_URL says otherwise), as in a cluster deployment.
 */
const env = { DATABASE_URL: process.env.DATABASE_URL ?? inject('databaseUrl'), REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' };
const children: ChildServer[] = [];
const sockets: RecordingSocket[] = [];
afterAll(async () => {
  for (const s of sockets) s.close();
  for (const c of children) await c.kill();
});

async function node(): Promise<ChildServer> {
  const n = await startChildServer(env);
  children.push(n);
  return n;
}

function gapless(seqs: number[]): boolean {
  return seqs.every((s, i) => i === 0 || s === seqs[i - 1]! + 1);
}

it('delivers events committed on one node to sockets on the other, and shares presence', async () => {
  const [a, b] = [await node(), await node()];
  const w = await createWorld(a.url);
  const bob = await w.person('member', 'Bob');
  const channel = await w.channel(w.owner, { members: [bob.memberId] });

  const onB = await openSocket(b.url, bob.token, w.orgId);
  sockets.push(onB);
  const onA = await openSocket(a.url, w.owner.token, w.orgId);
  sockets.push(onA);
  await onB.until(() => onB.frames.some((f) => f.type === 'presence' && f.member_id === w.owner.memberId && f.status === 'online'));

  for (let i = 0; i < 10; i++) await w.post(w.owner, channel, `from A ${i}`); // REST on node A
  await onB.until(() => onB.messagesIn(channel).length === 10);
  expect(onB.messagesIn(channel)).toEqual(Array.from({ length: 10 }, (_, i) => `from A ${i}`));
  expect(gapless(onB.eventsOf(channel).map((e) => e.seq))).toBe(true);
}, 60_000);

it('moves the clients of a killed node to the other node with no gap and no duplicate', async () => {
  const [a, b] = [await node(), await node()];
  const w = await createWorld(a.url);
  const people = [await w.person('member', 'P1'), await w.person('member', 'P2'), await w.person('member', 'P3')];
  const channel = await w.channel(w.owner, { members: people.map((p) => p.memberId) });

  // Clients of node A know node B as their fallback; a client of node B stays put.
  const onA = await Promise.all(people.slice(0, 2).map((p) => openSocket([a.url, b.url], p.token, w.orgId)));
  const onB = await openSocket(b.url, people[2]!.token, w.orgId);
  sockets.push(...onA, onB);
  const poster = new Api(b.url, w.owner.token);

  let sent = 0;
  const post = async () => {
    const res = await poster.post(`/channels/${channel}/messages`, { body: `m${sent}` });
    expect(res.status).toBe(201);
    sent += 1;
  };
  for (let i = 0; i < 20; i++) await post();
  await Promise.all(onA.map((s) => s.until(() => s.messagesIn(channel).length === 20)));

  // Kill node A mid-stream: keep posting through B while A's clients fail over.
  const killing = a.kill('SIGKILL');
  for (let i = 0; i < 20; i++) await post();
  await killing;
  for (let i = 0; i < 20; i++) await post();

  const expected = Array.from({ length: 60 }, (_, i) => `m${i}`);
  for (const s of [...onA, onB]) {
    await s.until(() => s.messagesIn(channel).length >= 60);
    expect(s.messagesIn(channel)).toEqual(expected);
    expect(gapless(s.eventsOf(channel).map((e) => e.seq))).toBe(true);
  }
  for (const s of onA) expect(s.frames.some((f) => f.type === 'state' && f.state === 'reconnecting')).toBe(true);
}, 90_000);
