import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../server.js';
import { auditOf, writeMessage } from '../../test/context-fixtures.js';
import { createWorld } from '../../test/fixtures.js';
import { startTestServer } from '../../test/server.js';
import { openSocket } from '../../test/sockets.js';

let server: RunningServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

const pinsOf = async (who: { api: { get: (p: string) => Promise<any> } }, channelId: string) => {
  const res = await who.api.get(`/channels/${channelId}/pins`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.pins as { pin: any; message: any }[];
};

describe('pins', () => {
  it('pins with a note, lists newest first with the message, marks the message pinned, and unpins; a second pin changes nothing', async () => {
    const w = await createWorld(server.url);
    const pat = await w.person('member', 'Pat');
    const channelId = await w.channel(w.owner, { members: [pat.memberId] });
    const first = await w.post(w.owner, channelId, 'Deploys go out on Tuesdays.');
    const second = await w.post(pat, channelId, 'The runbook lives in the docs.');

    const pinned = await pat.api.put(`/messages/${first.id}/pin`, { note: '  the schedule ' });
    expect(pinned.status, JSON.stringify(pinned.body)).toBe(201);
    expect(pinned.body.pin).toMatchObject({ message_id: first.id, channel_id: channelId, pinned_by: pat.memberId, note: 'the schedule' });
    expect(pinned.body.message).toMatchObject({ id: first.id, pinned: true });
    expect((await w.owner.api.put(`/messages/${second.id}/pin`)).status).toBe(201);

    const again = await w.owner.api.put(`/messages/${first.id}/pin`, { note: 'another note' });
    expect(again.status).toBe(200);
    expect(again.body.pin).toEqual(pinned.body.pin);

    const listed = await pinsOf(w.owner, channelId);
    expect(listed.map((p) => p.message.body)).toEqual(['The runbook lives in the docs.', 'Deploys go out on Tuesdays.']);
    expect(listed[1]?.pin).toEqual(pinned.body.pin);
    expect((await w.owner.api.get(`/messages/${first.id}`)).body.message.pinned).toBe(true);
    const history = (await w.owner.api.get(`/channels/${channelId}/messages`)).body.messages;
    expect(history.map((m: any) => m.pinned)).toEqual([true, true]);

    expect((await pat.api.delete(`/messages/${first.id}/pin`)).status).toBe(204);
    const gone = await pat.api.delete(`/messages/${first.id}/pin`);
    expect(gone.status).toBe(404);
    expect(gone.body.error.code).toBe('pin_not_found');
    expect((await pinsOf(pat, channelId)).map((p) => p.message.id)).toEqual([second.id]);
    expect((await w.owner.api.get(`/messages/${first.id}`)).body.message.pinned).toBe(false);

    expect((await pat.api.put(`/messages/${second.id}/pin`, { note: 'x'.repeat(501) })).status).toBe(400);
    expect((await pat.api.put(`/messages/${second.id}/pin`, { colour: 'red' })).status).toBe(400);
  });

  it('follows who_may_pin: moderators and org admins only when set; agents only where members may; observers never', async () => {
    const w = await createWorld(server.url);
    const [pat, mo, ada, olive] = [await w.person('member', 'Pat'), await w.person('member', 'Mo'), await w.person('admin', 'Ada'), await w.person('member', 'Olive')];
    const bot = await w.agent();
    const channelId = await w.channel(w.owner, { members: [pat.memberId, mo.memberId, olive.memberId, bot.memberId], who_may_pin: 'moderators' });
    for (const id of [mo.memberId, bot.memberId]) expect((await w.owner.api.patch(`/channels/${channelId}/members/${id}`, { role: 'moderator' })).status).toBe(204);
    expect((await w.owner.api.patch(`/channels/${channelId}/members/${olive.memberId}`, { role: 'observer' })).status).toBe(204);
    const pin = async (who: { api: any }) => {
      const m = await w.post(w.owner, channelId, 'Pin me');
      const res = await who.api.put(`/messages/${m.id}/pin`);
      return res.status < 300 ? res.status : `${res.status} ${res.body.error.code}`;
    };

    expect({ pat: await pin(pat), mo: await pin(mo), ada: await pin(ada), bot: await pin(bot), olive: await pin(olive) }).toEqual({
      pat: '403 pinning_restricted',
      mo: 201,
      ada: 201,
      bot: '403 pinning_restricted',
      olive: '403 read_only_member',
    });
    expect((await w.owner.api.patch(`/channels/${channelId}`, { who_may_pin: 'members' })).status).toBe(200);
    expect({ pat: await pin(pat), bot: await pin(bot), olive: await pin(olive) }).toEqual({ pat: 201, bot: 201, olive: '403 read_only_member' });
  });

  it('is 404 for a message the caller may not read, and never shows an agent a pin of a message its read rules hide', async () => {
    const w = await createWorld(server.url);
    const bot = await w.agent();
    const channelId = await w.channel(w.owner, { members: [bot.memberId] });
    const secret = await w.channel(w.owner, { kind: 'private' });
    const hidden = await writeMessage(server, { channelId, authorId: w.owner.memberId, body: 'people only: the salary bands', audience: 'humans' });
    const open = await w.post(w.owner, channelId, 'The release checklist');
    const elsewhere = await w.post(w.owner, secret, 'private plans');

    const tried = await bot.api.put(`/messages/${hidden.id}/pin`);
    expect(tried.status).toBe(404);
    expect(tried.body.error.code).toBe('message_not_found');
    expect((await bot.api.put(`/messages/${elsewhere.id}/pin`)).body.error.code).toBe('message_not_found');
    const pat = await w.person('member', 'Pat');
    expect((await pat.api.put(`/messages/${elsewhere.id}/pin`)).status).toBe(404);

    const botSocket = await openSocket(server.url, bot.token, w.orgId);
    const ownerSocket = await openSocket(server.url, w.owner.token, w.orgId);
    try {
      expect((await w.owner.api.put(`/messages/${hidden.id}/pin`, { note: 'pay' })).status).toBe(201);
      expect((await w.owner.api.put(`/messages/${open.id}/pin`)).status).toBe(201);
      expect((await w.owner.api.delete(`/messages/${open.id}/pin`)).status).toBe(204);
      const pinEvents = (s: typeof botSocket) => s.eventsOf(channelId).filter((e) => e.type.startsWith('pin.'));
      await ownerSocket.until(() => pinEvents(ownerSocket).length === 3);
      await botSocket.until(() => pinEvents(botSocket).length === 2);
      expect(pinEvents(ownerSocket).map((e) => [e.type, e.type === 'pin.added' ? e.payload.pin.message_id : e.type === 'pin.removed' ? e.payload.message_id : null])).toEqual([
        ['pin.added', hidden.id],
        ['pin.added', open.id],
        ['pin.removed', open.id],
      ]);
      // The agent's stream skips the hidden message's pin: the next events it gets are about the open one.
      expect(pinEvents(botSocket).map((e) => e.type)).toEqual(['pin.added', 'pin.removed']);
      expect(botSocket.events.some((e) => e.type === 'pin.added' && e.payload.pin.message_id === hidden.id)).toBe(false);
    } finally {
      botSocket.close();
      ownerSocket.close();
    }
    expect((await w.owner.api.put(`/messages/${open.id}/pin`)).status).toBe(201);
    expect((await pinsOf(w.owner, channelId)).map((p) => p.message.id)).toEqual([open.id, hidden.id]);
    expect((await pinsOf(bot, channelId)).map((p) => p.message.id)).toEqual([open.id]);
    const [read] = await auditOf(server, w.orgId, 'agent.messages.read');
    expect(read?.items).toEqual([open.id]);
  });

  it('a deleted message loses its pin, with a pin.removed event after the deletion', async () => {
    const w = await createWorld(server.url);
    const channelId = await w.channel(w.owner);
    const m = await w.post(w.owner, channelId, 'Outdated advice');
    expect((await w.owner.api.put(`/messages/${m.id}/pin`)).status).toBe(201);
    const deleted = await w.owner.api.delete(`/messages/${m.id}`);
    expect(deleted.body.message.pinned).toBe(false);
    expect(await pinsOf(w.owner, channelId)).toEqual([]);
    const events = await server.ctx.db.selectFrom('channel_events').select(['type', 'payload']).where('channel_id', '=', channelId).orderBy('seq', 'desc').limit(2).execute();
    expect(events.map((e) => e.type)).toEqual(['pin.removed', 'message.deleted']);
    expect(events[0]?.payload).toEqual({ message_id: m.id, removed_by: null });
    expect((await w.owner.api.put(`/messages/${m.id}/pin`)).body.error.code).toBe('message_deleted');
  });
});
