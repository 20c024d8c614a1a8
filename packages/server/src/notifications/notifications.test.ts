import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../server.js';
import { createWorld } from '../test/fixtures.js';
import { startTestServer } from '../test/server.js';
import { openSocket } from '../test/sockets.js';

let server: RunningServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

describe('notification preferences', () => {
  it('follow the person: stored by the server, shown in the channel list, pushed to their other devices', async () => {
    const w = await createWorld(server.url);
    const bea = await w.person('member', 'Bea');
    const room = await w.channel(w.owner, { members: [bea.memberId] });
    expect((await bea.api.get(`/orgs/${w.orgId}/notifications`)).body).toEqual({ desktop: 'mentions', muted_channel_ids: [] });

    const otherDevice = await openSocket(server.url, bea.token, w.orgId);
    try {
      const muted = await bea.api.put(`/channels/${room}/mute`, { muted: true });
      expect(muted.body).toEqual({ desktop: 'mentions', muted_channel_ids: [room] });
      expect((await bea.api.put(`/channels/${room}/mute`, { muted: true })).body.muted_channel_ids).toEqual([room]);
      const frame = await otherDevice.until(() => otherDevice.frames.find((f) => f.type === 'notifications'));
      expect(frame.settings).toEqual({ desktop: 'mentions', muted_channel_ids: [room] });

      expect((await bea.api.patch(`/orgs/${w.orgId}/notifications`, { desktop: 'none' })).body.desktop).toBe('none');
      await otherDevice.until(() => otherDevice.frames.some((f) => f.type === 'notifications' && (f.settings as { desktop: string }).desktop === 'none'));
    } finally {
      otherDevice.close();
    }

    // Muted: the list still counts, and says it is muted; the client shows mentions only.
    await w.post(w.owner, room, 'plain news');
    await w.post(w.owner, room, `@${bea.handle} a question for you`);
    const entry = (await bea.api.get(`/orgs/${w.orgId}/channels`)).body.channels.find((c: { channel: { id: string } }) => c.channel.id === room);
    expect(entry).toMatchObject({ muted: true, unread_count: 2, mention_count: 1 });
    // Someone else's view of the channel is their own.
    const ownerEntry = (await w.owner.api.get(`/orgs/${w.orgId}/channels`)).body.channels.find((c: { channel: { id: string } }) => c.channel.id === room);
    expect(ownerEntry.muted).toBe(false);

    expect((await bea.api.put(`/channels/${room}/mute`, { muted: false })).body.muted_channel_ids).toEqual([]);
  });

  it('a mute belongs to the membership: leaving the channel forgets it; a channel one is not in cannot be muted', async () => {
    const w = await createWorld(server.url);
    const bea = await w.person('member', 'Bea');
    const room = await w.channel(w.owner, { members: [bea.memberId] });
    expect((await bea.api.put(`/channels/${room}/mute`, { muted: true })).status).toBe(200);
    expect((await bea.api.post(`/channels/${room}/leave`)).status).toBe(204);
    expect((await bea.api.get(`/orgs/${w.orgId}/notifications`)).body.muted_channel_ids).toEqual([]);
    const again = await bea.api.put(`/channels/${room}/mute`, { muted: true });
    expect([again.status, again.body.error.code]).toEqual([409, 'not_a_member']);
    const secret = await w.channel(w.owner, { kind: 'private' });
    expect((await bea.api.put(`/channels/${secret}/mute`, { muted: true })).status).toBe(404);
  });
});
