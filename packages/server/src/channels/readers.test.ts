import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../server.js';
import { createWorld, type World } from '../test/fixtures.js';
import { startTestServer } from '../test/server.js';
import { readerCacheStats, readersOf } from './readers.js';

let server: RunningServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

async function readers(channelId: string): Promise<string[]> {
  const sets = await readersOf(server.ctx, [channelId]);
  return [...(sets.get(channelId) ?? [])].sort();
}

async function epochs(...channelIds: string[]): Promise<number[]> {
  const rows = await server.ctx.db.selectFrom('channels').select(['id', 'members_epoch']).where('id', 'in', channelIds).execute();
  return channelIds.map((id) => rows.find((r) => r.id === id)?.members_epoch ?? -1);
}

const sorted = (...ids: string[]) => [...ids].sort();
const plusOne = (xs: number[]) => xs.map((x) => x + 1);

async function dm(world: World, opener: { api: World['owner']['api'] }, memberIds: string[]): Promise<string> {
  const res = await opener.api.post(`/orgs/${world.orgId}/dms`, { member_ids: memberIds });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.channel.id as string;
}

describe('who reads a channel', () => {
  it('is computed from memberships: active members, and for public channels every active person but guests', async () => {
    const w = await createWorld(server.url);
    const [x, y, g, d] = [await w.person('member', 'X'), await w.person('member', 'Y'), await w.person('guest', 'G'), await w.person('member', 'D')];
    const bot = await w.agent({ sponsor: x });
    const pub = await w.channel(x, { kind: 'public', members: [bot.memberId, g.memberId, d.memberId] });
    const priv = await w.channel(x, { kind: 'private', members: [y.memberId, bot.memberId, d.memberId] });
    const dmXY = await dm(w, x, [y.memberId]);
    const group = await dm(w, x, [y.memberId, w.owner.memberId]);
    expect((await w.owner.api.post(`/orgs/${w.orgId}/members/${d.memberId}/deactivate`)).status).toBe(200);

    expect(await readers(w.generalId)).toEqual(sorted(w.owner.memberId, x.memberId, y.memberId));
    expect(await readers(pub)).toEqual(sorted(w.owner.memberId, x.memberId, y.memberId, g.memberId, bot.memberId));
    expect(await readers(priv)).toEqual(sorted(x.memberId, y.memberId, bot.memberId));
    expect(await readers(dmXY)).toEqual(sorted(x.memberId, y.memberId));
    expect(await readers(group)).toEqual(sorted(x.memberId, y.memberId, w.owner.memberId));

    // The same answer as the channel boundary gives each active member who asks.
    const askers = [w.owner, x, y, g, bot].map((m) => ({ id: m.memberId, api: m.api }));
    for (const channelId of [w.generalId, pub, priv, dmXY, group]) {
      const expected = await readers(channelId);
      for (const asker of askers) {
        const res = await asker.api.get(`/channels/${channelId}`);
        expect(res.status === 200, `${asker.id} on ${channelId}: ${res.status}`).toBe(expected.includes(asker.id));
      }
    }
  });

  it('is cached per channel until its members epoch moves', async () => {
    const w = await createWorld(server.url);
    const x = await w.person('member', 'X');
    const priv = await w.channel(w.owner, { kind: 'private', members: [x.memberId] });
    await readers(priv);
    const before = readerCacheStats(server.ctx);
    expect(await readers(priv)).toEqual(sorted(w.owner.memberId, x.memberId));
    const hit = readerCacheStats(server.ctx);
    expect(hit.hits - before.hits).toBe(1);
    expect(hit.misses - before.misses).toBe(0);

    const y = await w.person('member', 'Y');
    expect((await w.owner.api.post(`/channels/${priv}/members`, { member_id: y.memberId })).status).toBe(201);
    expect(await readers(priv)).toEqual(sorted(w.owner.memberId, x.memberId, y.memberId));
    const after = readerCacheStats(server.ctx);
    expect(after.misses - hit.misses).toBe(1);
  });

  it('is read afresh after every kind of change that alters it', async () => {
    const w = await createWorld(server.url);
    const x = await w.person('member', 'X');
    const y = await w.person('member', 'Y');
    const bot = await w.agent({ sponsor: x });
    const pub = await w.channel(w.owner, { kind: 'public', members: [x.memberId, bot.memberId] });
    const priv = await w.channel(w.owner, { kind: 'private', members: [x.memberId, bot.memberId] });
    const other = await w.channel(w.owner, { kind: 'private' });
    const all = [w.generalId, pub, priv, other];
    await readersOf(server.ctx, all);

    // Adding to and removing from a channel: that channel only.
    let e = await epochs(...all);
    expect((await w.owner.api.post(`/channels/${priv}/members`, { member_id: y.memberId })).status).toBe(201);
    expect(await epochs(...all)).toEqual([e[0], e[1], e[2]! + 1, e[3]]);
    expect(await readers(priv)).toContain(y.memberId);
    e = await epochs(...all);
    expect((await y.api.post(`/channels/${priv}/leave`)).status).toBe(204);
    expect(await epochs(...all)).toEqual([e[0], e[1], e[2]! + 1, e[3]]);
    expect(await readers(priv)).not.toContain(y.memberId);

    // A channel role is not a reading right: observers read too.
    e = await epochs(...all);
    expect((await w.owner.api.patch(`/channels/${priv}/members/${x.memberId}`, { role: 'observer' })).status).toBe(204);
    expect(await epochs(...all)).toEqual(e);

    // Becoming a guest: every public channel loses a reader.
    e = await epochs(...all);
    expect((await w.owner.api.patch(`/orgs/${w.orgId}/members/${y.memberId}`, { role: 'guest' })).status).toBe(200);
    expect(await epochs(...all)).toEqual([e[0]! + 1, e[1]! + 1, e[2], e[3]]);
    expect(await readers(pub)).not.toContain(y.memberId);
    expect(await readers(w.generalId)).toContain(y.memberId); // a guest still reads the channels they are in
    e = await epochs(...all);
    expect((await w.owner.api.patch(`/orgs/${w.orgId}/members/${y.memberId}`, { role: 'member' })).status).toBe(200);
    expect(await epochs(...all)).toEqual([e[0]! + 1, e[1]! + 1, e[2], e[3]]);
    expect(await readers(pub)).toContain(y.memberId);

    // Deactivating a person: the channels they are in and every public one, and their agents' channels.
    e = await epochs(...all);
    expect((await w.owner.api.post(`/orgs/${w.orgId}/members/${x.memberId}/deactivate`)).status).toBe(200);
    expect(await epochs(...all)).toEqual([e[0]! + 1, e[1]! + 1, e[2]! + 1, e[3]]);
    expect(await readers(priv)).toEqual([w.owner.memberId]);
    expect(await readers(pub)).not.toContain(bot.memberId);
    e = await epochs(...all);
    expect((await w.owner.api.post(`/orgs/${w.orgId}/members/${x.memberId}/reactivate`)).status).toBe(200);
    expect(await epochs(...all)).toEqual(plusOne([e[0]!, e[1]!, e[2]!]).concat([e[3]!]));
    expect(await readers(priv)).toEqual([w.owner.memberId, x.memberId].sort());

    // An agent back from suspension, then suspended: only the channels it serves.
    e = await epochs(...all);
    expect((await x.api.patch(`/agents/${bot.memberId}`, { status: 'active' })).status).toBe(200);
    expect(await epochs(...all)).toEqual([e[0], e[1]! + 1, e[2]! + 1, e[3]]);
    expect(await readers(priv)).toContain(bot.memberId);
    e = await epochs(...all);
    expect((await x.api.patch(`/agents/${bot.memberId}`, { status: 'suspended' })).status).toBe(200);
    expect(await epochs(...all)).toEqual([e[0], e[1]! + 1, e[2]! + 1, e[3]]);
    expect(await readers(priv)).not.toContain(bot.memberId);

    // A new person in the org reads every public channel; a new guest reads none.
    e = await epochs(...all);
    const z = await w.person('member', 'Z');
    const after = await epochs(...all);
    expect(after[0]).toBeGreaterThan(e[0]!);
    expect([after[1], after[2], after[3]]).toEqual([e[1]! + 1, e[2], e[3]]);
    expect(await readers(pub)).toContain(z.memberId);
    e = await epochs(...all);
    await w.person('guest', 'G');
    expect(await epochs(...all)).toEqual(e);
  });
});
