import { afterAll, expect, it, inject } from 'vitest';
import { createWorld } from '../test/fixtures.js';
import { startChildServer, type ChildServer } from '../test/child-server.js';
import { openSocket, type RecordingSocket } from '../test/sockets.js';

const children: ChildServer[] = [];
const sockets: RecordingSocket[] = [];
afterAll(async () => {
  for (const s of sockets) s.close();
  for (const c of children) await c.kill();
});

it('loses no acknowledged message and duplicates no event when the server is SIGKILLed mid-burst', async () => {
  const env = { DATABASE_URL: inject('databaseUrl') };
  const first = await startChildServer(env);
  children.push(first);
  const w = await createWorld(first.url);
  const senders = [w.owner, await w.person('member', 'Bob'), await w.person('member', 'Cy')];
  const watcher = await w.person('member', 'Dee');
  const channel = await w.channel(w.owner, { members: senders.slice(1).map((p) => p.memberId).concat(watcher.memberId) });

  const watch = await openSocket(first.url, watcher.token, w.orgId);
  sockets.push(watch);
  const sending = await Promise.all(senders.map((p) => openSocket(first.url, p.token, w.orgId)));
  sockets.push(...sending);

  // Each sender sends 40 messages back to back over its socket; the server is killed after 30 acks in all.
  const acked: string[] = [];
  const kill: { done: Promise<void> | null } = { done: null };
  const bursts = sending.map(async (s, who) => {
    for (let i = 0; i < 40; i++) {
      const { message } = await s.socket.send(channel, `sender ${who} message ${i}`);
      acked.push(message.id);
      if (acked.length === 30 && !kill.done) kill.done = first.kill('SIGKILL');
    }
  });
  await watch.until(() => kill.done);
  await kill.done;

  // Same port, same database: the clients reconnect on their own, resume, and resend what was in flight.
  const second = await startChildServer(env, first.port);
  children.push(second);
  await Promise.all(bursts);
  expect(acked).toHaveLength(120);

  const history: { id: string; body: string }[] = [];
  for (let before: number | undefined; ; ) {
    const page = await w.owner.api.get(`/channels/${channel}/messages?limit=200${before ? `&before=${before}` : ''}`.replace(w.owner.api.baseUrl, ''));
    history.unshift(...page.body.messages);
    if (!page.body.has_more_before) break;
    before = page.body.messages[0].seq;
  }
  // The test's own api points at the first server's URL, which the second server now answers on.
  const ids = history.map((m) => m.id);
  expect(new Set(ids).size).toBe(ids.length);
  expect(new Set(ids)).toEqual(new Set(acked));
  expect(new Set(history.map((m) => m.body)).size).toBe(120);

  await watch.until(() => watch.messagesIn(channel).length === 120);
  const seqs = watch.eventsOf(channel).map((e) => e.seq);
  expect(new Set(seqs).size).toBe(seqs.length);
  expect(seqs).toEqual(seqs.map((_, i) => seqs[0]! + i)); // in order, nothing skipped, nothing twice
  expect(watch.messagesIn(channel).sort()).toEqual(history.map((m) => m.body).sort());
}, 120_000);
