import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../server.js';
import type { Api } from '../test/client.js';
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

async function memberIds(api: Api, channelId: string): Promise<string[]> {
  const res = await api.get(`/channels/${channelId}/members`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.members.map((m: any) => m.member.id).sort();
}

async function leftEvents(channelId: string) {
  const rows = await server.ctx.db.selectFrom('channel_events').select(['seq', 'payload']).where('channel_id', '=', channelId).where('type', '=', 'member.left').orderBy('seq').execute();
  return rows.map((r) => ({ seq: r.seq, ...(r.payload as { member_id: string; removed_by: string | null }) }));
}

/** An agent serves only where its sponsor reads (DESIGN §2.2). */
describe("an agent's access follows its sponsor's", () => {
  it('leaves a private channel with its sponsor when the sponsor is removed, in the same change', async () => {
    const w = await createWorld(server.url);
    const x = await w.person('member', 'X');
    const bot = await w.agent({ sponsor: x });
    const ownersBot = await w.agent();
    const room = await w.channel(w.owner, { kind: 'private', members: [x.memberId, bot.memberId, ownersBot.memberId] });
    const botSocket = await openSocket(server.url, bot.token);
    sockets.push(botSocket);

    expect((await w.owner.api.delete(`/channels/${room}/members/${x.memberId}`)).status).toBe(204);

    expect(await memberIds(w.owner.api, room)).toEqual([w.owner.memberId, ownersBot.memberId].sort());
    const left = await leftEvents(room);
    expect(left.map(({ member_id, removed_by }) => ({ member_id, removed_by }))).toEqual([
      { member_id: x.memberId, removed_by: w.owner.memberId },
      { member_id: bot.memberId, removed_by: w.owner.memberId },
    ]);
    expect(left[1]!.seq).toBe(left[0]!.seq + 1);
    expect((await bot.api.get(`/channels/${room}/messages`)).status).toBe(404);
    await botSocket.until(() => botSocket.eventsOf(room, 'member.left').some((e) => e.type === 'member.left' && e.payload.member_id === bot.memberId));
  });

  it('leaves a private channel when its sponsor leaves it', async () => {
    const w = await createWorld(server.url);
    const x = await w.person('member', 'X');
    const bot = await w.agent({ sponsor: x });
    const room = await w.channel(w.owner, { kind: 'private', members: [x.memberId, bot.memberId] });

    expect((await x.api.post(`/channels/${room}/leave`)).status).toBe(204);
    expect(await memberIds(w.owner.api, room)).toEqual([w.owner.memberId]);
    expect((await leftEvents(room)).map(({ member_id, removed_by }) => ({ member_id, removed_by }))).toEqual([
      { member_id: x.memberId, removed_by: null },
      { member_id: bot.memberId, removed_by: x.memberId },
    ]);
  });

  it('stays in a public channel its sponsor leaves, since the sponsor still reads it', async () => {
    const w = await createWorld(server.url);
    const x = await w.person('member', 'X');
    const bot = await w.agent({ sponsor: x });
    const lobby = await w.channel(w.owner, { kind: 'public', members: [x.memberId, bot.memberId] });

    expect((await x.api.post(`/channels/${lobby}/leave`)).status).toBe(204);
    expect(await memberIds(w.owner.api, lobby)).toEqual([w.owner.memberId, bot.memberId].sort());
    expect((await bot.api.get(`/channels/${lobby}/messages`)).status).toBe(200);
  });

  it('leaves the public channels its sponsor is not in when the sponsor becomes a guest, and stays where the sponsor still reads', async () => {
    const w = await createWorld(server.url);
    const x = await w.person('member', 'X');
    const bot = await w.agent({ sponsor: x });
    const joined = await w.channel(w.owner, { kind: 'public', members: [x.memberId, bot.memberId] });
    const notJoined = await w.channel(w.owner, { kind: 'public', members: [bot.memberId] });
    const privateRoom = await w.channel(w.owner, { kind: 'private', members: [x.memberId, bot.memberId] });

    expect((await w.owner.api.patch(`/orgs/${w.orgId}/members/${x.memberId}`, { role: 'guest' })).status).toBe(200);

    expect(await memberIds(w.owner.api, notJoined)).toEqual([w.owner.memberId]);
    expect((await leftEvents(notJoined)).map(({ member_id, removed_by }) => ({ member_id, removed_by }))).toEqual([{ member_id: bot.memberId, removed_by: w.owner.memberId }]);
    expect(await memberIds(w.owner.api, joined)).toContain(bot.memberId);
    expect(await memberIds(w.owner.api, privateRoom)).toContain(bot.memberId);
    expect(await leftEvents(joined)).toEqual([]);
    expect(await leftEvents(privateRoom)).toEqual([]);

    // With the sponsor a member again, the agent may be added there again.
    expect((await w.owner.api.patch(`/orgs/${w.orgId}/members/${x.memberId}`, { role: 'member' })).status).toBe(200);
    expect((await w.owner.api.post(`/channels/${notJoined}/members`, { member_id: bot.memberId })).status).toBe(201);
  });

  it('is in a direct message only together with its sponsor', async () => {
    const w = await createWorld(server.url);
    const x = await w.person('member', 'X');
    const y = await w.person('member', 'Y');
    const bot = await w.agent({ sponsor: x });

    const stray = await y.api.post(`/orgs/${w.orgId}/dms`, { member_ids: [bot.memberId] });
    expect(stray.status).toBe(409);
    expect(stray.body.error).toMatchObject({ code: 'sponsor_lacks_access', details: { member_ids: [bot.memberId] } });
    expect((await y.api.post(`/orgs/${w.orgId}/dms`, { member_ids: [x.memberId, bot.memberId] })).status).toBe(201);
    expect((await x.api.post(`/orgs/${w.orgId}/dms`, { member_ids: [bot.memberId] })).status).toBe(201);
  });

  it('is not added where its sponsor cannot read', async () => {
    const w = await createWorld(server.url);
    const x = await w.person('member', 'X');
    const bot = await w.agent({ sponsor: x });
    const room = await w.channel(w.owner, { kind: 'private' });
    const res = await w.owner.api.post(`/channels/${room}/members`, { member_id: bot.memberId });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('sponsor_lacks_access');
  });
});
